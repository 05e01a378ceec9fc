/* Writes to memory that the compiler cannot prove dead, so allocations stay real (gcc and clang
 * delete malloc + memset + free sequences whose result is never read: docs/toolchain.md). */
#ifndef TL_TOUCH_H
#define TL_TOUCH_H

#include <stddef.h>
#include <stdint.h>

/* Writes one byte in every page of [start, start + length). */
void tl_touch_pages(void *start, size_t length);
/* Fills `count` 64-bit slots with distinct values derived from `first_index`. */
void tl_fill_slots(uint64_t *slots, size_t first_index, size_t count);
/* A well-mixed 64-bit hash (splitmix64's finaliser). */
uint64_t tl_mix64(uint64_t x);

#endif
