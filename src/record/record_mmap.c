/* The program's own anonymous mappings, recorded as allocations (MMAP and MUNMAP events,
 * docs/trace-format.md): Emscripten serves an anonymous mmap from its allocator, so memory a
 * native program maps itself is heap in its WebAssembly build.
 *
 * mmap, mmap64, munmap and mremap are interposed; the real calls are system calls, made while
 * the recorder's lock is held, so that an address unmapped by one thread and mapped again by
 * another is in the trace in that order. glibc's own mappings (malloc's large blocks and
 * arenas, thread stacks, the loader's) go through its internal entry points and are not seen,
 * which is right: malloc's blocks are recorded as such.
 *
 * The recorder keeps the mappings it recorded in a fixed table (it may not allocate), so that an
 * munmap of any range becomes events for exactly the recorded mappings it touches, and an
 * munmap of memory it never recorded (a file mapping, a mapping made before recording started)
 * records nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record_internal.h"

#define TL_EXPORT __attribute__((visibility("default")))

/* Mappings recorded and live at once; beyond it a new mapping is passed through unrecorded. */
#define MAPPINGS_MAX 8192

typedef struct mapping {
    uintptr_t start, end; /* [start, end), whole pages */
} mapping;

static mapping mappings[MAPPINGS_MAX];
static size_t mapping_count;

static uintptr_t page_round(size_t length) {
    uintptr_t page = (uintptr_t)getpagesize();
    return (length + page - 1) / page * page;
}

/* ---- the real calls ---- */

static void *sys_mmap(void *address, size_t length, int prot, int flags, int fd, int64_t offset) {
    if (offset % getpagesize() != 0) { /* as glibc's mmap says, before mmap2 would truncate it */
        errno = EINVAL;
        return MAP_FAILED;
    }
#ifdef SYS_mmap2
    /* 32-bit: the offset in pages. */
    return (void *)syscall(SYS_mmap2, address, length, prot, flags, fd,
                           (long)(offset / getpagesize()));
#else
    return (void *)syscall(SYS_mmap, address, length, prot, flags, fd, (long)offset);
#endif
}

/* ---- events ---- */

static void put_mmap(uintptr_t start, uintptr_t length) {
    unsigned char *slot = record_slot();
    record_commit(tl_trace_put_event2(slot, TL_TRACE_MMAP, start, length), 1);
}

/* The mapping at `old` now is [start, start + length); length 0: it is gone. */
static void put_change(uintptr_t old, uintptr_t start, uintptr_t length) {
    unsigned char *slot = record_slot();
    size_t bytes = tl_trace_put_event3(slot, TL_TRACE_MUNMAP, old, length ? start : 0, length);
    record_commit(bytes, length ? 0 : -1);
}

static void track(uintptr_t start, uintptr_t end) {
    if (mapping_count == MAPPINGS_MAX)
        return;
    mappings[mapping_count].start = start;
    mappings[mapping_count].end = end;
    mapping_count++;
    put_mmap(start, end - start);
}

/* [from, to) is no longer mapped: each recorded mapping it touches loses that part. Returns
 * how many it touched. */
static int untrack(uintptr_t from, uintptr_t to) {
    int touched = 0;
    for (size_t i = 0; i < mapping_count;) {
        mapping m = mappings[i];
        if (to <= m.start || from >= m.end) {
            i++;
            continue;
        }
        touched++;
        if (from <= m.start && to >= m.end) {
            put_change(m.start, 0, 0);
            mappings[i] = mappings[--mapping_count];
            continue;
        }
        if (from <= m.start) { /* the head went */
            mappings[i].start = to;
            put_change(m.start, to, m.end - to);
        } else { /* the tail went, or a hole: the head stays, the tail is a mapping of its own */
            mappings[i].end = from;
            put_change(m.start, m.start, from - m.start);
            if (to < m.end)
                track(to, m.end);
        }
        i++;
    }
    return touched;
}

static int tracked_at(uintptr_t start) {
    for (size_t i = 0; i < mapping_count; i++)
        if (mappings[i].start == start)
            return (int)i;
    return -1;
}

/* ---- the interposed functions ---- */

static void *record_mapping(void *address, size_t length, int prot, int flags, int fd,
                            int64_t offset) {
    int entered = record_enter();
    void *result = sys_mmap(address, length, prot, flags, fd, offset);
    if (entered && result != MAP_FAILED) {
        uintptr_t start = (uintptr_t)result, end = start + page_round(length);
        if (flags & MAP_FIXED)
            untrack(start, end); /* what it replaced is gone */
        if ((flags & MAP_ANONYMOUS) && !(flags & MAP_SHARED))
            track(start, end);
    }
    record_leave(entered);
    return result;
}

TL_EXPORT void *mmap(void *address, size_t length, int prot, int flags, int fd, off_t offset) {
    return record_mapping(address, length, prot, flags, fd, offset);
}

TL_EXPORT void *mmap64(void *address, size_t length, int prot, int flags, int fd, off64_t offset) {
    return record_mapping(address, length, prot, flags, fd, (int64_t)offset);
}

TL_EXPORT int munmap(void *address, size_t length) {
    int entered = record_enter();
    long result = syscall(SYS_munmap, address, length);
    if (entered && result == 0)
        untrack((uintptr_t)address, (uintptr_t)address + page_round(length));
    record_leave(entered);
    return (int)result;
}

/* A recorded mapping moved or resized whole is one change; any other remap of recorded memory
 * is its old range gone and a new mapping. */
TL_EXPORT void *mremap(void *old, size_t old_length, size_t new_length, int flags, ...) {
    void *wanted = NULL;
    if (flags & MREMAP_FIXED) {
        va_list more;
        va_start(more, flags);
        wanted = va_arg(more, void *);
        va_end(more);
    }
    int entered = record_enter();
    void *result = (void *)syscall(SYS_mremap, old, old_length, new_length, flags, wanted);
    if (entered && result != MAP_FAILED && old_length > 0) {
        uintptr_t from = (uintptr_t)old, to = from + page_round(old_length);
        uintptr_t start = (uintptr_t)result, length = page_round(new_length);
        int i = tracked_at(from);
        if (i >= 0 && mappings[i].end == to) {
            mappings[i].start = start;
            mappings[i].end = start + length;
            put_change(from, start, length);
        } else if (untrack(from, to) > 0) {
            track(start, start + length);
        }
    }
    record_leave(entered);
    return result;
}
