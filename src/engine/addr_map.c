#include "addr_map.h"

#include <stdint.h>
#include <stdlib.h>

#include "touch.h"

/* Beyond this the multiply-shift below would overflow; the map would need 96 GiB anyway. */
#define MAX_SLOTS (UINT64_C(1) << 32)

uint64_t tl_addr_map_slots_for(uint64_t blocks) {
    if (blocks > MAX_SLOTS)
        return MAX_SLOTS;
    return blocks + blocks / 4 + 16;
}

uint64_t tl_addr_map_bytes_for(uint64_t blocks) {
    return tl_addr_map_slots_for(blocks) * TL_ADDR_MAP_ENTRY_BYTES;
}

/* The slot a key starts probing at: a well-mixed hash scaled to the capacity (any capacity, not
 * only powers of two, so the map can be sized close to what the trace needs). */
static uint64_t home_slot(const tl_addr_map *map, uint64_t key) {
    return ((tl_mix64(key) >> 32) * map->capacity) >> 32;
}

/* calloc leaves a large block's pages unmapped until first written (glibc maps them fresh);
 * writing a zero into each makes them resident now, and keeps every slot empty. */
static void fault_in(void *memory, uint64_t bytes) {
    volatile unsigned char *p = memory;
    for (uint64_t offset = 0; offset < bytes; offset += 4096)
        p[offset] = 0;
}

static int allocate_slots(tl_addr_map *map, uint64_t capacity, tl_error *err) {
    if (capacity > MAX_SLOTS || capacity > SIZE_MAX / TL_ADDR_MAP_ENTRY_BYTES)
        return tl_fail(err, TL_ERR_OOM, "an address map of %llu slots is beyond this platform",
                       (unsigned long long)capacity);
    map->slots = calloc((size_t)capacity, (size_t)TL_ADDR_MAP_ENTRY_BYTES);
    if (map->slots == NULL)
        return tl_fail(
            err, TL_ERR_OOM, "no memory for the replay's address map (%llu bytes for %llu slots)",
            (unsigned long long)(capacity * TL_ADDR_MAP_ENTRY_BYTES), (unsigned long long)capacity);
    fault_in(map->slots, capacity * TL_ADDR_MAP_ENTRY_BYTES);
    map->capacity = capacity;
    map->count = 0;
    return TL_OK;
}

int tl_addr_map_init(tl_addr_map *map, uint64_t blocks, tl_error *err) {
    map->growths = 0;
    return allocate_slots(map, tl_addr_map_slots_for(blocks), err);
}

void tl_addr_map_release(tl_addr_map *map) {
    free(map->slots);
    map->slots = NULL;
    map->capacity = map->count = 0;
}

tl_addr_entry *tl_addr_map_find(const tl_addr_map *map, uint64_t key) {
    if (map->capacity == 0 || key == 0)
        return NULL;
    for (uint64_t i = home_slot(map, key);; i = i + 1 == map->capacity ? 0 : i + 1) {
        if (map->slots[i].key == key)
            return &map->slots[i];
        if (map->slots[i].key == 0)
            return NULL;
    }
}

static void place(tl_addr_map *map, const tl_addr_entry *entry) {
    uint64_t i = home_slot(map, entry->key);
    while (map->slots[i].key != 0)
        i = i + 1 == map->capacity ? 0 : i + 1;
    map->slots[i] = *entry;
    map->count++;
}

/* Doubles the slots and moves every entry over. */
static int grow(tl_addr_map *map, tl_error *err) {
    tl_addr_map bigger = *map;
    if (allocate_slots(&bigger, map->capacity * 2, err) != TL_OK)
        return err->code;
    for (uint64_t i = 0; i < map->capacity; i++)
        if (map->slots[i].key != 0)
            place(&bigger, &map->slots[i]);
    free(map->slots);
    bigger.growths = map->growths + 1;
    *map = bigger;
    return TL_OK;
}

int tl_addr_map_insert(tl_addr_map *map, uint64_t key, uint64_t size, void *block, tl_error *err) {
    /* At most 90% full: linear probing slows down sharply beyond that. */
    if ((map->count + 1) * 10 > map->capacity * 9 && grow(map, err) != TL_OK)
        return err->code;
    tl_addr_entry entry = {key, size, block};
    place(map, &entry);
    return TL_OK;
}

/* Whether `home` lies cyclically in (hole, probe]: then the entry at `probe` stays reachable
 * from its home slot when `hole` becomes empty, and must not move into it. */
static int stays(uint64_t hole, uint64_t probe, uint64_t home) {
    return hole <= probe ? hole < home && home <= probe : hole < home || home <= probe;
}

void tl_addr_map_remove(tl_addr_map *map, tl_addr_entry *entry) {
    uint64_t hole = (uint64_t)(entry - map->slots);
    for (uint64_t probe = hole;;) {
        probe = probe + 1 == map->capacity ? 0 : probe + 1;
        if (map->slots[probe].key == 0)
            break;
        if (stays(hole, probe, home_slot(map, map->slots[probe].key)))
            continue;
        map->slots[hole] = map->slots[probe];
        hole = probe;
    }
    map->slots[hole].key = 0;
    map->slots[hole].block = NULL;
    map->count--;
}
