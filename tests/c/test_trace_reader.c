/* The trace reader (src/engine/trace_reader.h) on traces built byte by byte here: every header and
 * event error, input split at every byte (inside varints too), traces cut short; the address
 * map; the replay's checks of which blocks are live; the replay as an engine scenario. */
#include <stdio.h>
#include <stdlib.h>

#include "unit_tests.h"

#include "engine/addr_map.h"
#include "engine/engine.h"
#include "engine/trace_reader.h"
#include "scenarios/scenario_replay.h"
#include "shared/trace_writer.h"

#define TRACE_MAX 8192

/* ---- building traces ---- */

typedef struct trace_bytes {
    unsigned char data[TRACE_MAX];
    size_t length;
    size_t header_length;
} trace_bytes;

typedef struct header_spec {
    uint32_t version, pointer_bytes, flags;
    const char *name;
    uint32_t name_length;
    uint64_t event_count, max_live_blocks;
    char recorder_version[TL_TRACE_RECORDER_VERSION_BYTES]; /* raw: NULs inside are kept */
} header_spec;

static void put(trace_bytes *t, unsigned char byte) {
    assert_true(t->length < TRACE_MAX);
    t->data[t->length++] = byte;
}

static void put_le(trace_bytes *t, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; i++)
        put(t, (unsigned char)(value >> (8 * i)));
}

static void put_varint(trace_bytes *t, uint64_t value) {
    do {
        unsigned char byte = value & 0x7f;
        value >>= 7;
        put(t, value ? byte | 0x80 : byte);
    } while (value);
}

static header_spec good_header(uint64_t events, uint64_t live) {
    return (header_spec){1, 8, TL_TRACE_COMPLETE, "prog", 4, events, live, "0.1.0+g6259fef"};
}

static void put_header(trace_bytes *t, header_spec h) {
    t->length = 0;
    for (int i = 0; i < 8; i++)
        put(t, (unsigned char)TL_TRACE_MAGIC[i]);
    put_le(t, h.version, 4);
    put_le(t, h.pointer_bytes, 4);
    put_le(t, h.flags, 4);
    put_le(t, h.name_length, 4);
    put_le(t, h.event_count, 8);
    put_le(t, h.max_live_blocks, 8);
    put_le(t, 4242, 8); /* recorder pid */
    for (int i = 0; i < TL_TRACE_RECORDER_VERSION_BYTES; i++)
        put(t, (unsigned char)h.recorder_version[i]);
    for (const char *p = h.name; *p; p++)
        put(t, (unsigned char)*p);
    t->header_length = t->length;
}

static void put_event(trace_bytes *t, int op, int fields, uint64_t a, uint64_t b, uint64_t c) {
    const uint64_t values[3] = {a, b, c};
    put(t, (unsigned char)op);
    for (int i = 0; i < fields; i++)
        put_varint(t, values[i]);
}

static void ev_malloc(trace_bytes *t, uint64_t result, uint64_t size) {
    put_event(t, TL_TRACE_MALLOC, 2, result, size, 0);
}

static void ev_calloc(trace_bytes *t, uint64_t result, uint64_t size) {
    put_event(t, TL_TRACE_CALLOC, 2, result, size, 0);
}

static void ev_realloc(trace_bytes *t, uint64_t old, uint64_t result, uint64_t size) {
    put_event(t, TL_TRACE_REALLOC, 3, old, result, size);
}

static void ev_free(trace_bytes *t, uint64_t old) {
    put_event(t, TL_TRACE_FREE, 1, old, 0, 0);
}

static void ev_memalign(trace_bytes *t, uint64_t result, uint64_t size, uint64_t alignment) {
    put_event(t, TL_TRACE_MEMALIGN, 3, result, size, alignment);
}

/* Seven events whose varints take 1 to 10 bytes, so splits fall inside them. */
#define BIG_ADDRESS UINT64_C(0xfedcba9876543210)
static void put_mixed_trace(trace_bytes *t, uint32_t flags) {
    header_spec h = good_header(7, 3);
    h.flags = flags;
    put_header(t, h);
    ev_malloc(t, 0x1000, 1);
    ev_calloc(t, BIG_ADDRESS, 300);
    ev_memalign(t, 0x7f0000001000, UINT64_C(1) << 39, 4096);
    ev_realloc(t, 0x1000, 0x2000, 70000);
    ev_free(t, BIG_ADDRESS);
    ev_realloc(t, 0, 0x3000, 5);
    ev_free(t, 0x2000);
}

static const tl_trace_event mixed_events[7] = {
    {TL_TRACE_MALLOC, 0, 0x1000, 1, 0, 1, 0},
    {TL_TRACE_CALLOC, 0, BIG_ADDRESS, 300, 0, 2, 0},
    {TL_TRACE_MEMALIGN, 0, 0x7f0000001000, UINT64_C(1) << 39, 4096, 3, 0},
    {TL_TRACE_REALLOC, 0x1000, 0x2000, 70000, 0, 4, 0},
    {TL_TRACE_FREE, BIG_ADDRESS, 0, 0, 0, 5, 0},
    {TL_TRACE_REALLOC, 0, 0x3000, 5, 0, 6, 0},
    {TL_TRACE_FREE, 0x2000, 0, 0, 0, 7, 0},
};

/* ---- reading ---- */

typedef struct read_result {
    int status;
    tl_error err;
    tl_trace_reader reader;
    tl_trace_event events[16];
    size_t count;
    size_t need_input;
} read_result;

