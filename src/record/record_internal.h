/* The recorder's shared state (build/libtrimlab-record.so only; docs/trace-format.md tells how
 * to use it). One lock orders every recorded call: it is held across the real allocator call
 * and the encoding of its event, so when a thread frees p and another thread's malloc then
 * returns p, the free is in the trace first.
 *
 * The hot path (record_enter, record_slot, record_commit, record_leave) is inline here because
 * it runs on every allocation. */
#ifndef TL_RECORD_INTERNAL_H
#define TL_RECORD_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/trace_writer.h"

/* Nothing outside the library sees these names; only the allocator functions are exported. */
#define TL_HIDDEN __attribute__((visibility("hidden")))
/* initial-exec: a preloaded library has static TLS, and the general model's __tls_get_addr may
 * call malloc, which would re-enter the recorder. */
#define TL_TLS __thread __attribute__((tls_model("initial-exec")))

enum record_state {
    RECORD_UNDECIDED, /* no allocation call and no constructor yet: the environment is not read */
    RECORD_ACTIVE,    /* this process records */
    RECORD_OFF,       /* not this process, finished, failed, or a forked child */
};

/* 256 KiB: a flush every few tens of thousands of events, and little RSS added to the program. */
#define RECORD_BUFFER_BYTES (256 * 1024)

typedef struct recorder {
    _Atomic int state;
    _Atomic uintptr_t owner; /* 0, or the lock holder's record_self address */
    int fd;
    pid_t pid;            /* the recording process: a forked child has another */
    uint32_t name_length; /* of the program name after the header */
    dev_t file_dev;       /* the trace file, to notice the program closing and reusing fd */
    ino_t file_ino;
    uint64_t file_offset; /* where the buffer goes in the file */
    uint64_t flushed_events;
    uint64_t buffered_events;
    uint64_t live_blocks;
    uint64_t max_live_blocks;
    size_t used; /* bytes of whole events in buffer */
    unsigned char buffer[RECORD_BUFFER_BYTES];
} recorder;

extern TL_HIDDEN recorder record;
/* A fatal signal that arrived while its thread was changing the state above (record_core.c,
 * on_fatal_signal): handled by that thread once the state is whole again. */
extern TL_HIDDEN volatile sig_atomic_t record_pending_signal;
extern TL_HIDDEN TL_TLS char record_self;
/* 1 while this thread changes the recorder's state: a signal handler must not touch it then. */
extern TL_HIDDEN TL_TLS volatile sig_atomic_t record_in_update;

/* record_start.c: reads the environment and opens the trace at the first allocation call or
 * at the constructor, whichever comes first. */
TL_HIDDEN void record_start(void);

/* record_core.c */
TL_HIDDEN void record_lock_slow(void);
TL_HIDDEN void record_lock(void);
TL_HIDDEN void record_unlock(void);
/* One line on stderr: a, then b (a value of the user's, quoted as tl_q does), then c. */
TL_HIDDEN void record_say(const char *a, const char *b, const char *c);
TL_HIDDEN int record_write_at(const void *data, size_t length, uint64_t offset);
TL_HIDDEN int record_write_header(uint32_t flags);
TL_HIDDEN void record_flush(void);
TL_HIDDEN void record_fatal(int sig);
TL_HIDDEN void record_finish_at_exit(void);
TL_HIDDEN void record_install_handlers(void);

/* Whether to record this call: 0 = pass it through (not recording, or nested inside the
 * recorder's own update), 1 = recorded and the lock was taken here, 2 = recorded under a lock
 * this thread already holds (an atfork handler or a signal handler calling malloc). */
static inline int record_enter(void) {
    int state = atomic_load_explicit(&record.state, memory_order_relaxed);
    if (state != RECORD_ACTIVE) {
        if (state == RECORD_OFF)
            return 0;
        record_start();
    }
    uintptr_t self = (uintptr_t)&record_self;
    if (atomic_load_explicit(&record.owner, memory_order_relaxed) == self)
        return record_in_update ? 0 : 2;
    uintptr_t expected = 0;
    if (!atomic_compare_exchange_weak_explicit(&record.owner, &expected, self, memory_order_acquire,
                                               memory_order_relaxed))
        record_lock_slow();
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_ACTIVE)
        return 1;
    atomic_store_explicit(&record.owner, 0, memory_order_release);
    return 0;
}

static inline void record_leave(int entered) {
    if (entered == 1)
        atomic_store_explicit(&record.owner, 0, memory_order_release);
}

/* Where the next event goes; marks this thread as updating first. */
static inline unsigned char *record_slot(void) {
    record_in_update = 1;
    atomic_signal_fence(memory_order_seq_cst);
    return record.buffer + record.used;
}

/* Makes the event of `bytes` just written at record_slot() part of the trace. */
static inline void record_commit(size_t bytes, int live_delta) {
    record.used += bytes;
    record.buffered_events++;
    if (live_delta > 0 && ++record.live_blocks > record.max_live_blocks)
        record.max_live_blocks = record.live_blocks;
    else if (live_delta < 0 && record.live_blocks > 0)
        record.live_blocks--;
    if (record.used > RECORD_BUFFER_BYTES - TL_TRACE_EVENT_MAX)
        record_flush();
    atomic_signal_fence(memory_order_seq_cst);
    record_in_update = 0;
    atomic_signal_fence(memory_order_seq_cst);
    if (record_pending_signal)
        record_fatal(record_pending_signal);
}

#endif
