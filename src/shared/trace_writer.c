#include "trace_writer.h"

#include <string.h>

static void put_u32(unsigned char *out, uint32_t value) {
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static void put_u64(unsigned char *out, uint64_t value) {
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static uint32_t get_u32(const unsigned char *in) {
    uint32_t value = 0;
    for (int i = 3; i >= 0; i--)
        value = (value << 8) | in[i];
    return value;
}

static uint64_t get_u64(const unsigned char *in) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = (value << 8) | in[i];
    return value;
}

void tl_trace_header_init(tl_trace_header *header, uint32_t name_length, uint64_t pid) {
    memset(header, 0, sizeof *header);
    memcpy(header->magic, TL_TRACE_MAGIC, sizeof header->magic);
    header->version = TL_TRACE_VERSION;
    header->pointer_bytes = (uint32_t)sizeof(void *);
    header->name_length = name_length > TL_TRACE_NAME_MAX ? TL_TRACE_NAME_MAX : name_length;
    header->recorder_pid = pid;
}

void tl_trace_header_set_recorder_version(tl_trace_header *header, const char *version) {
    size_t length = strnlen(version, sizeof header->recorder_version);
    memset(header->recorder_version, 0, sizeof header->recorder_version);
    memcpy(header->recorder_version, version, length);
}

void tl_trace_header_pack(const tl_trace_header *header, unsigned char out[TL_TRACE_HEADER_BYTES]) {
    memcpy(out, header->magic, 8);
    put_u32(out + 8, header->version);
    put_u32(out + 12, header->pointer_bytes);
    put_u32(out + 16, header->flags);
    put_u32(out + 20, header->name_length);
    put_u64(out + 24, header->event_count);
    put_u64(out + 32, header->max_live_blocks);
    put_u64(out + 40, header->recorder_pid);
    memcpy(out + 48, header->recorder_version, sizeof header->recorder_version);
}

int tl_trace_header_unpack(const unsigned char in[TL_TRACE_HEADER_BYTES], tl_trace_header *header) {
    if (memcmp(in, TL_TRACE_MAGIC, 8) != 0 || get_u32(in + 8) != TL_TRACE_VERSION)
        return 0;
    memcpy(header->magic, in, 8);
    header->version = get_u32(in + 8);
    header->pointer_bytes = get_u32(in + 12);
    header->flags = get_u32(in + 16);
    header->name_length = get_u32(in + 20);
    header->event_count = get_u64(in + 24);
    header->max_live_blocks = get_u64(in + 32);
    header->recorder_pid = get_u64(in + 40);
    memcpy(header->recorder_version, in + 48, sizeof header->recorder_version);
    return 1;
}
