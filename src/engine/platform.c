#include "platform.h"

static uint64_t heap_walks;

#ifdef __EMSCRIPTEN__

#include <emscripten/heap.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef TRIMLAB_EMMALLOC
#include <emscripten/emmalloc.h>
#else
/* dlmalloc defines these, but Emscripten's <malloc.h> does not declare them. */
int malloc_trim(size_t pad);
size_t malloc_footprint(void); /* the bytes it took from sbrk: a counter, no walk */
#endif

uint64_t tl_probe_footprint(uint64_t *rss_anon_bytes) {
    if (rss_anon_bytes)
        *rss_anon_bytes = 0;
    return (uint64_t)emscripten_get_heap_size();
}

/* The highest sbrk(0) seen: emmalloc's trim lowers sbrk, but not what the heap reached. */
static uint64_t sbrk_high;

uint64_t tl_sbrk_high_water(void) {
    uint64_t now = (uint64_t)(uintptr_t)sbrk(0);
    if (now > sbrk_high)
        sbrk_high = now;
    return sbrk_high;
}

static void probe_platform(tl_memory *out) {
    out->footprint_bytes = tl_probe_footprint(&out->rss_anon_bytes);
    out->sbrk_bytes = (uint64_t)(uintptr_t)sbrk(0);
    tl_sbrk_high_water();
    out->resident_bytes = TL_NOT_READ;
    out->host_rss_bytes = TL_NOT_READ;
}

void tl_probe_memory(tl_memory *out) {
    probe_platform(out);
    heap_walks++;
#ifdef TRIMLAB_EMMALLOC
    /* emmalloc's mallinfo is wrong in 3.1.6; its own counters are not. */
    size_t heap = emmalloc_dynamic_heap_size();
    size_t free_bytes = emmalloc_free_dynamic_memory();
    out->in_use_bytes = heap - free_bytes;
    out->allocator_free_bytes = free_bytes;
#else
    /* mallinfo's fields are int: past 2 GiB (a planner module's 4 GiB ceiling) they wrap, and
     * read as unsigned they hold wasm32's sizes whole. */
    struct mallinfo info = mallinfo();
    out->in_use_bytes = (uint32_t)info.uordblks;
    out->allocator_free_bytes = (uint32_t)info.fordblks;
#endif
}

#ifndef TRIMLAB_EMMALLOC
/* A dlmalloc chunk in use: its usable bytes and one size_t header (CHUNK_OVERHEAD: no footers,
 * and no mmapped chunks in Emscripten). mallinfo's uordblks is the sum of these. */
uint64_t tl_block_bytes(void *block) {
    return block ? (uint64_t)malloc_usable_size(block) + sizeof(size_t) : 0;
}

void tl_probe_memory_known(tl_memory *out, uint64_t in_use_bytes) {
    probe_platform(out);
    out->in_use_bytes = in_use_bytes;
    /* mallinfo's fordblks is exactly its footprint less uordblks. */
    out->allocator_free_bytes = (uint64_t)malloc_footprint() - in_use_bytes;
}
#endif

const char *tl_platform_name(void) {
    return "wasm";
}

const tl_host *tl_platform_host(void) {
    return NULL;
}

const char *tl_allocator_name(void) {
#ifdef TRIMLAB_EMMALLOC
    return "emmalloc";
#else
    return "dlmalloc";
#endif
}

uint64_t tl_page_bytes(void) {
    return 65536;
}

#else /* native Linux, glibc */

#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

static int statm_fd = -1;

uint64_t tl_probe_statm(int fd, uint64_t *rss_anon_bytes) {
    char buf[128];
    unsigned long long size = 0, resident = 0, shared = 0;
    ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) {
        buf[n] = '\0';
        if (sscanf(buf, "%llu %llu %llu", &size, &resident, &shared) != 3)
            resident = shared = 0;
    }
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    /* statm's "shared" is RssFile + RssShmem, so resident - shared is RssAnon. */
    if (rss_anon_bytes)
        *rss_anon_bytes = (resident - shared) * page;
    return resident * page;
}

/* statm through a descriptor kept open costs ~1 µs; /proc/self/status costs ~12 µs. */
uint64_t tl_probe_footprint(uint64_t *rss_anon_bytes) {
    if (statm_fd < 0)
        statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    return tl_probe_statm(statm_fd, rss_anon_bytes);
}

