/* Every recorded function once, with the edge cases a replay must follow: failed calls (NULL),
 * realloc(NULL, n), realloc(p, 0), free(NULL), calloc and reallocarray overflows, an invalid
 * posix_memalign alignment; anonymous mappings unmapped whole, by their head, their tail, with a
 * hole, and moved by mremap, and a shared one (not recorded). A malloc of MARKER bytes starts the
 * sequence; the events the trace must hold from there are printed afterwards, one a line: "op field
 * field [field]" (decimal), as in docs/trace-format.md. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MARKER 1234567

enum { MAX_EVENTS = 64 };

static unsigned long long expected[MAX_EVENTS][4];
static int fields[MAX_EVENTS], count;
static void *volatile keep; /* so the compiler cannot drop a call */
static char *volatile none; /* NULL the compiler cannot see */

static void expect(int n, unsigned long long op, uint64_t a, uint64_t b, uint64_t c) {
    expected[count][0] = op, expected[count][1] = a, expected[count][2] = b;
    expected[count][3] = c;
    fields[count++] = n;
}

static uint64_t at(const void *block) {
    return (uint64_t)(uintptr_t)block;
}

static void allocate_and_free(size_t huge) {
    char *m = malloc(MARKER);
    expect(2, 1, at(m), MARKER, 0);
    expect(1, 4, at(m), 0, 0); /* addresses are taken before the calls that free them */
    free(m);
    char *c = calloc(3, 40);
    expect(2, 2, at(c), 120, 0);
    keep = calloc(huge / 2, 4); /* count * size overflows: NULL, size recorded as 2^64 - 1 */
    expect(2, 2, 0, UINT64_MAX, 0);
    char *r = realloc(none, 100); /* through a volatile: gcc turns realloc(NULL, n) into malloc */
    expect(3, 3, 0, at(r), 100);
    uint64_t r_at = at(r);
    char *r2 = realloc(r, 5000);
    expect(3, 3, r_at, at(r2), 5000);
    expect(3, 3, at(r2), 0, 0);
    keep = realloc(r2, 0); /* glibc frees r2 and returns NULL */
    free(NULL);            /* not recorded */
    char *a = reallocarray(none, 10, 10);
    expect(3, 3, 0, at(a), 100);
    expect(3, 3, at(a), 0, UINT64_MAX);
    char *grown = reallocarray(a, huge, 2); /* overflow: NULL, a stays live */
    if (grown != NULL)
        return;          /* cannot happen; keeps the compiler from taking a for freed */
    keep = malloc(huge); /* fails */
    expect(2, 1, 0, huge, 0);
    char *z = malloc(0);
    expect(2, 1, at(z), 0, 0);
    void *blocks[] = {z, a, c};
    for (int i = 0; i < 3; i++) {
        expect(1, 4, at(blocks[i]), 0, 0);
        free(blocks[i]);
    }
}

static void aligned(void) {
    void *p = NULL, *q = NULL;
    int ok = posix_memalign(&p, 64, 200);
    expect(3, 5, ok == 0 ? at(p) : 0, 200, 64);
    int invalid = posix_memalign(&q, 3, 200); /* EINVAL, nothing allocated */
    expect(3, 5, invalid == 0 ? at(q) : 0, 200, 3);
    void *b = aligned_alloc(256, 512);
    expect(3, 5, at(b), 512, 256);
    void *m = memalign(32, 100);
    expect(3, 5, at(m), 100, 32);
    void *v = valloc(10);
    expect(3, 5, at(v), 10, 4096);
    void *pv = pvalloc(10); /* rounded up to a page */
    expect(3, 5, at(pv), 4096, 4096);
    void *blocks[] = {p, b, m, v, pv};
    for (int i = 0; i < 5; i++) {
        expect(1, 4, at(blocks[i]), 0, 0);
        free(blocks[i]);
    }
}

static char *map_pages(size_t pages, int flags) {
    void *m = mmap(NULL, pages * (size_t)getpagesize(), PROT_READ | PROT_WRITE, flags, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

/* MMAP result size; MUNMAP old result size (result 0, size 0: gone). */
static void mapped(void) {
    const size_t page = (size_t)getpagesize();
    const int private = MAP_PRIVATE | MAP_ANONYMOUS;
    char *m = map_pages(3, private);
    expect(2, 6, at(m), 3 * page, 0);
    munmap(m, page); /* the head */
    expect(3, 7, at(m), at(m + page), 2 * page);
    munmap(m + 2 * page, page); /* the tail */
    expect(3, 7, at(m + page), at(m + page), page);
    munmap(m + page, page); /* the rest */
    expect(3, 7, at(m + page), 0, 0);
    char *h = map_pages(3, private);
    expect(2, 6, at(h), 3 * page, 0);
    munmap(h + page, page); /* a hole: the head stays, the tail is a mapping of its own */
    expect(3, 7, at(h), at(h), page);
    expect(2, 6, at(h + 2 * page), page, 0);
    munmap(h, 3 * page);
    expect(3, 7, at(h), 0, 0);
    expect(3, 7, at(h + 2 * page), 0, 0);
    char *r = map_pages(1, private);
    expect(2, 6, at(r), page, 0);
    char *moved = mremap(r, page, 2 * page, MREMAP_MAYMOVE);
    expect(3, 7, at(r), at(moved), 2 * page);
    munmap(moved, 2 * page);
    expect(3, 7, at(moved), 0, 0);
    char *shared = map_pages(1, MAP_SHARED | MAP_ANONYMOUS); /* not the allocator's memory */
    munmap(shared, page);
}

int main(void) {
    volatile size_t huge = SIZE_MAX;
    allocate_and_free(huge);
    aligned();
    mapped();
    for (int i = 0; i < count; i++) {
        printf("%llu", expected[i][0]);
        for (int f = 1; f <= fields[i]; f++)
            printf(" %llu", expected[i][f]);
        putchar('\n');
    }
    return 0;
}
