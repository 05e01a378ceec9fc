#include "trace_reader.h"

#include <stdio.h>
#include <string.h>

/* The fields each op carries, in the order they are encoded (src/shared/trace_format.h). */
enum field { F_OLD, F_RESULT, F_SIZE, F_ALIGNMENT, F_NONE };

static const enum field op_fields[][3] = {
    [TL_TRACE_MALLOC] = {F_RESULT, F_SIZE, F_NONE},
    [TL_TRACE_CALLOC] = {F_RESULT, F_SIZE, F_NONE},
    [TL_TRACE_REALLOC] = {F_OLD, F_RESULT, F_SIZE},
    [TL_TRACE_FREE] = {F_OLD, F_NONE, F_NONE},
    [TL_TRACE_MEMALIGN] = {F_RESULT, F_SIZE, F_ALIGNMENT},
    [TL_TRACE_MMAP] = {F_RESULT, F_SIZE, F_NONE},
    [TL_TRACE_MUNMAP] = {F_OLD, F_RESULT, F_SIZE},
};

static const char *const field_names[] = {"old pointer", "result", "size", "alignment"};

const char *tl_trace_op_name(int op) {
    static const char *const names[] = {"unknown", "malloc",   "calloc", "realloc",
                                        "free",    "memalign", "mmap",   "munmap"};
    return op >= TL_TRACE_MALLOC && op <= TL_TRACE_OP_LAST ? names[op] : names[0];
}

/* ---- the header ---- */

/* Little-endian whatever the host: the format says so, and a memcpy into the struct would not. */
static uint64_t load_le(const unsigned char *p, int bytes) {
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; i--)
        value = value << 8 | p[i];
    return value;
}

static void decode_header(const unsigned char *p, tl_trace_header *h) {
    memcpy(h->magic, p, sizeof h->magic);
    h->version = (uint32_t)load_le(p + 8, 4);
    h->pointer_bytes = (uint32_t)load_le(p + 12, 4);
    h->flags = (uint32_t)load_le(p + 16, 4);
    h->name_length = (uint32_t)load_le(p + 20, 4);
    h->event_count = load_le(p + 24, 8);
    h->max_live_blocks = load_le(p + 32, 8);
    h->recorder_pid = load_le(p + 40, 8);
    memcpy(h->recorder_version, p + 48, sizeof h->recorder_version);
}

static int bad(tl_error *err, const char *message) {
    tl_fail(err, TL_ERR_BAD_TRACE, "%s", message);
    return TL_TRACE_ERROR;
}

/* The magic first, so that any other file (even a short one) is named for what it is. */
static int check_magic(const unsigned char *data, size_t length, int at_end, tl_error *err) {
    size_t n = length < 8 ? length : 8;
    if (memcmp(data, TL_TRACE_MAGIC, n) != 0)
        return bad(err, "not a trimlab trace: it does not start with the magic \"TLTRACE\"");
    if (length == 0 && at_end)
        return bad(err, "empty file: not a trimlab trace");
    if (length < TL_TRACE_HEADER_BYTES && at_end) {
        tl_fail(err, TL_ERR_BAD_TRACE, "truncated header: the file has %zu bytes, a header has %d",
                length, TL_TRACE_HEADER_BYTES);
        return TL_TRACE_ERROR;
    }
    return length < TL_TRACE_HEADER_BYTES ? TL_TRACE_NEED_INPUT : TL_TRACE_EVENT;
}

/* Printable ASCII without spaces, then NULs to the end: what tl_version() gives, cut at 16 bytes.
 * All NUL is a trace from before the recorder wrote its version. */
static int recorder_version_valid(const char version[TL_TRACE_RECORDER_VERSION_BYTES]) {
    size_t i = 0;
    while (i < TL_TRACE_RECORDER_VERSION_BYTES && version[i] > ' ' && version[i] < 0x7f)
        i++;
    while (i < TL_TRACE_RECORDER_VERSION_BYTES && version[i] == '\0')
        i++;
    return i == TL_TRACE_RECORDER_VERSION_BYTES;
}