/* Appends up to `piece` more bytes of the trace (or says it ended) when the reader needs them. */
static void refill(tl_trace_input *input, const trace_bytes *t, size_t *pos, size_t piece) {
    size_t room = tl_trace_input_room(input);
    size_t n = t->length - *pos;
    assert_true(room > 0);
    n = n < piece ? n : piece;
    n = n < room ? n : room;
    if (n > 0)
        memcpy(tl_trace_input_tail(input), t->data + *pos, n);
    tl_trace_input_added(input, n);
    *pos += n;
}

/* Reads the whole trace, its events arriving `piece` bytes at a time through a 40-byte buffer
 * (more than the longest event, so the unread bytes are moved to the front over and over). */
static read_result read_in_pieces(const trace_bytes *t, size_t piece) {
    static read_result r;
    unsigned char buffer[40];
    tl_trace_input input = {buffer, sizeof buffer, 0, 0, 0};
    size_t used, pos;
    memset(&r, 0, sizeof r);
    r.status = tl_trace_read_header(&r.reader, t->data, t->length, 1, &used, &r.err);
    if (r.status != TL_TRACE_EVENT)
        return r;
    for (pos = used;;) {
        tl_trace_event event;
        r.status = tl_trace_input_next(&input, &r.reader, &event, &r.err);
        if (r.status == TL_TRACE_EVENT && r.count < 16)
            r.events[r.count++] = event;
        else if (r.status == TL_TRACE_NEED_INPUT)
            refill(&input, t, &pos, piece);
        else if (r.status != TL_TRACE_EVENT)
            return r;
        r.need_input += r.status == TL_TRACE_NEED_INPUT;
    }
}

static void assert_events(const read_result *r, const tl_trace_event *expected, size_t count) {
    assert_int_equal(r->count, count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(r->events[i].op, expected[i].op);
        assert_true(r->events[i].old == expected[i].old);
        assert_true(r->events[i].result == expected[i].result);
        assert_true(r->events[i].size == expected[i].size);
        assert_true(r->events[i].alignment == expected[i].alignment);
        assert_true(r->events[i].index == i + 1);
    }
}

static void assert_bad(const read_result *r, const char *message) {
    assert_int_equal(r->status, TL_TRACE_ERROR);
    assert_int_equal(r->err.code, TL_ERR_BAD_TRACE);
    assert_contains(r->err.message, message);
    assert_null(strchr(r->err.message, '\n'));
}

/* ---- the header ---- */

static void test_good_header(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_mixed_trace(t, TL_TRACE_COMPLETE);
    read_result r = read_in_pieces(t, 4096);
    assert_int_equal(r.status, TL_TRACE_END);
    assert_int_equal(r.reader.header.version, 1);
    assert_int_equal(r.reader.header.pointer_bytes, 8);
    assert_true(r.reader.header.event_count == 7);
    assert_true(r.reader.header.max_live_blocks == 3);
    assert_true(r.reader.header.recorder_pid == 4242);
    assert_string_equal(r.reader.name, "prog");
    assert_true(r.reader.complete);
    assert_events(&r, mixed_events, 7);
    /* Offsets: the first event right after the 64-byte header and 4-byte name. */
    assert_true(r.events[0].offset == 68);
    assert_true(r.events[1].offset == 68 + 4);
    free(t);
}

static void test_header_needs_input_until_whole(void **state) {
    (void)state;
    trace_bytes t;
    tl_trace_reader reader;
    tl_error err;
    size_t used;
    put_header(&t, good_header(0, 0));
    for (size_t n = 0; n < t.length; n++)
        assert_int_equal(tl_trace_read_header(&reader, t.data, n, 0, &used, &err),
                         TL_TRACE_NEED_INPUT);
    assert_int_equal(tl_trace_read_header(&reader, t.data, t.length, 0, &used, &err),
                     TL_TRACE_EVENT);
    assert_int_equal(used, 68);
}

static read_result read_header_spec(header_spec h) {
    static trace_bytes t;
    put_header(&t, h);
    return read_in_pieces(&t, 4096);
}

static void test_header_errors(void **state) {
    (void)state;
    header_spec h = good_header(0, 0);
    h.version = 2;
    read_result r = read_header_spec(h);
    assert_bad(&r, "this trace was written by a newer trimlab (version 2; this one reads 1)");
    h.version = 0;
    r = read_header_spec(h);
    assert_bad(&r, "trace version 0 is not valid (this trimlab reads 1)");
    h = good_header(0, 0);
    h.pointer_bytes = 16;
    r = read_header_spec(h);
    assert_bad(&r, "pointer size 16 is not valid (allowed: 4, 8)");
    h = good_header(0, 0);
    h.flags = 5;
    r = read_header_spec(h);
    assert_bad(&r, "unknown header flags 0x4");
    h = good_header(0, 0);
    h.name_length = 257;
    r = read_header_spec(h);
    assert_bad(&r, "program name length 257 is above the limit of 256");
    h = good_header(0, 0);
    memcpy(h.recorder_version, "\x01", 2);
    r = read_header_spec(h);
    assert_bad(&r, "the header's recorder version is not printable ASCII followed by NUL bytes");
    h = good_header(3, 4);
    r = read_header_spec(h);
    assert_bad(&r, "max_live_blocks (4) is above its event count (3)");
    h = good_header(0, 0);
    h.name_length = 10; /* the file holds only 4 name bytes */
    r = read_header_spec(h);
    assert_bad(&r, "truncated header: the program name has 10 bytes, the file ends after 4");
}

