/* Fuzz target: allocation traces (tl_trace_read_header, tl_trace_next through tl_trace_input,
 * and the replay's check of live blocks, tl_replay_advance without allocating).
 *
 * The input is a trace file. It is read twice by a check (a replay that allocates nothing): all
 * of it at once, then fed in pieces of 1 + size % 31 bytes through the replay's input buffer, so
 * chunk boundaries fall inside headers, events and varints.
 *
 * Invariants:
 * - both reads end alike: the same status, error code and message, the same counts (every
 *   tl_trace_stats field), events, offset and dropped bytes: where the input is cut never
 *   changes what a trace means;
 * - an accepted trace (TL_TRACE_END) held exactly the header's event count (cut short or not);
 *   the peak is at least what is live at the end; the most live blocks at least those live at
 *   the end, which are the map's entries; bytes after the events only in a trace cut short;
 * - a refused one: TL_ERR_BAD_TRACE (or TL_ERR_OOM if the map could not grow) with a one-line
 *   message. */
#include "fuzz_common.h"

#include "scenarios/scenario_replay.h"

typedef struct outcome {
    int status;
    tl_error err;
    tl_trace_stats stats;
    tl_trace_reader reader;
    uint64_t map_count;
} outcome;

static tl_replay replay;

/* Feeds `piece` bytes whenever the check asks, until it ends or fails. */
static void feed_and_check(const uint8_t *data, size_t size, size_t used, size_t piece,
                           outcome *out) {
    size_t pos = used;
    for (;;) {
        tl_replay_tally tally = {0, 0, 0};
        uint64_t room;
        while ((room = tl_replay_wants_input(&replay)) > 0) {
            size_t n = size - pos < piece ? size - pos : piece;
            n = n < room ? n : (size_t)room;
            if (n > 0)
                memcpy(tl_trace_input_tail(&replay.input), data + pos, n);
            tl_trace_input_added(&replay.input, n);
            pos += n;
        }
        out->status = tl_replay_advance(&replay, UINT64_MAX, UINT64_MAX, &tally, &out->err);
        if (out->status != TL_TRACE_NEED_INPUT)
            return;
    }
}

static void check_once(const uint8_t *data, size_t size, size_t piece, outcome *out) {
    size_t used = 0;
    memset(out, 0, sizeof *out);
    tl_trace_reader reader;
    out->status = tl_trace_read_header(&reader, data, size, 1, &used, &out->err);
    if (out->status != TL_TRACE_EVENT)
        return;
    tl_replay_init(&replay, &reader, 0);
    /* Small pieces need a small step so the check asks for input often. */
    replay.events_per_step = 1;
    if (tl_replay_open(&replay, &out->err) != TL_OK) {
        out->status = TL_TRACE_ERROR;
        return;
    }
    feed_and_check(data, size, used, piece, out);
    out->stats = replay.stats;
    out->reader = replay.reader;
    out->map_count = replay.map.count;
    tl_replay_close(&replay);
}

static void check_accepted(const outcome *o) {
    const tl_trace_stats *s = &o->stats;
    FUZZ_CHECK(o->reader.events == o->reader.header.event_count, "%llu events of %llu",
               (unsigned long long)o->reader.events,
               (unsigned long long)o->reader.header.event_count);
    FUZZ_CHECK(o->reader.complete == 0 || o->reader.dropped_bytes == 0, "dropped in a complete");
    FUZZ_CHECK(s->events == o->reader.events, "stats %llu, reader %llu",
               (unsigned long long)s->events, (unsigned long long)o->reader.events);
    FUZZ_CHECK(s->peak_live_bytes >= s->live_bytes, "peak below live");
    FUZZ_CHECK(s->max_live_blocks >= s->live_blocks, "max live blocks below live");
    FUZZ_CHECK(o->map_count == s->live_blocks, "map %llu, live %llu",
               (unsigned long long)o->map_count, (unsigned long long)s->live_blocks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static outcome whole, pieces;
    check_once(data, size, size + 1, &whole);
    check_once(data, size, 1 + size % 31, &pieces);
    FUZZ_CHECK(whole.status == pieces.status, "status %d whole, %d in pieces", whole.status,
               pieces.status);
    if (whole.status == TL_TRACE_ERROR) {
        fuzz_check_refusal(&whole.err, whole.err.code);
        FUZZ_CHECK(whole.err.code == TL_ERR_BAD_TRACE || whole.err.code == TL_ERR_OOM, "code %d",
                   whole.err.code);
        FUZZ_CHECK(strcmp(whole.err.message, pieces.err.message) == 0, "'%s' whole, '%s' in pieces",
                   whole.err.message, pieces.err.message);
        return 0;
    }
    FUZZ_CHECK(whole.status == TL_TRACE_END, "status %d", whole.status);
    FUZZ_CHECK(memcmp(&whole.stats, &pieces.stats, sizeof whole.stats) == 0, "counts differ");
    FUZZ_CHECK(whole.reader.offset == pieces.reader.offset, "offsets differ");
    FUZZ_CHECK(whole.reader.dropped_bytes == pieces.reader.dropped_bytes, "dropped differ");
    check_accepted(&whole);
    return 0;
}
