/* A replay's address map: the recorded program's address of every live block → the replay's own
 * block and the size the program asked for.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones, so a long
 * trace of malloc/free pairs never degrades it). One array of TL_ADDR_MAP_ENTRY_BYTES-byte slots,
 * sized once from the number of blocks live at the trace's peak so that it never grows during a
 * replay whose header tells the truth: slots = blocks + blocks / 4 + 16 (at most 80% full). It
 * grows (doubling) only when more blocks are live than it was sized for. */
#ifndef TL_ADDR_MAP_H
#define TL_ADDR_MAP_H

#include <stdint.h>

#include "tl_error.h"

typedef struct tl_addr_entry {
    uint64_t key;  /* the recorded address; 0 marks an empty slot (NULL is never a live block) */
    uint64_t size; /* bytes requested */
    void *block;   /* the replay's block (NULL when only checking, or for some 0-byte blocks) */
} tl_addr_entry;

#define TL_ADDR_MAP_ENTRY_BYTES ((uint64_t)sizeof(tl_addr_entry))

typedef struct tl_addr_map {
    tl_addr_entry *slots;
    uint64_t capacity;
    uint64_t count;
    uint64_t growths; /* times it had to grow: each left a freed array in the allocator */
} tl_addr_map;

/* The slots and bytes a map sized for `blocks` live blocks takes. */
uint64_t tl_addr_map_slots_for(uint64_t blocks);
uint64_t tl_addr_map_bytes_for(uint64_t blocks);

/* Allocates the slots for `blocks` live blocks and writes to every page of them, so that the
 * memory is resident before the replay's baseline sample instead of appearing during the run. */
int tl_addr_map_init(tl_addr_map *map, uint64_t blocks, tl_error *err);
void tl_addr_map_release(tl_addr_map *map);

/* NULL when `key` is not in the map. */
tl_addr_entry *tl_addr_map_find(const tl_addr_map *map, uint64_t key);
/* Adds a key that is not in the map (growing it if full); TL_ERR_OOM when it cannot grow. */
int tl_addr_map_insert(tl_addr_map *map, uint64_t key, uint64_t size, void *block, tl_error *err);
/* Removes an entry tl_addr_map_find returned. */
void tl_addr_map_remove(tl_addr_map *map, tl_addr_entry *entry);

#endif
