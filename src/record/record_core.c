/* The recorder's state, lock, buffer flushing, header rewrites, fatal signals and fork. Nothing
 * here calls malloc or stdio: it runs inside the program's allocator calls and in signal
 * handlers, so it uses only system calls that are async-signal-safe (pwrite, fstat, getpid,
 * sigaction, raise, sched_yield, write). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_internal.h"
#include "shared/message.h"
#include "shared/version.h"

TL_HIDDEN recorder record = {.state = RECORD_UNDECIDED, .fd = -1};
TL_HIDDEN volatile sig_atomic_t record_pending_signal;
TL_HIDDEN TL_TLS char record_self;
TL_HIDDEN TL_TLS volatile sig_atomic_t record_in_update;

/* Signals whose default action ends the process. The first four come from a faulting
 * instruction: returning from the handler would fault again, so they are never deferred. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL,  SIGABRT,
                                    SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE};
enum {
    SYNCHRONOUS_SIGNALS = 4,
    FATAL_SIGNALS = sizeof fatal_signals / sizeof fatal_signals[0],
};

void record_lock_slow(void) {
    uintptr_t self = (uintptr_t)&record_self;
    for (unsigned spins = 0;; spins++) {
        uintptr_t expected = 0;
        if (atomic_load_explicit(&record.owner, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&record.owner, &expected, self,
                                                  memory_order_acquire, memory_order_relaxed))
            return;
        /* The holder may be descheduled or writing the buffer out: let it run. */
        if (spins >= 64)
            sched_yield();
    }
}

/* Takes the lock unless this thread holds it already (a signal handler that interrupted the
 * real allocator call, or the atfork handler). */
void record_lock(void) {
    if (atomic_load_explicit(&record.owner, memory_order_relaxed) != (uintptr_t)&record_self)
        record_lock_slow();
}

void record_unlock(void) {
    atomic_store_explicit(&record.owner, 0, memory_order_release);
}

/* One line on stderr, "trimlab-record: " then a, the user's value b quoted (tl_quote_into) and
 * c (NULL: nothing), without stdio or malloc. */
void record_say(const char *a, const char *b, const char *c) {
    char quoted[TL_QUOTE_SIZE];
    if (b != NULL)
        tl_quote_into(quoted, b);
    const char *parts[] = {"trimlab-record: ", a, b ? quoted : NULL, c, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] && write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            return; /* stderr is gone: nowhere better to say it */
}

/* pwrite at an explicit offset: the header at 0 and the events after it need no lseek, and a
 * write repeated after an interruption lands on the same bytes. pwrite is a cancellation
 * point; a thread cancelled there would leave holding the lock and stop every allocation, so
 * cancellation waits until the write is done. */