static void test_wrong_magic_and_short_files(void **state) {
    (void)state;
    trace_bytes t;
    tl_trace_reader reader;
    tl_error err;
    size_t used;
    memcpy(t.data, "#!/bin/sh\necho hello\n", 21);
    assert_int_equal(tl_trace_read_header(&reader, t.data, 21, 1, &used, &err), TL_TRACE_ERROR);
    assert_contains(err.message, "not a trimlab trace");
    /* Even 3 bytes are enough to know it is not a trace. */
    assert_int_equal(tl_trace_read_header(&reader, t.data, 3, 0, &used, &err), TL_TRACE_ERROR);
    assert_int_equal(tl_trace_read_header(&reader, t.data, 0, 1, &used, &err), TL_TRACE_ERROR);
    assert_contains(err.message, "empty file");
    put_header(&t, good_header(0, 0));
    assert_int_equal(tl_trace_read_header(&reader, t.data, 40, 1, &used, &err), TL_TRACE_ERROR);
    assert_string_equal(err.message, "truncated header: the file has 40 bytes, a header has 64");
}

static void test_name_is_printable(void **state) {
    (void)state;
    trace_bytes t;
    header_spec h = good_header(0, 0);
    h.name = "a\nb\x1b[2Jc\xc3\xa9";
    h.name_length = (uint32_t)strlen(h.name);
    put_header(&t, h);
    read_result r = read_in_pieces(&t, 4096);
    assert_int_equal(r.status, TL_TRACE_END);
    assert_string_equal(r.reader.name, "a?b?[2Jc??");
}

/* The recorder's version: as written (up to all 16 bytes), "" for a trace from before it was
 * recorded (the bytes were reserved, 0), anything else refused. */
static void test_recorder_version(void **state) {
    (void)state;
    static const struct {
        const char bytes[TL_TRACE_RECORDER_VERSION_BYTES];
        const char *read; /* NULL: refused */
    } cases[] = {
        {"0.1.0+g6259fef", "0.1.0+g6259fef"},
        {"0.1.0+g6259fef.d", "0.1.0+g6259fef.d"}, /* all 16 bytes, no NUL */
        {"", ""},
        {"0.1.0\0x", NULL},      /* a byte after the padding */
        {"0.1 0", NULL},         /* a space */
        {"0.1\t0", NULL},        /* a control character */
        {"0.1.0\xc3\xa9", NULL}, /* not ASCII */
        {"\x7f", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        header_spec h = good_header(0, 0);
        memcpy(h.recorder_version, cases[i].bytes, sizeof h.recorder_version);
        read_result r = read_header_spec(h);
        if (cases[i].read == NULL) {
            assert_bad(&r, "recorder version is not printable ASCII");
            continue;
        }
        assert_int_equal(r.status, TL_TRACE_END);
        assert_string_equal(r.reader.recorder_version, cases[i].read);
    }
}

/* ---- events ---- */

static void test_every_piece_size(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_mixed_trace(t, TL_TRACE_COMPLETE);
    for (size_t piece = 1; piece <= 40; piece++) {
        read_result r = read_in_pieces(t, piece);
        assert_int_equal(r.status, TL_TRACE_END);
        assert_events(&r, mixed_events, 7);
        if (piece < 10)
            assert_true(r.need_input > 7); /* it did run out inside events */
    }
    free(t);
}

/* Every split of every event: the reader asks for more (consuming nothing) until it is whole. */
static void test_split_inside_every_event(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_mixed_trace(t, TL_TRACE_COMPLETE);
    tl_trace_reader reader;
    tl_trace_event event;
    tl_error err;
    size_t used, offset;
    assert_int_equal(tl_trace_read_header(&reader, t->data, t->length, 0, &offset, &err),
                     TL_TRACE_EVENT);
    for (int i = 0; i < 7; i++) {
        size_t whole = 0;
        tl_trace_reader probe = reader;
        assert_int_equal(
            tl_trace_next(&probe, t->data + offset, t->length - offset, 0, &whole, &event, &err),
            TL_TRACE_EVENT);
        for (size_t k = 0; k < whole; k++) {
            probe = reader;
            assert_int_equal(tl_trace_next(&probe, t->data + offset, k, 0, &used, &event, &err),
                             TL_TRACE_NEED_INPUT);
            assert_int_equal(used, 0);
            assert_true(probe.events == reader.events);
        }
        assert_int_equal(tl_trace_next(&reader, t->data + offset, whole, 0, &used, &event, &err),
                         TL_TRACE_EVENT);
        assert_true(event.result == mixed_events[i].result && event.old == mixed_events[i].old);
        offset += used;
    }
    free(t);
}

/* The header's event count, rewritten in place (bytes 24..31). */
static void set_event_count(trace_bytes *t, uint64_t count) {
    for (int i = 0; i < 8; i++)
        t->data[24 + i] = (unsigned char)(count >> (8 * i));
}

/* Every prefix of a trace is refused with one line unless it holds all of its header's events;
 * a trace cut short may have more bytes after them (an unfinished flush), skipped and counted. */
static void test_every_prefix(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t), *cut = calloc(1, sizeof *cut);
    put_mixed_trace(t, TL_TRACE_COMPLETE);
    put_mixed_trace(cut, 0);
    set_event_count(cut, 4); /* events 5 to 7 are the flush whose header rewrite never came */
    size_t ends[8] = {t->header_length}; /* where each event ends */
    read_result whole = read_in_pieces(t, 4096);
    for (int i = 0; i < 7; i++)
        ends[i + 1] = i + 1 < 7 ? (size_t)whole.events[i + 1].offset : t->length;
    for (size_t length = 0; length <= t->length; length++) {
        trace_bytes saved = *t;
        t->length = length;
        read_result r = read_in_pieces(t, 3);
        assert_int_equal(r.status, length == saved.length ? TL_TRACE_END : TL_TRACE_ERROR);
        if (r.status == TL_TRACE_ERROR)
            assert_null(strchr(r.err.message, '\n'));
        *t = saved;
        saved = *cut;
        cut->length = length;
        r = read_in_pieces(cut, 3);
        assert_int_equal(r.status, length >= ends[4] ? TL_TRACE_END : TL_TRACE_ERROR);
        if (r.status == TL_TRACE_END) {
            assert_int_equal(r.count, 4);
            assert_true(r.reader.dropped_bytes == length - ends[4]);
        }
        *cut = saved;
    }
    free(t);
    free(cut);
}

