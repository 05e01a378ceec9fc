/* Reads allocation traces (src/shared/trace_format.h): validates the header and decodes events one
 * at a time from a byte buffer the caller refills, so a trace never has to be in memory as a whole
 * (the native replay reads its file in fixed chunks; the WebAssembly replay is fed chunks from
 * JS). One implementation for trace-info, the native and the WebAssembly replay.
 *
 * Everything that can be checked without knowing which blocks are live is checked here: magic,
 * version, pointer size, name length, flags, the recorder's version, truncation, varints, ops,
 * event counts, absurd sizes and pointers. Which addresses are live is the replay's business
 * (scenario_replay.c). */
#ifndef TL_TRACE_READER_H
#define TL_TRACE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "shared/trace_format.h"
#include "tl_error.h"

#define TL_TRACE_HEADER_BYTES 64
/* The most bytes the header and program name take: what a caller hands tl_trace_read_header. */
#define TL_TRACE_HEADER_MAX (TL_TRACE_HEADER_BYTES + TL_TRACE_NAME_MAX)
/* A requested size or alignment above 1 TiB is taken for corruption, not for a real request. */
#define TL_TRACE_SIZE_LIMIT (UINT64_C(1) << 40)

typedef struct tl_trace_event {
    int op;             /* enum tl_trace_op */
    uint64_t old;       /* REALLOC, FREE, MUNMAP: the recorded pointer passed in (0: none) */
    uint64_t result;    /* MALLOC, CALLOC, REALLOC, MEMALIGN, MMAP, MUNMAP: the pointer returned
                           (0: NULL; MUNMAP: the mapping is gone) */
    uint64_t size;      /* requested bytes (CALLOC: nmemb * size) */
    uint64_t alignment; /* MEMALIGN only */
    uint64_t index;     /* 1-based position in the trace, for messages */
    uint64_t offset;    /* byte offset of the event's op byte in the trace, for messages */
} tl_trace_event;

typedef struct tl_trace_reader {
    tl_trace_header header;
    /* The program name for display and JSON: bytes outside printable ASCII become '?'. */
    char name[TL_TRACE_NAME_MAX + 1];
    /* The recorder's version from the header, "" in a trace from before it was recorded. */
    char recorder_version[TL_TRACE_RECORDER_VERSION_BYTES + 1];
    int complete;         /* the TL_TRACE_COMPLETE flag: the recorder flushed at a normal exit */
    uint64_t pointer_max; /* the largest address a pointer of header.pointer_bytes holds */
    uint64_t size_max;    /* the largest plausible size: TL_TRACE_SIZE_LIMIT or pointer_max */
    uint64_t events;      /* events decoded so far */
    uint64_t offset;      /* bytes consumed so far, header included */
    /* A trace cut short holds its header's events whole; the bytes of an unfinished flush may
     * follow them (docs/trace-format.md). They are skipped and counted here. */
    uint64_t dropped_bytes;
} tl_trace_reader;

enum tl_trace_result {
    TL_TRACE_ERROR = -1,     /* err holds TL_ERR_BAD_TRACE and one line saying what is wrong */
    TL_TRACE_END = 0,        /* the header's events were read; nothing (else) follows */
    TL_TRACE_EVENT = 1,      /* *event was decoded */
    TL_TRACE_NEED_INPUT = 2, /* the bytes end inside the header or an event: append more */
};

/* Validates the header and program name at the start of data[0..length). `at_end`: no bytes
 * follow these. Returns TL_TRACE_EVENT (header read, *used bytes consumed), TL_TRACE_NEED_INPUT
 * or TL_TRACE_ERROR. */
int tl_trace_read_header(tl_trace_reader *reader, const unsigned char *data, size_t length,
                         int at_end, size_t *used, tl_error *err);

/* Decodes the next event from data[0..length), the bytes that follow what was consumed so far.
 * On TL_TRACE_EVENT *used bytes were consumed; on TL_TRACE_NEED_INPUT nothing was (the caller
 * keeps the partial event and appends to it). */
int tl_trace_next(tl_trace_reader *reader, const unsigned char *data, size_t length, int at_end,
                  size_t *used, tl_trace_event *event, tl_error *err);

/* "malloc", "calloc", "realloc", "free", "memalign", "mmap", "munmap", or "unknown". */
const char *tl_trace_op_name(int op);

/* A caller-owned buffer of trace bytes not decoded yet: the owner appends at the tail (after
 * tl_trace_input_room moved the unread bytes to the front) and decodes from the front. */
typedef struct tl_trace_input {
    unsigned char *data;
    size_t capacity;
    size_t start, end; /* unread bytes: data[start..end) */
    int at_end;        /* the owner said no more bytes will come */
} tl_trace_input;

/* Room at the tail after moving the unread bytes to the front (0 once at_end). */
size_t tl_trace_input_room(tl_trace_input *input);
unsigned char *tl_trace_input_tail(tl_trace_input *input);
/* `count` bytes were written at the tail; 0 says the input has ended. */
void tl_trace_input_added(tl_trace_input *input, size_t count);
/* tl_trace_next over the unread bytes, consuming what it decoded. */
int tl_trace_input_next(tl_trace_input *input, tl_trace_reader *reader, tl_trace_event *event,
                        tl_error *err);

#endif
