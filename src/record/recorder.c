/* The allocator functions of build/libtrimlab-record.so, the preload library that records every
 * allocation call of a dynamically linked program (docs/trace-format.md).
 *
 * Each one calls glibc's own allocator through its exported __libc_* entry points. Those need
 * no dlsym(RTLD_NEXT, "malloc"), which is the classic start-up trap of malloc interposers:
 * dlsym itself allocates (its error buffer through calloc), so the first malloc would re-enter
 * an interposer that does not yet know the real malloc. __libc_malloc and friends are linked
 * like any other libc symbol, are valid from the very first call (ld.so's own allocations once
 * it switches to the program's malloc), and are the implementations glibc's malloc, free...
 * are aliases of, so blocks stay interchangeable with every glibc function that frees or
 * inspects them (malloc_usable_size, malloc_trim).
 *
 * Pattern of every function: pass through when this process does not record; otherwise take
 * the lock, make the real call, encode its event into the buffer, release the lock. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record_internal.h"

#define TL_EXPORT __attribute__((visibility("default")))

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *old, size_t size);
extern void __libc_free(void *block);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static uint64_t address(const void *block) {
    return (uint64_t)(uintptr_t)block;
}

/* count * size, or UINT64_MAX when it overflows: the call then fails and records result 0 with
 * a size no replay can allocate. */
static uint64_t product(size_t count, size_t size) {
    size_t bytes;
    return __builtin_mul_overflow(count, size, &bytes) ? UINT64_MAX : bytes;
}

static void record_two(unsigned op, const void *result, uint64_t size) {
    unsigned char *slot = record_slot();
    record_commit(tl_trace_put_event2(slot, op, address(result), size), result != NULL);
}

static void record_aligned(const void *result, size_t size, size_t alignment) {
    unsigned char *slot = record_slot();
    size_t bytes = tl_trace_put_event3(slot, TL_TRACE_MEMALIGN, address(result), size, alignment);
    record_commit(bytes, result != NULL);
}

/* REALLOC old result size. The live count: realloc(NULL, n) makes a block; glibc's
 * realloc(p, 0) frees p and returns NULL; a failed realloc leaves p live. */
static void record_realloc(const void *old, const void *result, uint64_t size) {
    int live_delta = old == NULL ? result != NULL : (result == NULL && size == 0 ? -1 : 0);
    unsigned char *slot = record_slot();
    size_t bytes = tl_trace_put_event3(slot, TL_TRACE_REALLOC, address(old), address(result), size);
    record_commit(bytes, live_delta);
}

TL_EXPORT void *malloc(size_t size) {
    int entered = record_enter();
    void *result = __libc_malloc(size);
    if (entered)
        record_two(TL_TRACE_MALLOC, result, size);
    record_leave(entered);
    return result;
}

TL_EXPORT void *calloc(size_t count, size_t size) {
    int entered = record_enter();
    void *result = __libc_calloc(count, size);
    if (entered)
        record_two(TL_TRACE_CALLOC, result, product(count, size));
    record_leave(entered);
    return result;
}

TL_EXPORT void *realloc(void *old, size_t size) {
    int entered = record_enter();
    void *result = __libc_realloc(old, size);
    if (entered)
        record_realloc(old, result, size);
    record_leave(entered);
    return result;
}

/* glibc's reallocarray: realloc(old, count * size) unless the product overflows, which fails
 * with ENOMEM and leaves old live. */
TL_EXPORT void *reallocarray(void *old, size_t count, size_t size) {
    int entered = record_enter();
    uint64_t bytes = product(count, size);
    void *result = NULL;
    if (bytes == UINT64_MAX)
        errno = ENOMEM;
    else
        result = __libc_realloc(old, (size_t)bytes);
    if (entered)
        record_realloc(old, result, bytes);
    record_leave(entered);
    return result;
}

/* free(NULL) does nothing and is not recorded. */
TL_EXPORT void free(void *block) {
    if (block == NULL)
        return;
    int entered = record_enter();
    __libc_free(block);
    if (entered) {
        unsigned char *slot = record_slot();
        record_commit(tl_trace_put_free(slot, address(block)), -1);
    }
    record_leave(entered);
}

static void *aligned(size_t alignment, size_t size, size_t recorded_size) {
    int entered = record_enter();
    void *result = __libc_memalign(alignment, size);
    if (entered)
        record_aligned(result, recorded_size, alignment);
    record_leave(entered);
    return result;
}

TL_EXPORT void *memalign(size_t alignment, size_t size) {
    return aligned(alignment, size, size);
}

/* In glibc 2.36 aligned_alloc is memalign (it accepts any alignment). */
TL_EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    return aligned(alignment, size, size);
}

/* glibc's checks: the alignment is a power of two multiple of sizeof(void *), else EINVAL
 * without allocating (recorded as a failed call). */
TL_EXPORT int posix_memalign(void **block, size_t alignment, size_t size) {
    int valid = alignment != 0 && alignment % sizeof(void *) == 0 &&
                ((alignment / sizeof(void *)) & (alignment / sizeof(void *) - 1)) == 0;
    int entered = record_enter();
    void *result = valid ? __libc_memalign(alignment, size) : NULL;
    if (entered)
        record_aligned(result, size, alignment);
    record_leave(entered);
    if (result == NULL)
        return valid ? ENOMEM : EINVAL;
    *block = result;
    return 0;
}

TL_EXPORT void *valloc(size_t size) {
    size_t page = (size_t)getpagesize();
    int entered = record_enter();
    void *result = __libc_valloc(size);
    if (entered)
        record_aligned(result, size, page);
    record_leave(entered);
    return result;
}

/* pvalloc rounds the size up to whole pages (0 to one page); the rounded size is recorded so
 * the replay holds what the program could use. Interposed too: a block glibc's pvalloc made
 * unseen would later reach the recorded free as an unknown pointer. */
TL_EXPORT void *pvalloc(size_t size) {
    size_t page = (size_t)getpagesize();
    size_t rounded = size == 0 ? page : (size + page - 1) / page * page;
    int entered = record_enter();
    void *result = __libc_pvalloc(size);
    if (entered)
        record_aligned(result, rounded < size ? SIZE_MAX : rounded, page);
    record_leave(entered);
    return result;
}

/* _exit skips the destructor that writes the last events: shells (dash) and many programs end
 * that way, so it is a normal end here too. exit() reaches the kernel through glibc's internal
 * _exit, not this one, after the destructor. */
static _Noreturn void exit_now(int status) {
    record_finish_at_exit();
    for (;;)
        syscall(SYS_exit_group, status);
}

TL_EXPORT void _exit(int status) {
    exit_now(status);
}

TL_EXPORT void _Exit(int status) {
    exit_now(status);
}