static void test_truncated_and_count_errors(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_header(t, good_header(2, 1));
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    t->length--;
    read_result r = read_in_pieces(t, 4096);
    assert_bad(&r, "event 2 at byte 72: truncated: the trace ends 2 bytes into this free");
    put_header(t, good_header(3, 1));
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "the trace ends after 2 events; its header says 3");
    put_header(t, good_header(1, 1));
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "the trace holds more events than its header says (1): more bytes follow at "
                   "byte 72");
    /* Cut short: the header's events are read, the unfinished flush after them skipped... */
    header_spec h = good_header(1, 1);
    h.flags = 0;
    put_header(t, h);
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    r = read_in_pieces(t, 2);
    assert_int_equal(r.status, TL_TRACE_END);
    assert_int_equal(r.count, 1);
    assert_true(r.reader.dropped_bytes == 3);
    /* ...but its header's events must all be there, as in a complete trace. */
    h.event_count = 3;
    put_header(t, h);
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "the trace ends after 2 events; its header says 3");
    free(t);
}

static void test_varint_too_long(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    static const unsigned char eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                           0x80, 0x80, 0x80, 0x80, 0x01};
    static const unsigned char above64[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xff, 0xff, 0xff, 0xff, 0x02};
    put_header(t, good_header(1, 1));
    put(t, TL_TRACE_MALLOC);
    for (size_t i = 0; i < sizeof eleven; i++)
        put(t, eleven[i]);
    read_result r = read_in_pieces(t, 1);
    assert_bad(&r, "event 1 at byte 68: the result varint of this malloc is longer than 64 bits");
    put_header(t, good_header(1, 0));
    put(t, TL_TRACE_FREE);
    for (size_t i = 0; i < sizeof above64; i++)
        put(t, above64[i]);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "the old pointer varint of this free is longer than 64 bits");
    /* The largest 64-bit value in 10 bytes is fine (a failed malloc may ask for anything). */
    put_header(t, good_header(1, 0));
    ev_malloc(t, 0, UINT64_MAX);
    r = read_in_pieces(t, 5);
    assert_int_equal(r.status, TL_TRACE_END);
    assert_true(r.events[0].size == UINT64_MAX);
    free(t);
}

static void test_unknown_op(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    for (int op = 0; op < 256; op += op == 0 ? 8 : 50) {
        put_header(t, good_header(2, 1));
        ev_malloc(t, 0x1000, 10);
        put(t, (unsigned char)op);
        read_result r = read_in_pieces(t, 4096);
        char expected[80];
        snprintf(expected, sizeof expected, "event 2 at byte 72: unknown op %d (known: 1 malloc",
                 op);
        assert_bad(&r, expected);
    }
    free(t);
}

static void test_absurd_values(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_header(t, good_header(1, 1));
    ev_malloc(t, 0x1000, (UINT64_C(1) << 40) + 1);
    read_result r = read_in_pieces(t, 4096);
    assert_bad(&r, "malloc of 1099511627777 bytes succeeded: an absurd size (above 1 TiB)");
    put_header(t, good_header(1, 1));
    ev_memalign(t, 0x1000, 64, UINT64_C(1) << 41);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "memalign with alignment 2199023255552: absurd");
    header_spec h = good_header(1, 1);
    h.pointer_bytes = 4;
    put_header(t, h);
    ev_realloc(t, 0, 0x1000, UINT64_C(1) << 32);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "realloc of 4294967296 bytes succeeded: an absurd size (above 4-byte");
    put_header(t, h);
    ev_malloc(t, UINT64_C(0x100000000), 8);
    r = read_in_pieces(t, 4096);
    assert_bad(&r, "pointer 0x100000000 does not fit the trace's 4-byte pointers");
    /* Exactly 1 TiB is the limit, not beyond it; a failed call may ask for more. */
    put_header(t, good_header(2, 1));
    ev_malloc(t, 0x1000, UINT64_C(1) << 40);
    ev_calloc(t, 0, UINT64_C(1) << 50);
    r = read_in_pieces(t, 4096);
    assert_int_equal(r.status, TL_TRACE_END);
    free(t);
}

/* ---- the address map ---- */

