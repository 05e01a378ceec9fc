#include "robin_set.h"

#include <stdlib.h>
#include <string.h>

#include "touch.h"

int tl_robin_set_alloc(tl_robin_set *set, uint64_t buckets) {
    set->slots = malloc((size_t)(buckets * sizeof *set->slots));
    set->mask = buckets - 1;
    set->count = 0;
    return set->slots != NULL;
}

void tl_robin_set_clear(tl_robin_set *set, uint64_t first_slot, uint64_t slot_count) {
    memset(set->slots + first_slot, 0, (size_t)(slot_count * sizeof *set->slots));
}

static uint64_t home_of(const tl_robin_set *set, uint64_t key) {
    return tl_mix64(key) & set->mask;
}

int tl_robin_set_insert(tl_robin_set *set, uint64_t key) {
    uint64_t pos = home_of(set, key), distance = 0;
    for (;;) {
        uint64_t resident = set->slots[pos];
        if (resident == 0) {
            set->slots[pos] = key;
            set->count++;
            return 1;
        }
        if (resident == key)
            return 0;
        uint64_t resident_distance = (pos - home_of(set, resident)) & set->mask;
        if (resident_distance < distance) {
            /* Robin hood: the richer resident moves on; `key` cannot be further along. */
            set->slots[pos] = key;
            key = resident;
            distance = resident_distance;
        }
        pos = (pos + 1) & set->mask;
        distance++;
    }
}

int tl_robin_set_contains(const tl_robin_set *set, uint64_t key) {
    uint64_t pos = home_of(set, key), distance = 0;
    for (;;) {
        uint64_t resident = set->slots[pos];
        if (resident == key)
            return 1;
        if (resident == 0 || ((pos - home_of(set, resident)) & set->mask) < distance)
            return 0;
        pos = (pos + 1) & set->mask;
        distance++;
    }
}

void tl_robin_set_free(tl_robin_set *set) {
    free(set->slots);
    set->slots = NULL;
    set->count = 0;
}