static int check_version_and_sizes(const tl_trace_header *h, tl_error *err) {
    if (h->version > TL_TRACE_VERSION)
        tl_fail(err, TL_ERR_BAD_TRACE,
                "this trace was written by a newer trimlab (version %u; this one reads %d)",
                h->version, TL_TRACE_VERSION);
    else if (h->version != TL_TRACE_VERSION)
        tl_fail(err, TL_ERR_BAD_TRACE, "trace version %u is not valid (this trimlab reads %d)",
                h->version, TL_TRACE_VERSION);
    else if (h->pointer_bytes != 4 && h->pointer_bytes != 8)
        tl_fail(err, TL_ERR_BAD_TRACE, "pointer size %u is not valid (allowed: 4, 8)",
                h->pointer_bytes);
    else if (h->flags & ~TL_TRACE_FLAGS_KNOWN)
        tl_fail(err, TL_ERR_BAD_TRACE, "unknown header flags 0x%x (this trimlab knows 0x%x)",
                h->flags & ~TL_TRACE_FLAGS_KNOWN, TL_TRACE_FLAGS_KNOWN);
    else if (h->name_length > TL_TRACE_NAME_MAX)
        tl_fail(err, TL_ERR_BAD_TRACE, "program name length %u is above the limit of %d",
                h->name_length, TL_TRACE_NAME_MAX);
    else if (!recorder_version_valid(h->recorder_version))
        tl_fail(err, TL_ERR_BAD_TRACE,
                "the header's recorder version is not printable ASCII followed by NUL bytes");
    /* Every live block took an allocation event, so no trace can claim more. */
    else if (h->max_live_blocks > h->event_count)
        tl_fail(err, TL_ERR_BAD_TRACE,
                "the header's max_live_blocks (%llu) is above its event count (%llu)",
                (unsigned long long)h->max_live_blocks, (unsigned long long)h->event_count);
    else
        return TL_TRACE_EVENT;
    return TL_TRACE_ERROR;
}

/* For display and JSON: one line of printable ASCII whatever the recorder stored. */
static void copy_name(char *out, const unsigned char *name, size_t length) {
    for (size_t i = 0; i < length; i++)
        out[i] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
    out[length] = '\0';
}

static void set_limits(tl_trace_reader *reader) {
    reader->pointer_max =
        reader->header.pointer_bytes == 4 ? UINT64_C(0xffffffff) : UINT64_C(0xffffffffffffffff);
    reader->size_max =
        reader->pointer_max < TL_TRACE_SIZE_LIMIT ? reader->pointer_max : TL_TRACE_SIZE_LIMIT;
}

int tl_trace_read_header(tl_trace_reader *reader, const unsigned char *data, size_t length,
                         int at_end, size_t *used, tl_error *err) {
    memset(reader, 0, sizeof *reader);
    *used = 0;
    int status = check_magic(data, length, at_end, err);
    if (status != TL_TRACE_EVENT)
        return status;
    decode_header(data, &reader->header);
    if (check_version_and_sizes(&reader->header, err) != TL_TRACE_EVENT)
        return TL_TRACE_ERROR;
    size_t total = TL_TRACE_HEADER_BYTES + reader->header.name_length;
    if (length < total && !at_end)
        return TL_TRACE_NEED_INPUT;
    if (length < total) {
        tl_fail(err, TL_ERR_BAD_TRACE,
                "truncated header: the program name has %u bytes, the file ends after %zu",
                reader->header.name_length, length - TL_TRACE_HEADER_BYTES);
        return TL_TRACE_ERROR;
    }
    copy_name(reader->name, data + TL_TRACE_HEADER_BYTES, reader->header.name_length);
    memcpy(reader->recorder_version, reader->header.recorder_version,
           TL_TRACE_RECORDER_VERSION_BYTES);
    reader->complete = (reader->header.flags & TL_TRACE_COMPLETE) != 0;
    set_limits(reader);
    reader->offset = total;
    *used = total;
    return TL_TRACE_EVENT;
}