static void test_addr_map_against_reference(void **state) {
    (void)state;
    enum { KEYS = 3000 };
    static uint64_t live[KEYS];
    tl_addr_map map;
    tl_error err;
    uint64_t seed = 1;
    assert_int_equal(tl_addr_map_init(&map, 0, &err), TL_OK);
    assert_true(map.capacity == tl_addr_map_slots_for(0));
    memset(live, 0, sizeof live);
    for (int round = 0; round < 200000; round++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t i = (size_t)(seed >> 33) % KEYS;
        uint64_t key = (uint64_t)(i + 1) * 16; /* aligned keys, like real addresses */
        tl_addr_entry *found = tl_addr_map_find(&map, key);
        assert_true((found != NULL) == (live[i] != 0));
        if (found) {
            assert_true(found->size == live[i]);
            tl_addr_map_remove(&map, found);
            live[i] = 0;
        } else {
            live[i] = (seed >> 20) % 1000 + 1;
            assert_int_equal(tl_addr_map_insert(&map, key, live[i], NULL, &err), TL_OK);
        }
    }
    uint64_t count = 0;
    for (size_t i = 0; i < KEYS; i++) {
        tl_addr_entry *found = tl_addr_map_find(&map, (uint64_t)(i + 1) * 16);
        assert_true((found != NULL) == (live[i] != 0));
        count += live[i] != 0;
    }
    assert_true(map.count == count);
    assert_true(map.growths > 0);
    assert_null(tl_addr_map_find(&map, 0));
    assert_null(tl_addr_map_find(&map, 8));
    tl_addr_map_release(&map);
}

static void test_addr_map_sized_once(void **state) {
    (void)state;
    tl_addr_map map;
    tl_error err;
    assert_int_equal(tl_addr_map_init(&map, 1000, &err), TL_OK);
    for (uint64_t k = 1; k <= 1000; k++)
        assert_int_equal(tl_addr_map_insert(&map, k * 4096, k, NULL, &err), TL_OK);
    assert_true(map.growths == 0); /* sized from the peak: it never grows */
    assert_true(tl_addr_map_bytes_for(1000) == (1000 + 250 + 16) * TL_ADDR_MAP_ENTRY_BYTES);
    tl_addr_map_release(&map);
}

/* ---- the replay's checks of live blocks (no allocation) ---- */

static int check_trace(const trace_bytes *t, tl_replay *replay, tl_error *err) {
    tl_trace_reader reader;
    tl_replay_tally tally = {0, 0, 0};
    size_t used;
    if (tl_trace_read_header(&reader, t->data, t->length, 1, &used, err) != TL_TRACE_EVENT)
        return TL_TRACE_ERROR;
    tl_replay_init(replay, &reader, 0);
    assert_int_equal(tl_replay_open(replay, err), TL_OK);
    assert_true(tl_replay_append(replay, t->data + used, t->length - used) == t->length - used);
    tl_trace_input_added(&replay->input, 0);
    int status = tl_replay_advance(replay, UINT64_MAX, UINT64_MAX, &tally, err);
    tl_replay_close(replay);
    return status;
}

static void assert_check_fails(const trace_bytes *t, const char *message) {
    static tl_replay replay;
    tl_error err;
    assert_int_equal(check_trace(t, &replay, &err), TL_TRACE_ERROR);
    assert_int_equal(err.code, TL_ERR_BAD_TRACE);
    assert_contains(err.message, message);
}

static void test_live_block_errors(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    put_header(t, good_header(2, 1));
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x2000);
    assert_check_fails(t, "event 2 at byte 72: free of 0x2000, which is not live (never "
                          "allocated, or freed)");
    put_header(t, good_header(3, 1));
    ev_malloc(t, 0x1000, 10);
    ev_free(t, 0x1000);
    ev_free(t, 0x1000);
    assert_check_fails(t, "event 3 at byte 75: free of 0x1000, which is not live");
    put_header(t, good_header(2, 1));
    ev_malloc(t, 0x1000, 10);
    ev_realloc(t, 0x3000, 0x4000, 20);
    assert_check_fails(t, "event 2 at byte 72: realloc of 0x3000, which is not live");
    put_header(t, good_header(2, 2));
    ev_malloc(t, 0x1000, 10);
    ev_calloc(t, 0x1000, 10);
    assert_check_fails(t, "event 2 at byte 72: calloc returned 0x1000, which is still live");
    put_header(t, good_header(3, 2));
    ev_malloc(t, 0x1000, 10);
    ev_malloc(t, 0x2000, 10);
    ev_realloc(t, 0x1000, 0x2000, 30);
    assert_check_fails(t, "event 3 at byte 76: realloc returned 0x2000, which is still live");
    free(t);
}

static void test_live_accounting(void **state) {
    (void)state;
    static tl_replay replay;
    trace_bytes *t = calloc(1, sizeof *t);
    tl_error err;
    put_header(t, good_header(11, 3));
    ev_malloc(t, 0x1000, 100);          /* live 100 */
    ev_malloc(t, 0, 1000000);           /* failed: not replayed */
    ev_calloc(t, 0x2000, 50);           /* 150 */
    ev_realloc(t, 0x1000, 0x1000, 400); /* in place: 450 */
    ev_realloc(t, 0x2000, 0, 99);       /* failed: 0x2000 stays live */
    ev_memalign(t, 0x3000, 0, 64);      /* a 0-byte block: 3 live */
    ev_free(t, 0);                      /* free(NULL) */
    ev_realloc(t, 0x1000, 0, 0);        /* realloc(p, 0) frees: 50 */
    ev_realloc(t, 0x2000, 0x9000, 500); /* moved: 500 */
    ev_free(t, 0x9000);
    ev_free(t, 0x3000);
    assert_int_equal(check_trace(t, &replay, &err), TL_TRACE_END);
    const tl_trace_stats *s = &replay.stats;
    assert_true(s->events == 11);
    assert_true(s->peak_live_bytes == 500 && s->peak_event == 9);
    assert_true(s->live_bytes == 0 && s->live_blocks == 0);
    assert_true(s->max_live_blocks == 3);
    assert_true(s->largest_size == 500 && s->largest_event == 9);
    assert_true(s->failed[TL_TRACE_MALLOC] == 1 && s->failed[TL_TRACE_REALLOC] == 1);
    assert_true(s->calls[TL_TRACE_REALLOC] == 4 && s->calls[TL_TRACE_FREE] == 3);
    assert_true(s->zero_sized == 1);
    free(t);
}

