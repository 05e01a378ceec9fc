#include "scenario_replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/platform.h"
#include "engine/touch.h"

/* ---- setting up and tearing down ---- */

/* A check's map starts at most this big and grows: a header claiming millions of live blocks in
 * a tiny file must not make a check allocate for them. Its size matters only to a replay. */
#define CHECK_MAP_BLOCKS 4096

void tl_replay_init(tl_replay *replay, const tl_trace_reader *reader, int allocate) {
    memset(replay, 0, sizeof *replay);
    replay->reader = *reader;
    replay->allocate = allocate;
    replay->map_blocks = reader->header.max_live_blocks;
    if (!allocate && replay->map_blocks > CHECK_MAP_BLOCKS)
        replay->map_blocks = CHECK_MAP_BLOCKS;
    replay->expected_events = reader->header.event_count;
    replay->expected_moved_bytes = UINT64_MAX;
    replay->events_per_step = TL_REPLAY_EVENTS_PER_STEP_DEFAULT;
}

int tl_replay_open(tl_replay *replay, tl_error *err) {
    tl_trace_input *input = &replay->input;
    input->data = malloc((size_t)TL_REPLAY_INPUT_BYTES);
    if (input->data == NULL)
        return tl_fail(err, TL_ERR_OOM, "no memory for the replay's %llu-byte input buffer",
                       (unsigned long long)TL_REPLAY_INPUT_BYTES);
    /* Resident now, like the map, so neither appears as growth during the run (a memset would
     * not do: the compiler may turn malloc + memset into calloc, which leaves pages unmapped). */
    tl_touch_pages(input->data, (size_t)TL_REPLAY_INPUT_BYTES);
    input->capacity = (size_t)TL_REPLAY_INPUT_BYTES;
    input->start = input->end = 0;
    input->at_end = 0;
    if (tl_addr_map_init(&replay->map, replay->map_blocks, err) != TL_OK ||
        tl_addr_map_init(&replay->mappings, TL_REPLAY_MAPPING_BLOCKS, err) != TL_OK) {
        tl_addr_map_release(&replay->map);
        free(input->data);
        input->data = NULL;
        return err->code;
    }
    replay->overhead_bytes =
        TL_REPLAY_INPUT_BYTES +
        (replay->map.capacity + replay->mappings.capacity) * TL_ADDR_MAP_ENTRY_BYTES;
    return TL_OK;
}

uint64_t tl_replay_map_bytes(uint64_t live_blocks) {
    return tl_addr_map_bytes_for(live_blocks) + tl_addr_map_bytes_for(TL_REPLAY_MAPPING_BLOCKS);
}

void tl_replay_close(tl_replay *replay) {
    tl_addr_map *map = &replay->map, *mappings = &replay->mappings;
    for (uint64_t i = 0; i < map->capacity; i++)
        if (map->slots[i].key != 0)
            free(map->slots[i].block);
    tl_addr_map_release(map);
    for (uint64_t i = 0; i < mappings->capacity; i++)
        if (mappings->slots[i].key != 0 && mappings->slots[i].block != NULL)
            tl_unmap(mappings->slots[i].block, mappings->slots[i].size);
    tl_addr_map_release(mappings);
    replay->block_bytes = 0;
    free(replay->input.data);
    replay->input.data = NULL;
    replay->input.capacity = replay->input.start = replay->input.end = 0;
}

uint64_t tl_replay_wants_input(tl_replay *replay) {
    tl_trace_input *input = &replay->input;
    if (input->data == NULL || input->at_end)
        return 0;
    if (input->end - input->start >= replay->events_per_step * TL_TRACE_EVENT_MAX)
        return 0;
    return tl_trace_input_room(input);
}

uint64_t tl_replay_append(tl_replay *replay, const unsigned char *data, uint64_t length) {
    tl_trace_input *input = &replay->input;
    uint64_t room = input->data ? tl_trace_input_room(input) : 0;
    if (length > room)
        length = room;
    if (length > 0) {
        memcpy(tl_trace_input_tail(input), data, (size_t)length);
        tl_trace_input_added(input, (size_t)length);
    }
    return length;
}