int record_write_at(const void *data, size_t length, uint64_t offset) {
    const unsigned char *bytes = data;
    int cancel_state, written = 1;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    while (length > 0 && written) {
        ssize_t n = pwrite(record.fd, bytes, length, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        written = n > 0;
        if (written) {
            bytes += n;
            length -= (size_t)n;
            offset += (uint64_t)n;
        }
    }
    pthread_setcancelstate(cancel_state, NULL);
    return written;
}

int record_write_header(uint32_t flags) {
    tl_trace_header header;
    unsigned char bytes[TL_TRACE_HEADER_BYTES];
    tl_trace_header_init(&header, record.name_length, (uint64_t)record.pid);
    tl_trace_header_set_recorder_version(&header, tl_version());
    /* This recorder records the program's anonymous mappings (record_mmap.c). */
    header.flags = flags | TL_TRACE_MMAP_RECORDED;
    header.event_count = record.flushed_events;
    header.max_live_blocks = record.max_live_blocks;
    tl_trace_header_pack(&header, bytes);
    return record_write_at(bytes, sizeof bytes, 0);
}

/* The trace keeps what its last good flush wrote: its header still matches its events. */
static void stop_recording(const char *why) {
    atomic_store_explicit(&record.state, RECORD_OFF, memory_order_relaxed);
    record_say("recording stopped: ", NULL, why);
}

/* A child made by a raw clone() skips the atfork handler but must not write into the parent's
 * trace; a program that closed the descriptor and opened another file under its number must
 * not get events written into that file. */
static int still_ours(void) {
    struct stat st;
    if (getpid() != record.pid) {
        atomic_store_explicit(&record.state, RECORD_OFF, memory_order_relaxed);
        return 0;
    }
    if (fstat(record.fd, &st) != 0 || st.st_dev != record.file_dev ||
        st.st_ino != record.file_ino) {
        stop_recording("the program closed the trace file's descriptor");
        return 0;
    }
    return 1;
}

/* Writes the buffered events after the ones in the file. Called with the lock held and this
 * thread marked as updating (or in a handler that took the lock). */
static int write_events(void) {
    if (!still_ours())
        return 0;
    if (!record_write_at(record.buffer, record.used, record.file_offset)) {
        stop_recording(strerrordesc_np(errno));
        return 0;
    }
    record.file_offset += record.used;
    record.flushed_events += record.buffered_events;
    record.used = 0;
    record.buffered_events = 0;
    return 1;
}

/* Inside the program's malloc or free, which must not change errno when they succeed. */
void record_flush(void) {
    int saved_errno = errno;
    /* The header follows every flush so a trace cut off by SIGKILL still counts what it has. */
    if (write_events() && !record_write_header(0))
        stop_recording(strerrordesc_np(errno));
    errno = saved_errno;
}

/* The last flush: every event, then the header with `flags`; nothing is recorded afterwards.
 * Called with the lock held. */
static void finish(uint32_t flags) {
    record_in_update = 1;
    atomic_signal_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_ACTIVE &&
        write_events())
        record_write_header(flags);
    atomic_store_explicit(&record.state, RECORD_OFF, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    record_in_update = 0;
}

/* The pid check first: a vfork() child shares this memory with the recording parent, and
 * must leave without touching the state. exit() or _exit() from a signal handler that
 * interrupted this thread's update cannot flush: the trace keeps its last flush, not complete. */
void record_finish_at_exit(void) {
    if (atomic_load_explicit(&record.state, memory_order_relaxed) != RECORD_ACTIVE ||
        getpid() != record.pid || record_in_update)
        return;
    record_lock();
    finish(TL_TRACE_COMPLETE);
    record_unlock();
}

/* Ends the process with sig's default action, as if the recorder had not been there. */
static void reraise(int sig) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig); /* in a handler it is blocked until the handler returns, then it kills */
}

/* Called with the lock held by this thread, with the recorder's state whole. The lock is kept:
 * other threads must not add events after the header is final. */
void record_fatal(int sig) {
    record_pending_signal = 0;
    finish(0);
    reraise(sig);
}

static int is_synchronous(int sig) {
    for (int i = 0; i < SYNCHRONOUS_SIGNALS; i++)
        if (fatal_signals[i] == sig)
            return 1;
    return 0;
}

/* A signal that interrupts this thread while it changes the state (record_in_update) cannot
 * flush: the buffer and the counters may disagree. It is deferred to the end of that update,
 * a few instructions away (record_commit). A synchronous fault cannot wait; in the update it
 * would be the recorder's own bug, and the trace keeps its last flush. */
static void on_fatal_signal(int sig) {
    int saved_errno = errno;
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_ACTIVE) {
        if (record_in_update && !is_synchronous(sig)) {
            record_pending_signal = sig;
            errno = saved_errno;
            return;
        }
        if (!record_in_update) {
            record_lock();
            record_fatal(sig);
        }
    }
    reraise(sig);
    errno = saved_errno;
}

/* Only where the program left the default action: an ignored signal stays ignored, and a
 * handler the program installs later replaces this one (documented in docs/trace-format.md). */
static void install_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < FATAL_SIGNALS; i++)
        sigaddset(&action.sa_mask, fatal_signals[i]);
    for (int i = 0; i < FATAL_SIGNALS; i++) {
        struct sigaction old;
        if (sigaction(fatal_signals[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
            old.sa_handler == SIG_DFL)
            sigaction(fatal_signals[i], &action, NULL);
    }
}

/* fork() copies the lock and the buffer: holding the lock across it gives the child a whole
 * state, and the child, a copy of the program that is not the recorded process, records
 * nothing and must not write the parent's buffered events. */
static void before_fork(void) {
    record_lock();
}

static void after_fork_parent(void) {
    record_unlock();
}

static void after_fork_child(void) {
    atomic_store_explicit(&record.state, RECORD_OFF, memory_order_relaxed);
    if (record.fd >= 0)
        close(record.fd);
    record.fd = -1;
    record_unlock();
}

void record_install_handlers(void) {
    install_signal_handlers();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