/* ---- the replay as an engine scenario, allocating ---- */

static tl_engine engine;
static tl_replay engine_replay;

/* Begins a replay of `t` on `on` with `replay` as its input; *pos is where the events start. */
static void replay_begin(tl_engine *on, tl_replay *replay, const trace_bytes *t,
                         const char *per_step, size_t *pos) {
    tl_trace_reader reader;
    tl_params params;
    tl_error err;
    assert_int_equal(tl_trace_read_header(&reader, t->data, t->length, 0, pos, &err),
                     TL_TRACE_EVENT);
    tl_replay_init(replay, &reader, 1);
    tl_params_defaults(tl_scenario_replay.params, &params);
    assert_int_equal(tl_params_assign(tl_scenario_replay.params, "replay", &params, per_step, &err),
                     TL_OK);
    assert_int_equal(tl_engine_begin(on, &tl_scenario_replay, &params, replay, 1), TL_OK);
}

/* Feeds `piece` bytes at a time before the step, as the native CLI and the JS wrapper do. */
static int replay_step(tl_engine *on, tl_replay *replay, const trace_bytes *t, size_t *pos,
                       size_t piece, tl_sample *sample) {
    uint64_t want;
    while ((want = tl_replay_wants_input(replay)) > 0)
        refill(&replay->input, t, pos, piece < want ? piece : (size_t)want);
    return tl_engine_step(on, sample);
}

static uint32_t replay_run(const trace_bytes *t, const char *per_step, size_t piece,
                           tl_sample *samples, uint32_t room) {
    size_t pos;
    uint32_t n = 0;
    replay_begin(&engine, &engine_replay, t, per_step, &pos);
    while (n < room && replay_step(&engine, &engine_replay, t, &pos, piece, &samples[n]))
        n++;
    return n;
}

static void test_replay_steps(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    tl_sample samples[16];
    put_header(t, good_header(5, 2));
    ev_malloc(t, 0x1000, 300000);
    ev_calloc(t, 0x2000, 5000);
    ev_free(t, 0x1000);
    ev_free(t, 0x2000);
    ev_memalign(t, 0x3000, 8192, 4096);
    uint32_t n = replay_run(t, "events_per_step=2", 3, samples, 16);
    assert_int_equal(n, 3 + 3);
    /* Without a check's byte count: 5 / 2 steps of 2 events, up to one step on bytes per event,
     * the last one, and baseline, trim, final. With it (618192 bytes moved): none on bytes. */
    assert_int_equal(tl_engine_sample_capacity(&tl_scenario_replay, &engine.params, &engine_replay),
                     2 + 5 + 1 + 3);
    engine_replay.expected_moved_bytes = 618192;
    assert_int_equal(tl_engine_sample_capacity(&tl_scenario_replay, &engine.params, &engine_replay),
                     2 + 1 + 3);
    assert_int_equal(samples[0].phase, TL_PHASE_BASELINE);
    assert_string_equal(samples[1].label, "events 1\xe2\x80\x93"
                                          "2 of 5");
    assert_int_equal(samples[1].phase, TL_PHASE_ALLOCATE);
    assert_string_equal(samples[2].label, "events 3\xe2\x80\x93"
                                          "4 of 5");
    assert_int_equal(samples[2].phase, TL_PHASE_FREE);
    assert_string_equal(samples[3].label, "events 5\xe2\x80\x93"
                                          "5 of 5");
    assert_int_equal(samples[4].phase, TL_PHASE_TRIM);
    assert_int_equal(samples[5].phase, TL_PHASE_FINAL);
    assert_int_equal(engine.outcome, TL_OK);
    assert_true(engine_replay.stats.peak_live_bytes == 305000);
    assert_true(engine_replay.stats.live_bytes == 8192);
    /* The map and input buffer were made before the baseline sample. */
    assert_true(engine_replay.overhead_bytes == TL_REPLAY_INPUT_BYTES + tl_replay_map_bytes(2));
    tl_engine_end(&engine);
    assert_null(engine_replay.input.data);
    free(t);
}

/* A step also ends once it allocated or freed TL_STEP_BYTES: a large block is sampled while it
 * is live even when the program frees it right after. */
static void test_replay_step_bytes(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    tl_sample samples[16];
    put_header(t, good_header(4, 2));
    ev_malloc(t, 0x1000, 1000);
    ev_malloc(t, 0x100000, 5 * TL_MIB);
    ev_free(t, 0x100000);
    ev_free(t, 0x1000);
    uint32_t n = replay_run(t, "events_per_step=1000", 64, samples, 16);
    assert_int_equal(n, 3 + 3);
    assert_string_equal(samples[1].label, "events 1\xe2\x80\x93"
                                          "2 of 4");
    assert_int_equal(samples[1].phase, TL_PHASE_ALLOCATE);
    assert_string_equal(samples[2].label, "events 3\xe2\x80\x93"
                                          "3 of 4");
    assert_int_equal(samples[2].phase, TL_PHASE_FREE);
    assert_string_equal(samples[3].label, "events 4\xe2\x80\x93"
                                          "4 of 4");
    /* Touched page by page: resident at the sample after it (allocator-independent). */
    assert_true(samples[1].memory.footprint_bytes >=
                samples[0].memory.footprint_bytes + 4 * TL_MIB);
    tl_engine_end(&engine);
    free(t);
}

/* A trace cut short: its header's events replay; the unfinished flush after them (more than one
 * step's worth of input here) ends the replay instead of stalling a step. */