/* ---- events ---- */

/* Unsigned LEB128: 1 with *value, 0 when the bytes end first, -1 when it needs more than 64 bits
 * (an 11th byte, or a 10th byte above 1). */
static int read_varint(const unsigned char *data, size_t length, size_t *pos, uint64_t *value) {
    uint64_t result = 0;
    for (int i = 0; i < 10; i++) {
        if (*pos >= length)
            return 0;
        unsigned char byte = data[(*pos)++];
        if (i == 9 && byte > 1)
            return -1;
        result |= (uint64_t)(byte & 0x7f) << (7 * i);
        if (!(byte & 0x80)) {
            *value = result;
            return 1;
        }
    }
    return -1;
}

static int event_error(const tl_trace_event *event, tl_error *err, const char *what) {
    tl_fail(err, TL_ERR_BAD_TRACE, "event %llu at byte %llu: %s", (unsigned long long)event->index,
            (unsigned long long)event->offset, what);
    return TL_TRACE_ERROR;
}

static void store_field(tl_trace_event *event, enum field field, uint64_t value) {
    if (field == F_OLD)
        event->old = value;
    else if (field == F_RESULT)
        event->result = value;
    else if (field == F_SIZE)
        event->size = value;
    else
        event->alignment = value;
}

/* The op byte and its varints: TL_TRACE_EVENT, TL_TRACE_NEED_INPUT or TL_TRACE_ERROR. */
static int decode_fields(const unsigned char *data, size_t length, size_t *used,
                         tl_trace_event *event, tl_error *err) {
    char what[96];
    event->op = data[0];
    if (event->op < TL_TRACE_MALLOC || event->op > TL_TRACE_OP_LAST) {
        snprintf(what, sizeof what,
                 "unknown op %d (known: 1 malloc, 2 calloc, 3 realloc, 4 free, 5 memalign, 6 mmap, "
                 "7 munmap)",
                 event->op);
        return event_error(event, err, what);
    }
    size_t pos = 1;
    for (int i = 0; i < 3 && op_fields[event->op][i] != F_NONE; i++) {
        enum field field = op_fields[event->op][i];
        uint64_t value = 0;
        int status = read_varint(data, length, &pos, &value);
        if (status == 0)
            return TL_TRACE_NEED_INPUT;
        if (status < 0) {
            snprintf(what, sizeof what, "the %s varint of this %s is longer than 64 bits",
                     field_names[field], tl_trace_op_name(event->op));
            return event_error(event, err, what);
        }
        store_field(event, field, value);
    }
    *used = pos;
    return TL_TRACE_EVENT;
}

/* Values that no real program can have produced: pointers wider than the recorded pointer size,
 * sizes and alignments of a successful allocation beyond any machine's memory. A failed call
 * (result 0) may have asked for anything. */
static int check_values(const tl_trace_reader *reader, const tl_trace_event *event, tl_error *err) {
    char what[160];
    uint64_t pointer = event->old > event->result ? event->old : event->result;
    const char *limit =
        reader->size_max == TL_TRACE_SIZE_LIMIT ? "1 TiB" : "4-byte pointers' 4 GiB";
    if (pointer > reader->pointer_max) {
        snprintf(what, sizeof what, "pointer 0x%llx does not fit the trace's %u-byte pointers",
                 (unsigned long long)pointer, reader->header.pointer_bytes);
        return event_error(event, err, what);
    }
    if (event->result == 0)
        return TL_TRACE_EVENT;
    if (event->size > reader->size_max) {
        snprintf(what, sizeof what, "%s of %llu bytes succeeded: an absurd size (above %s)",
                 tl_trace_op_name(event->op), (unsigned long long)event->size, limit);
        return event_error(event, err, what);
    }
    if (event->alignment > reader->size_max) {
        snprintf(what, sizeof what, "memalign with alignment %llu: absurd (above %s)",
                 (unsigned long long)event->alignment, limit);
        return event_error(event, err, what);
    }
    return TL_TRACE_EVENT;
}