int tl_replay_check_steps(uint64_t events, uint64_t events_per_step, tl_error *err) {
    uint64_t steps = events / events_per_step + (events % events_per_step != 0);
    if (steps <= TL_REPLAY_STEPS_MAX)
        return TL_OK;
    return tl_fail(err, TL_ERR_OUT_OF_RANGE,
                   "events_per_step=%llu makes %llu steps for %llu events (allowed up to %d): "
                   "give at least events_per_step=%llu",
                   (unsigned long long)events_per_step, (unsigned long long)steps,
                   (unsigned long long)events, TL_REPLAY_STEPS_MAX,
                   (unsigned long long)((events + TL_REPLAY_STEPS_MAX - 1) / TL_REPLAY_STEPS_MAX));
}

/* ---- the live accounting, shared by checking and replaying ---- */

uint64_t tl_add_saturated(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void count_allocation(tl_replay *replay, const tl_trace_event *event, uint64_t size) {
    tl_trace_stats *s = &replay->stats;
    s->live_bytes += size;
    s->allocated_bytes = tl_add_saturated(s->allocated_bytes, size);
    s->zero_sized += size == 0;
    if (size > s->largest_size || s->largest_event == 0) {
        s->largest_size = size;
        s->largest_event = event->index;
    }
}

static void count_block(tl_trace_stats *s, int delta) {
    s->live_blocks = delta > 0 ? s->live_blocks + 1 : s->live_blocks - 1;
    if (s->live_blocks > s->max_live_blocks)
        s->max_live_blocks = s->live_blocks;
}

static void note_peak(tl_trace_stats *s, const tl_trace_event *event) {
    if (s->live_bytes > s->peak_live_bytes) {
        s->peak_live_bytes = s->live_bytes;
        s->peak_event = event->index;
    }
}

/* ---- messages ---- */

static int event_fail(tl_error *err, int code, const tl_trace_event *event, const char *what) {
    return tl_fail(err, code, "event %llu at byte %llu: %s", (unsigned long long)event->index,
                   (unsigned long long)event->offset, what);
}

static int not_live(tl_error *err, const tl_trace_event *event) {
    char what[160];
    snprintf(what, sizeof what, "%s of 0x%llx, which is not live (never allocated, or freed)",
             tl_trace_op_name(event->op), (unsigned long long)event->old);
    return event_fail(err, TL_ERR_BAD_TRACE, event, what);
}

static int still_live(tl_error *err, const tl_trace_event *event) {
    char what[160];
    snprintf(what, sizeof what, "%s returned 0x%llx, which is still live (not freed since)",
             tl_trace_op_name(event->op), (unsigned long long)event->result);
    return event_fail(err, TL_ERR_BAD_TRACE, event, what);
}

static int out_of_memory(tl_replay *replay, tl_error *err, const tl_trace_event *event,
                         const char *why) {
    char what[200];
    snprintf(what, sizeof what, "%s of %llu bytes (%.2f MiB) %s (%.2f MiB requested and live)",
             tl_trace_op_name(event->op), (unsigned long long)event->size,
             (double)event->size / (double)TL_MIB, why,
             (double)replay->stats.live_bytes / (double)TL_MIB);
    return event_fail(err, TL_ERR_OOM, event, what);
}

/* ---- allocating for real ---- */

/* posix_memalign wants a power of two and a multiple of sizeof(void *); glibc's memalign
 * rounds other alignments up the same way. */
static size_t usable_alignment(uint64_t alignment) {
    size_t result = sizeof(void *);
    while (result < alignment && result <= SIZE_MAX / 2)
        result *= 2;
    return result;
}

/* A block like the program's, every page written. NULL only when the allocator failed. */
static void *make_block(int op, uint64_t size, uint64_t alignment) {
    void *block = NULL;
    if (op == TL_TRACE_MMAP)
        block = tl_map(size);
    else if (op == TL_TRACE_CALLOC)
        block = calloc(1, (size_t)size);
    else if (op == TL_TRACE_MEMALIGN &&
             posix_memalign(&block, usable_alignment(alignment), (size_t)size) != 0)
        block = NULL;
    else if (op != TL_TRACE_MEMALIGN)
        block = malloc((size_t)size);
    if (block != NULL)
        tl_touch_pages(block, (size_t)size);
    return block;
}

/* The replay's block for an allocation event, or an error: TL_ERR_OOM when the allocator (or the
 * platform's address space) cannot give it. A 0-byte request may legitimately get NULL. */
static int allocate_for(tl_replay *replay, const tl_trace_event *event, void **block,
                        tl_error *err) {
    *block = NULL;
    if (!replay->allocate)
        return TL_OK;
    if (event->size > SIZE_MAX)
        return out_of_memory(replay, err, event, "cannot be made here: beyond the address space");
    *block = make_block(event->op, event->size, event->alignment);
    if (*block == NULL && event->size > 0)
        return out_of_memory(replay, err, event, "failed: out of memory");
    return TL_OK;
}

/* realloc's replay. glibc's realloc(p, 0) frees p and returns NULL, so a 0-byte size that
 * returned a block (other allocators) is replayed as free plus malloc(0). */
static void *resize_block(void *block, uint64_t size) {
    if (size == 0) {
        free(block);
        return malloc(0);
    }
    void *moved = realloc(block, (size_t)size);
    if (moved != NULL)
        tl_touch_pages(moved, (size_t)size);
    return moved;
}

/* ---- the events ---- */

/* An allocation or a mapping (MMAP: kept in the mappings' map, made as the platform makes one). */
static int apply_allocation(tl_replay *replay, const tl_trace_event *event, tl_replay_tally *tally,
                            tl_error *err) {
    void *block;
    tl_addr_map *map = event->op == TL_TRACE_MMAP ? &replay->mappings : &replay->map;
    if (event->result == 0) {
        replay->stats.failed[event->op]++;
        return TL_OK;
    }
    if (tl_addr_map_find(map, event->result) != NULL)
        return still_live(err, event);
    if (allocate_for(replay, event, &block, err) != TL_OK)
        return err->code;
    if (tl_addr_map_insert(map, event->result, event->size, block, err) != TL_OK) {
        char why[TL_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", err->message); /* tl_fail must not read what it writes */
        if (map == &replay->mappings)
            tl_unmap(block, event->size);
        else
            free(block);
        return event_fail(err, TL_ERR_OOM, event, why);
    }
    replay->block_bytes += tl_block_bytes(block);
    count_allocation(replay, event, event->size);
    count_block(&replay->stats, +1);
    tally->allocated += event->size;
    return TL_OK;
}

/* A block of `map` (the blocks, or the mappings) goes. */
static void drop_entry(tl_replay *replay, tl_addr_map *map, tl_addr_entry *entry,
                       tl_replay_tally *tally) {
    if (replay->allocate) {
        replay->block_bytes -= tl_block_bytes(entry->block);
        if (map == &replay->mappings)
            tl_unmap(entry->block, entry->size);
        else
            free(entry->block);
    }
    replay->stats.live_bytes -= entry->size;
    replay->stats.freed_bytes = tl_add_saturated(replay->stats.freed_bytes, entry->size);
    tally->freed += entry->size;
    count_block(&replay->stats, -1);
    tl_addr_map_remove(map, entry);
}

static void drop_block(tl_replay *replay, tl_addr_entry *entry, tl_replay_tally *tally) {
    drop_entry(replay, &replay->map, entry, tally);
}

static int apply_free(tl_replay *replay, const tl_trace_event *event, tl_replay_tally *tally,
                      tl_error *err) {
    if (event->old == 0) /* free(NULL): legal, and nothing to do */
        return TL_OK;
    tl_addr_entry *entry = tl_addr_map_find(&replay->map, event->old);
    if (entry == NULL)
        return not_live(err, event);
    drop_block(replay, entry, tally);
    return TL_OK;
}

/* `entry` of `map` now holds `block` at the event's result with its size (a realloc that
 * succeeded, a mapping unmapped in part or remapped): counted as the old size freed and the new
 * one allocated. */
static void rekey(tl_replay *replay, tl_addr_map *map, tl_addr_entry *entry, void *block,
                  const tl_trace_event *event, tl_replay_tally *tally, tl_error *err) {
    uint64_t old_size = entry->size;
    tl_addr_map_remove(map, entry);
    /* One entry out, one in: the map cannot need to grow here. */
    tl_addr_map_insert(map, event->result, event->size, block, err);
    replay->stats.live_bytes -= old_size;
    replay->stats.freed_bytes = tl_add_saturated(replay->stats.freed_bytes, old_size);
    count_allocation(replay, event, event->size);
    tally->freed += old_size;
    tally->allocated += event->size;
}

/* A successful realloc: the block moves (or not) to `result` with the new size. */
static int move_block(tl_replay *replay, tl_addr_entry *entry, const tl_trace_event *event,
                      tl_replay_tally *tally, tl_error *err) {
    void *block = entry->block;
    if (event->result != event->old && tl_addr_map_find(&replay->map, event->result) != NULL)
        return still_live(err, event);
    if (replay->allocate && event->size > SIZE_MAX)
        return out_of_memory(replay, err, event, "cannot be made here: beyond the address space");
    if (replay->allocate) {
        uint64_t old_bytes = tl_block_bytes(block);
        block = resize_block(block, event->size);
        if (block == NULL && event->size > 0)
            return out_of_memory(replay, err, event, "failed: out of memory");
        replay->block_bytes = replay->block_bytes - old_bytes + tl_block_bytes(block);
    }
    rekey(replay, &replay->map, entry, block, event, tally, err);
    return TL_OK;
}

static int apply_realloc(tl_replay *replay, const tl_trace_event *event, tl_replay_tally *tally,
                         tl_error *err) {
    if (event->old == 0) /* realloc(NULL, n) is malloc(n) */
        return apply_allocation(replay, event, tally, err);
    tl_addr_entry *entry = tl_addr_map_find(&replay->map, event->old);
    if (entry == NULL)
        return not_live(err, event);
    if (event->result == 0 && event->size == 0) { /* glibc: realloc(p, 0) is free(p) */
        drop_block(replay, entry, tally);
        return TL_OK;
    }
    if (event->result == 0) { /* failed: the old block stays live */
        replay->stats.failed[TL_TRACE_REALLOC]++;
        return TL_OK;
    }
    return move_block(replay, entry, event, tally, err);
}

/* What is left of a mapping after munmap or mremap: `size` bytes at `result`. A part of it stays
 * where it was (munmap of its head or tail: `result` inside it), or it moved or grew (mremap).
 * The platform serves each (tl_map_keep, tl_map_grow): Emscripten keeps the whole block. */
static int reshape_mapping(tl_replay *replay, tl_addr_entry *entry, const tl_trace_event *event,
                           tl_error *err) {
    uint64_t size = entry->size;
    int inside = event->result >= event->old && event->result - event->old < size;
    uint64_t from = inside ? event->result - event->old : 0;
    if (!replay->allocate || entry->block == NULL)
        return TL_OK;
    uint64_t old_bytes = tl_block_bytes(entry->block);
    if (event->size <= size - from) {
        entry->block = tl_map_keep(entry->block, size, from, event->size);
    } else {
        void *grown = tl_map_grow(entry->block, size, event->size);
        if (grown == NULL)
            return out_of_memory(replay, err, event, "failed: out of memory");
        tl_touch_pages(grown, (size_t)event->size);
        entry->block = grown;
    }
    replay->block_bytes = replay->block_bytes - old_bytes + tl_block_bytes(entry->block);
    return TL_OK;
}

/* The program unmapped all or part of a mapping it made, or moved or resized it with mremap.
 * The block is found at the mapping's new start from then on; the live requested bytes follow
 * what the program kept. */
static int apply_munmap(tl_replay *replay, const tl_trace_event *event, tl_replay_tally *tally,
                        tl_error *err) {
    tl_addr_entry *entry = tl_addr_map_find(&replay->mappings, event->old);
    if (entry == NULL)
        return not_live(err, event);
    if (event->result == 0) {
        drop_entry(replay, &replay->mappings, entry, tally);
        return TL_OK;
    }
    if (event->result != event->old && tl_addr_map_find(&replay->mappings, event->result) != NULL)
        return still_live(err, event);
    if (reshape_mapping(replay, entry, event, err) != TL_OK)
        return err->code;
    rekey(replay, &replay->mappings, entry, entry->block, event, tally, err);
    return TL_OK;
}

static int apply_event(tl_replay *replay, const tl_trace_event *event, tl_replay_tally *tally,
                       tl_error *err) {
    int status;
    replay->stats.events++;
    replay->stats.calls[event->op]++;
    if (event->op == TL_TRACE_FREE)
        status = apply_free(replay, event, tally, err);
    else if (event->op == TL_TRACE_REALLOC)
        status = apply_realloc(replay, event, tally, err);
    else if (event->op == TL_TRACE_MUNMAP)
        status = apply_munmap(replay, event, tally, err);
    else
        status = apply_allocation(replay, event, tally, err);
    note_peak(&replay->stats, event);
    return status;
}

int tl_replay_advance(tl_replay *replay, uint64_t max_events, uint64_t max_bytes,
                      tl_replay_tally *tally, tl_error *err) {
    while (tally->events < max_events && tally->allocated + tally->freed < max_bytes) {
        tl_trace_event event;
        int status = tl_trace_input_next(&replay->input, &replay->reader, &event, err);
        if (status == TL_TRACE_END)
            replay->finished = 1;
        if (status != TL_TRACE_EVENT)
            return status;
        if (apply_event(replay, &event, tally, err) != TL_OK)
            return TL_TRACE_ERROR;
        tally->events++;
    }
    return TL_TRACE_EVENT;
}

/* ---- the engine scenario ---- */

static const tl_param_def replay_params[] = {
    {"events_per_step", "count", "trace events replayed per step", TL_PARAM_INT,
     TL_REPLAY_EVENTS_PER_STEP_DEFAULT, 1, TL_REPLAY_EVENTS_PER_STEP_MAX, NULL},
};

typedef struct replay_state {
    tl_replay *replay;
} replay_state;

_Static_assert(sizeof(replay_state) <= TL_STATE_MAX, "replay state fits");

/* Everything the replay holds in the allocator: its blocks, its address map, its input buffer. */
static uint64_t replay_held_bytes(const void *state) {
    const tl_replay *replay = ((const replay_state *)state)->replay;
    if (replay == NULL)
        return 0;
    return replay->block_bytes + tl_block_bytes(replay->map.slots) +
           tl_block_bytes(replay->mappings.slots) + tl_block_bytes(replay->input.data);
}

/* Steps that end after N events (at most events / N), steps that end on TL_STEP_BYTES (at most
 * one per event, and at most moved / TL_STEP_BYTES), and a last partial one; never more than
 * TL_REPLAY_STEPS_MAX (step_byte_limit), so the sizes in a trace cannot inflate it. */
static uint32_t replay_max_steps(const tl_params *params, const void *input) {
    const tl_replay *replay = input;
    uint64_t n = params->value[TL_REPLAY_P_EVENTS_PER_STEP];
    uint64_t events = replay ? replay->expected_events : 0;
    uint64_t moved = replay ? replay->expected_moved_bytes : UINT64_MAX;
    uint64_t byte_steps = moved / TL_STEP_BYTES < events ? moved / TL_STEP_BYTES : events;
    uint64_t steps = (n ? events / n : 0) + byte_steps + 1;
    return steps > TL_REPLAY_STEPS_MAX ? TL_REPLAY_STEPS_MAX : (uint32_t)steps;
}

/* The requested bytes at which this step ends: TL_STEP_BYTES while the steps so far, this one,
 * and those the events left need at events_per_step each stay within TL_REPLAY_STEPS_MAX; else
 * none (the step ends on its events). An event ends at most one step, so however large the
 * blocks, a run whose events fit (tl_replay_check_steps) never has more steps than that. */
static uint64_t step_byte_limit(const tl_replay *replay) {
    uint64_t n = replay->events_per_step;
    uint64_t count = replay->reader.header.event_count; /* the reader never yields more */
    uint64_t left = count > replay->stats.events ? count - replay->stats.events : 0;
    uint64_t needed = left / n + (left % n != 0);
    if (replay->steps >= TL_REPLAY_STEPS_MAX || needed >= TL_REPLAY_STEPS_MAX - replay->steps)
        return UINT64_MAX;
    return TL_STEP_BYTES;
}

static int replay_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    replay_state *s = state;
    s->replay = input;
    if (s->replay == NULL)
        return tl_fail(err, TL_ERR_STATE, "no trace to replay: give its tl_replay as the input");
    s->replay->events_per_step = params->value[TL_REPLAY_P_EVENTS_PER_STEP];
    if (tl_replay_check_steps(s->replay->expected_events, s->replay->events_per_step, err) != TL_OK)
        return err->code;
    return tl_replay_open(s->replay, err);
}

static void label_step(const tl_replay *replay, uint64_t first, uint64_t last, char *label,
                       size_t size) {
    /* U+2013 EN DASH between the numbers. */
    snprintf(label, size, "events %llu\xe2\x80\x93%llu of %llu", (unsigned long long)first,
             (unsigned long long)last, (unsigned long long)replay->reader.header.event_count);
}

static tl_step_result replay_step(void *state, tl_step_desc *desc, tl_error *err) {
    tl_replay *replay = ((replay_state *)state)->replay;
    tl_replay_tally tally = {0, 0, 0};
    uint64_t first = replay->stats.events + 1;
    if (replay->finished)
        return TL_STEP_DONE;
    /* Up to N events, and no more than one step's bytes (allocated plus freed), like every
     * scenario: a large block gets a sample of its own, so the chart and the sampled peak see
     * it even when the program frees it a few events later. */
    int status =
        tl_replay_advance(replay, replay->events_per_step, step_byte_limit(replay), &tally, err);
    if (status == TL_TRACE_ERROR)
        return TL_STEP_FAILED;
    /* Past the header's last event only the unfinished flush of a trace cut short is left,
     * skipped unread: the replay is over. */
    if (status == TL_TRACE_NEED_INPUT && replay->reader.events == replay->reader.header.event_count)
        replay->finished = 1;
    else if (status == TL_TRACE_NEED_INPUT) {
        tl_fail(err, TL_ERR_STATE,
                "the replay ran out of input inside a step: append what tl_replay_wants_input "
                "asks for before each step");
        return TL_STEP_FAILED;
    }
    if (tally.events == 0)
        return TL_STEP_DONE;
    /* Phase by what the step mostly did, in requested bytes. */
    desc->phase = tally.freed > tally.allocated ? TL_PHASE_FREE : TL_PHASE_ALLOCATE;
    label_step(replay, first, first + tally.events - 1, desc->label, sizeof desc->label);
    replay->steps++;
    return TL_STEP_MORE;
}

static void replay_release(void *state) {
    replay_state *s = state;
    if (s->replay != NULL)
        tl_replay_close(s->replay);
}

/* The live blocks of one map (the allocations, or the mappings) and its own table. */
static void each_block_of(const tl_addr_map *map, tl_block_visit visit, void *context) {
    if (map->slots == NULL)
        return;
    for (uint64_t i = 0; i < map->capacity; i++)
        if (map->slots[i].key != 0 && map->slots[i].block != NULL)
            visit(context, map->slots[i].block, map->slots[i].size);
    visit(context, map->slots, map->capacity * TL_ADDR_MAP_ENTRY_BYTES);
}

static void replay_each_block(const void *state, tl_block_visit visit, void *context) {
    const tl_replay *replay = ((const replay_state *)state)->replay;
    if (replay == NULL)
        return;
    each_block_of(&replay->map, visit, context);
    each_block_of(&replay->mappings, visit, context);
    if (replay->input.data != NULL)
        visit(context, replay->input.data, TL_REPLAY_INPUT_BYTES);
}

const tl_scenario tl_scenario_replay = {
    "replay",
    "replays an allocation trace recorded from a program (trimlab record)",
    {replay_params, sizeof replay_params / sizeof replay_params[0]},
    replay_max_steps,
    replay_begin,
    replay_step,
    replay_release,
    replay_held_bytes,
    replay_each_block,
};