static void test_replay_cut_short_tail(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    tl_sample samples[16];
    header_spec h = good_header(2, 1);
    h.flags = 0;
    put_header(t, h);
    ev_malloc(t, 0x1000, 100);
    ev_free(t, 0x1000);
    for (int i = 0; i < 40; i++)
        ev_malloc(t, 0x2000 + (uint64_t)i * 16, 8); /* never counted in the header */
    uint32_t n = replay_run(t, "events_per_step=1", 5, samples, 16);
    assert_int_equal(n, 3 + 2);
    assert_int_equal(engine.outcome, TL_OK);
    assert_string_equal(samples[2].label, "events 2\xe2\x80\x93"
                                          "2 of 2");
    assert_true(engine_replay.stats.events == 2 && engine_replay.stats.live_blocks == 0);
    tl_engine_end(&engine);
    free(t);
}

static void test_replay_bad_trace_mid_run(void **state) {
    (void)state;
    trace_bytes *t = calloc(1, sizeof *t);
    tl_sample samples[16];
    put_header(t, good_header(6, 3));
    ev_malloc(t, 0x1000, 4096);
    ev_malloc(t, 0x2000, 4096);
    ev_malloc(t, 0x3000, 4096);
    ev_free(t, 0x1000);
    ev_free(t, 0x1000); /* event 5: freed already */
    ev_free(t, 0x2000);
    uint32_t n = replay_run(t, "events_per_step=3", 1, samples, 16);
    assert_int_equal(n, 3); /* baseline, events 1-3, the failure */
    assert_int_equal(engine.outcome, TL_ERR_BAD_TRACE);
    assert_int_equal(samples[n - 1].phase, TL_PHASE_FINAL);
    assert_string_equal(samples[n - 1].label, "failed: freed what the run held");
    assert_contains(engine.error.message, "event 5 at byte");
    assert_contains(engine.error.message, "free of 0x1000, which is not live");
    assert_true(tl_engine_done(&engine));
    tl_engine_end(&engine);
    free(t);
}

/* The replay's trace source is the input given to tl_engine_begin and
 * tl_engine_sample_capacity, not a global: without one the replay is refused, and two replays,
 * each with its own trace, size and run side by side in two engines. */
static void test_replay_input_is_its_own(void **state) {
    (void)state;
    static tl_engine other;
    static tl_replay a, b;
    trace_bytes *ta = calloc(1, sizeof *ta), *tb = calloc(1, sizeof *tb);
    tl_params params;
    tl_sample sa[8], sb[8];
    size_t pa, pb;
    uint32_t na = 0, nb = 0;
    tl_params_defaults(tl_scenario_replay.params, &params);
    assert_int_equal(tl_engine_begin(&engine, &tl_scenario_replay, &params, NULL, 1), TL_ERR_STATE);
    assert_contains(engine.error.message, "no trace to replay");
    assert_false(tl_engine_done(&engine));

    put_header(ta, good_header(3, 2));
    ev_malloc(ta, 0x1000, 100);
    ev_malloc(ta, 0x2000, 200);
    ev_free(ta, 0x1000);
    put_header(tb, good_header(2, 1));
    ev_malloc(tb, 0x1000, 5000);
    ev_free(tb, 0x1000);
    replay_begin(&engine, &a, ta, "events_per_step=1", &pa);
    replay_begin(&other, &b, tb, "events_per_step=1", &pb);
    /* One step per event (the bytes end none), the last one, and baseline, trim, final. */
    a.expected_moved_bytes = 400;
    b.expected_moved_bytes = 10000;
    assert_int_equal(tl_engine_sample_capacity(&tl_scenario_replay, &engine.params, &a), 3 + 1 + 3);
    assert_int_equal(tl_engine_sample_capacity(&tl_scenario_replay, &other.params, &b), 2 + 1 + 3);
    for (int more = 1; more;) { /* interleaved, a step of each in turn */
        more = 0;
        if (na < 8 && replay_step(&engine, &a, ta, &pa, 7, &sa[na]))
            more = ++na;
        if (nb < 8 && replay_step(&other, &b, tb, &pb, 7, &sb[nb]))
            more = ++nb;
    }
    assert_int_equal(na, 3 + 3);
    assert_int_equal(nb, 2 + 3);
    assert_string_equal(sa[3].label, "events 3\xe2\x80\x93"
                                     "3 of 3");
    assert_string_equal(sb[2].label, "events 2\xe2\x80\x93"
                                     "2 of 2");
    assert_true(a.stats.peak_live_bytes == 300 && a.stats.live_bytes == 200);
    assert_true(b.stats.peak_live_bytes == 5000 && b.stats.live_bytes == 0);
    assert_true(engine.outcome == TL_OK && other.outcome == TL_OK);
    tl_engine_end(&engine);
    tl_engine_end(&other);
    assert_null(a.input.data);
    assert_null(b.input.data);
    free(ta);
    free(tb);
}

static void test_replay_refuses_too_many_steps(void **state) {
    (void)state;
    tl_error err;
    assert_int_equal(tl_replay_check_steps(100000, 1, &err), TL_OK);
    assert_int_equal(tl_replay_check_steps(100001, 1, &err), TL_ERR_OUT_OF_RANGE);
    assert_string_equal(err.message, "events_per_step=1 makes 100001 steps for 100001 events "
                                     "(allowed up to 100000): give at least events_per_step=2");
}

/* ---- the step bound: the sizes in a trace cannot raise it ---- */

/* Appends whole (malloc of `size` at 0x1000, free of it) pairs while the replay wants input, and
 * ends the input after the last one. */