void tl_probe_memory(tl_memory *out) {
    out->footprint_bytes = tl_probe_footprint(&out->rss_anon_bytes);
    out->sbrk_bytes = 0;
    /* The same reading under the names every platform shares: no second probe. */
    out->resident_bytes = out->rss_anon_bytes;
    out->host_rss_bytes = out->footprint_bytes;
    heap_walks++;
    struct mallinfo2 info = mallinfo2();
    /* hblkhd: mmapped chunks, in use until freed (free() unmaps them at once). */
    out->in_use_bytes = (uint64_t)(info.uordblks + info.hblkhd);
    out->allocator_free_bytes = (uint64_t)info.fordblks;
}

const char *tl_platform_name(void) {
    return "native";
}

const tl_host *tl_platform_host(void) {
    static struct utsname names;
    static tl_host host = {"native", "unknown", "rss_anon"};
    if (uname(&names) == 0)
        host.version = names.release;
    return &host;
}

const char *tl_allocator_name(void) {
    return "glibc";
}

uint64_t tl_page_bytes(void) {
    return (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t tl_sbrk_high_water(void) {
    return (uint64_t)(uintptr_t)sbrk(0);
}

#endif

#if !defined(__EMSCRIPTEN__) || defined(TRIMLAB_EMMALLOC)
/* glibc's and emmalloc's figures cannot be followed from the blocks (see platform.h): they walk. */
uint64_t tl_block_bytes(void *block) {
    (void)block;
    return 0;
}

void tl_probe_memory_known(tl_memory *out, uint64_t in_use_bytes) {
    (void)in_use_bytes;
    tl_probe_memory(out);
}
#endif

uint64_t tl_heap_walks(void) {
    return heap_walks;
}

tl_trim_result tl_trim(int enabled) {
    tl_trim_result result = {0, 0};
    if (enabled) {
        result.called = 1;
        result.returned = malloc_trim(0);
    }
    return result;
}

/* ---- a program's own anonymous mappings, as its platform serves them ---- */

#ifdef __EMSCRIPTEN__

/* Emscripten 3.1.6 (system/lib/libc/emscripten_mmap.c) serves an anonymous mmap from the
 * allocator: memalign(64 KiB, length + its 40-byte record of the mapping in wasm32), and refuses
 * a partial munmap (EINVAL), so a mapping's block stays whole until it goes. */
#define MAP_ALIGNMENT 65536
#define MAP_RECORD_BYTES 40

void *tl_map(uint64_t size) {
    void *block = NULL;
    if (size > SIZE_MAX - MAP_RECORD_BYTES ||
        posix_memalign(&block, MAP_ALIGNMENT, (size_t)size + MAP_RECORD_BYTES) != 0)
        return NULL;
    return block;
}

void tl_unmap(void *block, uint64_t size) {
    (void)size;
    free(block);
}

void *tl_map_keep(void *block, uint64_t size, uint64_t from, uint64_t keep) {
    (void)size, (void)from, (void)keep;
    return block;
}

void *tl_map_grow(void *block, uint64_t size, uint64_t new_size) {
    (void)size;
    return new_size > SIZE_MAX - MAP_RECORD_BYTES
               ? NULL
               : realloc(block, (size_t)new_size + MAP_RECORD_BYTES);
}

#else

void *tl_map(uint64_t size) {
    if (size == 0 || size > SIZE_MAX)
        return NULL;
    void *block =
        mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return block == MAP_FAILED ? NULL : block;
}

void tl_unmap(void *block, uint64_t size) {
    munmap(block, (size_t)size);
}

void *tl_map_keep(void *block, uint64_t size, uint64_t from, uint64_t keep) {
    char *start = block;
    if (from > 0)
        munmap(start, (size_t)from);
    if (from + keep < size)
        munmap(start + from + keep, (size_t)(size - from - keep));
    return start + from;
}

void *tl_map_grow(void *block, uint64_t size, uint64_t new_size) {
    if (new_size > SIZE_MAX)
        return NULL;
    void *moved = mremap(block, (size_t)size, (size_t)new_size, MREMAP_MAYMOVE);
    return moved == MAP_FAILED ? NULL : moved;
}

#endif
