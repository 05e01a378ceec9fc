/* Encoding of the allocation trace (src/shared/trace_format.h, docs/trace-format.md): the
 * recorder's event encoder and the header's byte layout, shared by the preload library,
 * `trimlab record` and the tests. The event encoders are inline because the recorder calls them
 * on every allocation while it holds its lock. */
#ifndef TL_TRACE_WRITER_H
#define TL_TRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "trace_format.h"

/* The encoded header: the 64 fixed bytes, little-endian, whatever the host's byte order. */
#define TL_TRACE_HEADER_BYTES 64

/* Writes value as unsigned LEB128 (7 bits a byte, low group first, high bit = more follow);
 * returns the bytes written, 1 to 10. */
static inline size_t tl_trace_put_varint(unsigned char *out, uint64_t value) {
    size_t n = 0;
    while (value >= 0x80) {
        out[n++] = (unsigned char)(value | 0x80);
        value >>= 7;
    }
    out[n++] = (unsigned char)value;
    return n;
}

/* One event: the op byte, then its fields (MALLOC, CALLOC: result size; REALLOC: old result
 * size; MEMALIGN: result size alignment; FREE: old). Each returns the bytes written, at most
 * TL_TRACE_EVENT_MAX. */
static inline size_t tl_trace_put_event2(unsigned char *out, unsigned op, uint64_t a, uint64_t b) {
    out[0] = (unsigned char)op;
    size_t n = 1 + tl_trace_put_varint(out + 1, a);
    return n + tl_trace_put_varint(out + n, b);
}

static inline size_t tl_trace_put_event3(unsigned char *out, unsigned op, uint64_t a, uint64_t b,
                                         uint64_t c) {
    size_t n = tl_trace_put_event2(out, op, a, b);
    return n + tl_trace_put_varint(out + n, c);
}

static inline size_t tl_trace_put_free(unsigned char *out, uint64_t old) {
    out[0] = TL_TRACE_FREE;
    return 1 + tl_trace_put_varint(out + 1, old);
}

/* A header for a trace being started: magic, version, this host's pointer size, no flags, no
 * events yet; name_length is clamped to TL_TRACE_NAME_MAX. */
void tl_trace_header_init(tl_trace_header *header, uint32_t name_length, uint64_t pid);

/* Puts `version` in the header's recorder_version: its first 16 bytes, NUL-padded. */
void tl_trace_header_set_recorder_version(tl_trace_header *header, const char *version);

/* The header's 64 bytes, field by field in little-endian order. */
void tl_trace_header_pack(const tl_trace_header *header, unsigned char out[TL_TRACE_HEADER_BYTES]);

/* Reads 64 bytes into a header; returns 0 when the magic or the version is not this format's
 * (the other fields are then not filled in), 1 otherwise. */
int tl_trace_header_unpack(const unsigned char in[TL_TRACE_HEADER_BYTES], tl_trace_header *header);

#endif