static void feed_pairs(tl_replay *replay, uint64_t size, uint64_t *pairs_left) {
    unsigned char pair[2 * TL_TRACE_EVENT_MAX];
    size_t length = tl_trace_put_event2(pair, TL_TRACE_MALLOC, 0x1000, size);
    length += tl_trace_put_free(pair + length, 0x1000);
    while (*pairs_left > 0 && tl_replay_wants_input(replay) >= length) {
        assert_true(tl_replay_append(replay, pair, length) == length);
        (*pairs_left)--;
    }
    if (*pairs_left == 0 && tl_replay_wants_input(replay) > 0)
        tl_trace_input_added(&replay->input, 0);
}

/* A check's replay (nothing allocated for the events, so 1 TiB costs nothing) of `pairs` pairs
 * through the engine; returns the samples, counted up to `room`. */
static uint32_t huge_pairs_run(uint64_t pairs, uint64_t size, uint64_t moved, uint32_t *capacity,
                               uint32_t room) {
    trace_bytes *t = calloc(1, sizeof *t);
    tl_trace_reader reader;
    tl_params params;
    tl_error err;
    tl_sample sample;
    size_t used;
    uint32_t n = 0;
    put_header(t, good_header(2 * pairs, 1));
    assert_int_equal(tl_trace_read_header(&reader, t->data, t->length, 0, &used, &err),
                     TL_TRACE_EVENT);
    tl_replay_init(&engine_replay, &reader, 0);
    engine_replay.expected_moved_bytes = moved;
    tl_params_defaults(tl_scenario_replay.params, &params);
    assert_int_equal(tl_params_assign(tl_scenario_replay.params, "replay", &params,
                                      "events_per_step=32768", &err),
                     TL_OK);
    *capacity = tl_engine_sample_capacity(&tl_scenario_replay, &params, &engine_replay);
    assert_int_equal(tl_engine_begin(&engine, &tl_scenario_replay, &params, &engine_replay, 1),
                     TL_OK);
    for (uint64_t left = pairs; n < room; n++) {
        feed_pairs(&engine_replay, size, &left);
        if (!tl_engine_step(&engine, &sample))
            break;
    }
    assert_int_equal(engine.outcome, TL_OK);
    assert_int_equal(sample.phase, TL_PHASE_FINAL);
    assert_true(engine_replay.stats.events == 2 * pairs);
    tl_engine_end(&engine);
    free(t);
    return n;
}

/* Every event of these moves 1 TiB, which alone would end a step each: 100,002 events make at
 * most TL_REPLAY_STEPS_MAX steps, and the sample storage sized up front is bounded by the events
 * and TL_REPLAY_STEPS_MAX, not by the bytes (1000 pairs once asked for 524288006 samples). */
static void test_replay_steps_bounded_whatever_the_sizes(void **state) {
    (void)state;
    const uint64_t tib = UINT64_C(1) << 40, pairs = TL_REPLAY_STEPS_MAX / 2 + 1;
    uint32_t capacity;
    uint32_t n = huge_pairs_run(pairs, tib, UINT64_MAX, &capacity, 2 * TL_REPLAY_STEPS_MAX);
    if (n - 3 > TL_REPLAY_STEPS_MAX || n > capacity)
        fail_msg("%u steps, capacity %u samples (allowed %d steps)", n - 3, capacity,
                 TL_REPLAY_STEPS_MAX);
    assert_int_equal(capacity, TL_REPLAY_STEPS_MAX + 3);
    /* Only the last steps, whose events need all the steps left, stopped ending on bytes. */
    assert_true(n - 3 >= TL_REPLAY_STEPS_MAX - 4);

    /* The CLI's check gives the bytes moved (2000 TiB here): one step per event at most. Its
     * totals saturate, so a trace of 2^24 such events cannot wrap them to a small number. */
    assert_true(tl_add_saturated(UINT64_MAX - 1, 2) == UINT64_MAX);
    assert_true(tl_add_saturated(2000 * tib, 2000 * tib) == 4000 * tib);
    n = huge_pairs_run(1000, tib, 2000 * tib, &capacity, 4000);
    assert_int_equal(capacity, 2000 + 1 + 3);
    assert_int_equal(n, 2000 + 3);
}

int run_trace_reader_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_header),
        cmocka_unit_test(test_header_needs_input_until_whole),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_wrong_magic_and_short_files),
        cmocka_unit_test(test_name_is_printable),
        cmocka_unit_test(test_recorder_version),
        cmocka_unit_test(test_every_piece_size),
        cmocka_unit_test(test_split_inside_every_event),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_truncated_and_count_errors),
        cmocka_unit_test(test_varint_too_long),
        cmocka_unit_test(test_unknown_op),
        cmocka_unit_test(test_absurd_values),
        cmocka_unit_test(test_addr_map_against_reference),
        cmocka_unit_test(test_addr_map_sized_once),
        cmocka_unit_test(test_live_block_errors),
        cmocka_unit_test(test_live_accounting),
        cmocka_unit_test(test_replay_steps),
        cmocka_unit_test(test_replay_step_bytes),
        cmocka_unit_test(test_replay_cut_short_tail),
        cmocka_unit_test(test_replay_bad_trace_mid_run),
        cmocka_unit_test(test_replay_input_is_its_own),
        cmocka_unit_test(test_replay_refuses_too_many_steps),
        cmocka_unit_test(test_replay_steps_bounded_whatever_the_sizes),
    };
    return cmocka_run_group_tests_name("trace reader and replay", tests, NULL, NULL);
}
