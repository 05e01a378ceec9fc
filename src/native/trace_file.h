/* A trace file read natively in fixed chunks (the replay's input buffer), never whole: the header
 * first, then as much as the replay asks for before each step. Used by trace-info and replay. */
#ifndef TL_TRACE_FILE_H
#define TL_TRACE_FILE_H

#include "scenarios/scenario_replay.h"

typedef struct tl_trace_file {
    int fd;
    tl_trace_reader reader; /* after the header */
    /* The first bytes: the header, then possibly the first events. */
    unsigned char first[TL_TRACE_HEADER_MAX];
    size_t first_length, header_length;
} tl_trace_file;

/* Opens the trace and validates its header. Errors: TL_ERR_BAD_VALUE (cannot open or read),
 * TL_ERR_BAD_TRACE. The file is closed on error. */
int tl_trace_file_open(tl_trace_file *file, const char *path, tl_error *err);
void tl_trace_file_close(tl_trace_file *file);

/* After tl_replay_open: hands the replay the event bytes read with the header. */
void tl_trace_file_start(tl_trace_file *file, tl_replay *replay);
/* Reads what tl_replay_wants_input asks for. */
int tl_trace_file_feed(tl_trace_file *file, tl_replay *replay, tl_error *err);

/* Reads the whole trace through a replay that allocates nothing: validates every event and
 * counts (replay->stats). The caller closes the replay. */
int tl_trace_file_check(tl_trace_file *file, tl_replay *replay, tl_error *err);

/* "trimlab: PATH: message" on stderr; the exit code for err: 2 (bad input or trace) or 3. */
int tl_trace_file_report(const char *path, const tl_error *err);

#endif