/* No bytes left: the end, unless the header promised more events. The recorder rewrites the
 * header after every flush, so even a trace cut short holds all of its header's events. */
static int at_end_of_events(const tl_trace_reader *reader, tl_error *err) {
    if (reader->events < reader->header.event_count) {
        tl_fail(err, TL_ERR_BAD_TRACE, "the trace ends after %llu events; its header says %llu",
                (unsigned long long)reader->events, (unsigned long long)reader->header.event_count);
        return TL_TRACE_ERROR;
    }
    return TL_TRACE_END;
}

static int truncated(const tl_trace_event *event, size_t length, tl_error *err) {
    char what[96];
    snprintf(what, sizeof what, "truncated: the trace ends %zu bytes into this %s", length,
             tl_trace_op_name(event->op));
    return event_error(event, err, what);
}

/* After the header's events: nothing may follow in a complete trace. In a trace cut short the
 * bytes of a flush whose header rewrite never happened may follow (docs/trace-format.md): they
 * are skipped, to the end of the input, and counted. */
static int after_last_event(tl_trace_reader *reader, size_t length, int at_end, size_t *used,
                            tl_error *err) {
    if (reader->complete && length > 0) {
        tl_fail(err, TL_ERR_BAD_TRACE,
                "the trace holds more events than its header says (%llu): more bytes follow at "
                "byte %llu",
                (unsigned long long)reader->header.event_count, (unsigned long long)reader->offset);
        return TL_TRACE_ERROR;
    }
    *used = length;
    reader->dropped_bytes += length;
    reader->offset += length;
    return at_end ? TL_TRACE_END : TL_TRACE_NEED_INPUT;
}

int tl_trace_next(tl_trace_reader *reader, const unsigned char *data, size_t length, int at_end,
                  size_t *used, tl_trace_event *event, tl_error *err) {
    *used = 0;
    memset(event, 0, sizeof *event);
    event->index = reader->events + 1;
    event->offset = reader->offset;
    if (reader->events == reader->header.event_count)
        return after_last_event(reader, length, at_end, used, err);
    if (length == 0)
        return at_end ? at_end_of_events(reader, err) : TL_TRACE_NEED_INPUT;
    int status = decode_fields(data, length, used, event, err);
    if (status == TL_TRACE_NEED_INPUT)
        return at_end ? truncated(event, length, err) : TL_TRACE_NEED_INPUT;
    if (status == TL_TRACE_EVENT)
        status = check_values(reader, event, err);
    if (status != TL_TRACE_EVENT) {
        *used = 0;
        return status;
    }
    reader->events++;
    reader->offset += *used;
    return TL_TRACE_EVENT;
}

/* ---- the caller's input buffer ---- */

size_t tl_trace_input_room(tl_trace_input *input) {
    if (input->at_end)
        return 0;
    if (input->start > 0) {
        memmove(input->data, input->data + input->start, input->end - input->start);
        input->end -= input->start;
        input->start = 0;
    }
    return input->capacity - input->end;
}

unsigned char *tl_trace_input_tail(tl_trace_input *input) {
    return input->data + input->end;
}

void tl_trace_input_added(tl_trace_input *input, size_t count) {
    if (count == 0)
        input->at_end = 1;
    else
        input->end += count;
}

int tl_trace_input_next(tl_trace_input *input, tl_trace_reader *reader, tl_trace_event *event,
                        tl_error *err) {
    size_t used = 0;
    int status = tl_trace_next(reader, input->data + input->start, input->end - input->start,
                               input->at_end, &used, event, err);
    input->start += used;
    return status;
}
