/* An open-addressing hash set of non-zero 64-bit keys with robin-hood probing and a fixed,
 * power-of-two bucket count, as the solver's per-depth databases use. */
#ifndef TL_ROBIN_SET_H
#define TL_ROBIN_SET_H

#include <stdint.h>

typedef struct tl_robin_set {
    uint64_t *slots; /* 0 marks an empty slot */
    uint64_t mask;   /* buckets - 1 */
    uint64_t count;
} tl_robin_set;

/* Mallocs the slots without clearing them (clear in steps with tl_robin_set_clear). */
int tl_robin_set_alloc(tl_robin_set *set, uint64_t buckets);
void tl_robin_set_clear(tl_robin_set *set, uint64_t first_slot, uint64_t slot_count);
/* 1 when inserted, 0 when already present. key must not be 0; the set must not be full. */
int tl_robin_set_insert(tl_robin_set *set, uint64_t key);
int tl_robin_set_contains(const tl_robin_set *set, uint64_t key);
void tl_robin_set_free(tl_robin_set *set);

#endif
