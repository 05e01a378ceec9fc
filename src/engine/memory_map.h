/* The memory map: one class per page of the memory a program's heap lives in, and the text a
 * results document carries it in (docs/results-format.md, "Memory maps").
 *
 * The engine knows every block a run holds (tl_scenario.each_block), so the live class needs no
 * walk of the allocator's chunks; the rest comes from where the heap lies (the platform's
 * extent: platform_map.c) and, for the cached class, from the kernel's residency. */
#ifndef TL_MEMORY_MAP_H
#define TL_MEMORY_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

enum tl_page_class {
    TL_PAGE_LIVE,   /* overlaps a block the run holds */
    TL_PAGE_CACHED, /* heap below the high-water mark, no live block, resident */
    TL_PAGE_FREE,   /* the same, not resident (or residency not read yet) */
    TL_PAGE_ABOVE,  /* reserved: past the heap's high-water mark */
    TL_PAGE_STATIC, /* data and stack, below the heap */
    TL_PAGE_CLASSES
};

/* One letter per class, in enum order: the run-length text's alphabet. */
extern const char tl_page_class_letters[TL_PAGE_CLASSES + 1];
extern const char *const tl_page_class_names[TL_PAGE_CLASSES];

/* Where a map lies: `pages` pages of `page_bytes` from address `start`; the pages wholly below
 * `static_end` are static, those wholly at or past `high_water` above, the rest free until a
 * block or residency says otherwise. */
typedef struct tl_map_extent {
    uint64_t start;
    uint64_t page_bytes;
    uint64_t pages;
    uint64_t static_end;
    uint64_t high_water;
} tl_map_extent;

/* Fills classes[0, extent->pages) with static, free and above. */
void tl_map_base(const tl_map_extent *extent, unsigned char *classes);
/* Marks live every page [address, address + bytes) overlaps; returns the bytes of the block that
 * lie outside the extent (natively: a block glibc mmapped). */
uint64_t tl_map_mark(const tl_map_extent *extent, unsigned char *classes, uint64_t address,
                     uint64_t bytes);

/* What the blocks of a run add to a map. */
typedef struct tl_map_blocks {
    uint64_t held_bytes;    /* the bytes the blocks asked for, inside the extent or not */
    uint64_t outside_bytes; /* of those, outside the extent */
    uint64_t blocks;
} tl_map_blocks;

/* Marks live the pages of every block `engine`'s run holds (none when it is idle). */
tl_map_blocks tl_map_mark_engine(const tl_map_extent *extent, unsigned char *classes,
                                 const tl_engine *engine);

void tl_map_count(const unsigned char *classes, uint64_t pages, uint64_t counts[TL_PAGE_CLASSES]);

/* The run-length text of `pages` classes: a count and a class letter per run ("5s12l300c");
 * written to `out` when it fits in `size` (with its NUL); returns its length either way, so a
 * caller can size a buffer. A class out of range is written as free. */
size_t tl_map_encode(const unsigned char *classes, uint64_t pages, char *out, size_t size);
/* The text's pages per class; 0, or -1 when it is not a run-length text of the classes. */
int tl_map_decode_counts(const char *text, uint64_t counts[TL_PAGE_CLASSES]);

/* What a map says of the memory kept, in bytes: in use (what the blocks asked for), the rest of
 * the live pages (fragmentation: free space on pages that hold live data, which no allocator can
 * give back), and the cached pages (retention: whole free pages kept resident). */
typedef struct tl_map_kept {
    uint64_t in_use_bytes;
    uint64_t fragmentation_bytes;
    uint64_t retention_bytes;
} tl_map_kept;
tl_map_kept tl_map_kept_of(const uint64_t counts[TL_PAGE_CLASSES], uint64_t page_bytes,
                           uint64_t held_inside_bytes);

/* The moments a run's maps are taken at, by the phases of its samples: "work" (the last sample
 * before the first free), "free" (the last sample before trim) and "trim". */
enum tl_map_moment { TL_MAP_WORK, TL_MAP_FREE, TL_MAP_TRIM, TL_MAP_MOMENTS };
/* Their names, in enum order, then NULL. */
extern const char *const tl_map_moment_names[TL_MAP_MOMENTS + 1];

typedef struct tl_map_moments {
    int started;   /* a sample was seen */
    int work_seen; /* the "work" moment was given */
    enum tl_phase previous;
} tl_map_moments;

/* Told the phase of each new sample in turn: a bit (1 << moment) for each moment that is the
 * previous sample's (work, free) or this one's (trim). */
#define TL_MAP_PREVIOUS_MOMENTS ((1u << TL_MAP_WORK) | (1u << TL_MAP_FREE))
unsigned tl_map_moments_next(tl_map_moments *moments, enum tl_phase phase);

#endif
