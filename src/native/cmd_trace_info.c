/* `trimlab trace-info TRACE [--json]`: what a trace holds, read once through a replay that
 * allocates nothing. A bad trace exits 2 with one line naming the event and byte. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/replay_cli.h"
#include "commands.h"
#include "shared/message.h"
#include "trace_file.h"

const char tl_trace_info_usage[] =
    "Usage: " TL_SYNOPSIS_TRACE_INFO "\n"
    "  Prints what TRACE holds: the recorder's version and the program, the events\n"
    "  per call, the peak bytes in use, what a replay of it needs.\n"
    "\n"
    "  --json               print it as JSON\n"
    "  -h, --help           print this help and exit\n"
    "  exit status          0 printed; 2 bad input, or a trace that cannot be read or\n"
    "                       is not valid (one line on stderr); 3 out of memory\n";
const char *const tl_trace_info_help =
    tl_trace_info_usage + sizeof("Usage: " TL_SYNOPSIS_TRACE_INFO "\n") - 1;

static double mib(uint64_t bytes) {
    return (double)bytes / 1048576.0;
}

static void print_recorded(FILE *out, const tl_replay *replay) {
    const tl_trace_reader *r = &replay->reader;
    if (r->complete) {
        fprintf(out, "recorded         complete (the recorder flushed at a normal exit)\n");
        return;
    }
    fprintf(out,
            "recorded         cut short (no COMPLETE flag): the %" PRIu64
            " events of its last complete flush",
            r->header.event_count);
    if (r->dropped_bytes)
        fprintf(out, "; %" PRIu64 " bytes after them ignored (a flush the recorder did not finish)",
                r->dropped_bytes);
    fputc('\n', out);
}

static void print_calls(FILE *out, const tl_trace_stats *s) {
    fprintf(out, "events           %" PRIu64 "\n", s->events);
    for (int op = TL_TRACE_MALLOC; op <= TL_TRACE_OP_LAST; op++) {
        fprintf(out, "  %-14s %" PRIu64, tl_trace_op_name(op), s->calls[op]);
        if (s->failed[op])
            fprintf(out, " (%" PRIu64 " returned NULL, not replayed)", s->failed[op]);
        fputc('\n', out);
    }
}

static void print_figures(FILE *out, const tl_replay *replay) {
    const tl_trace_stats *s = &replay->stats;
    fprintf(out,
            "peak in use      %" PRIu64 " bytes (%.2f MiB) requested and live, after event %" PRIu64
            "\n",
            s->peak_live_bytes, mib(s->peak_live_bytes), s->peak_event);
    fprintf(out, "largest          %" PRIu64 " bytes (%.2f MiB), event %" PRIu64 "\n",
            s->largest_size, mib(s->largest_size), s->largest_event);
    fprintf(out, "max live blocks  %" PRIu64, s->max_live_blocks);
    if (s->max_live_blocks != replay->reader.header.max_live_blocks)
        fprintf(out, " (the header says %" PRIu64 ")", replay->reader.header.max_live_blocks);
    fprintf(out, "\nlive at the end  %" PRIu64 " blocks, %" PRIu64 " bytes\n", s->live_blocks,
            s->live_bytes);
    if (s->zero_sized)
        fprintf(out, "zero-sized       %" PRIu64 " allocations of 0 bytes\n", s->zero_sized);
    fprintf(out,
            "replay overhead  %.2f MiB: address maps %" PRIu64 " bytes for %" PRIu64
            " blocks and %d mappings, input buffer %" PRIu64 " bytes\n",
            mib(tl_replay_map_bytes(s->max_live_blocks) + TL_REPLAY_INPUT_BYTES),
            tl_replay_map_bytes(s->max_live_blocks), s->max_live_blocks, TL_REPLAY_MAPPING_BLOCKS,
            TL_REPLAY_INPUT_BYTES);
}

static void print_info(FILE *out, const char *path, const tl_replay *replay) {
    const tl_trace_header *h = &replay->reader.header;
    fprintf(out, "trace            %s\n", tl_q(path));
    fprintf(out, "program          %s\n", replay->reader.name);
    fprintf(out, "format           version %u, %u-byte pointers, recorder pid %" PRIu64 "\n",
            h->version, h->pointer_bytes, h->recorder_pid);
    const char *recorder = replay->reader.recorder_version;
    fprintf(out, "recorder         %s%s\n", recorder[0] ? "trimlab " : "",
            recorder[0] ? recorder : "unknown (a trace from before recorders wrote their version)");
    print_recorded(out, replay);
    print_calls(out, &replay->stats);
    print_figures(out, replay);
}

/* TRACE [--json]; returns the trace's path, or NULL after printing why not. */
static const char *parse(int argc, char **argv, int *json) {
    const char *path = NULL;
    *json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (argv[i][0] == '-') {
            tl_say("unknown option '%s' for trace-info (allowed: --json, --help)", tl_q(argv[i]));
            return NULL;
        } else if (path != NULL) {
            tl_say("trace-info takes one trace ('%s' and '%s' given)", tl_q(path), tl_q(argv[i]));
            return NULL;
        } else {
            path = argv[i];
        }
    }
    if (path == NULL)
        tl_say("trace-info needs a trace: " TL_SYNOPSIS_TRACE_INFO);
    return path;
}

int tl_cmd_trace_info(int argc, char **argv) {
    static tl_replay replay;
    tl_trace_file file;
    tl_error err;
    int json;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(tl_trace_info_usage, stdout);
        return 0;
    }
    const char *path = parse(argc, argv, &json);
    if (path == NULL)
        return EXIT_BAD_INPUT;
    if (tl_trace_file_open(&file, path, &err) != TL_OK)
        return tl_trace_file_report(path, &err);
    int status = tl_trace_file_check(&file, &replay, &err);
    tl_replay_close(&replay);
    tl_trace_file_close(&file);
    if (status != TL_OK)
        return tl_trace_file_report(path, &err);
    if (json) {
        tl_replay_write_info(stdout, &replay);
        fputc('\n', stdout);
    } else {
        print_info(stdout, path, &replay);
    }
    return 0;
}
