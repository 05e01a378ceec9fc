#include "replay_cli.h"

#include <inttypes.h>
#include <string.h>

#include "results_json.h"
#include "shared/message.h"

#define MAX_SETS 8

#define STRINGIFY(x) #x
#define STR(x) STRINGIFY(x)
/* events_per_step's bounds as the parameter has them (scenario_replay.c). */
#define EVENTS_MAX STR(TL_REPLAY_EVENTS_PER_STEP_MAX)
#define EVENTS_DEFAULT STR(TL_REPLAY_EVENTS_PER_STEP_DEFAULT)

const char tl_replay_usage[] =
    "Usage: " TL_SYNOPSIS_REPLAY "\n"
    "  Replays the allocation calls of TRACE (written by record): the whole trace is\n"
    "  checked first, then it replays in a fresh child process for each trim\n"
    "  setting, printed and written as JSON as a scenario's runs are.\n"
    "\n"
    "  --no-trim            skip malloc_trim(0) (also DISABLE_MALLOC_TRIM)\n"
    "  --trim on|off|both   call malloc_trim(0), skip it, or replay both ways\n"
    "  --set events_per_step=N\n"
    "                       allocation events replayed per step, 1 to " EVENTS_MAX "\n"
    "                       (default " EVENTS_DEFAULT ")\n"
    "  --json FILE          also write the results as JSON to FILE, replaced only\n"
    "                       when complete\n"
    "  --quiet              print no tables\n"
    "  -h, --help           print this help and exit\n"
    "  exit status          0 every replay completed; 1 a replay failed (its child\n"
    "                       died) or an output file could not be written completely;\n"
    "                       2 bad input or a bad trace (one line on stderr, nothing\n"
    "                       run); 3 a replay ended out of memory; 128+N stopped by\n"
    "                       signal N (SIGINT, SIGTERM, SIGHUP), existing output files\n"
    "                       untouched\n";
const char *const tl_replay_help = tl_replay_usage + sizeof("Usage: " TL_SYNOPSIS_REPLAY "\n") - 1;

/* ---- the command line ---- */

typedef struct replay_args {
    const char *trace;
    tl_cli_trim trim;
    unsigned set_count;
    const char *sets[MAX_SETS];
} replay_args;

static int parse_valued(const char *flag, const char *value, replay_args *args,
                        tl_cli_options *options, tl_error *err) {
    if (strcmp(flag, "--trim") == 0)
        return tl_cli_trim_option(&args->trim, value, err);
    if (strcmp(flag, "--json") == 0)
        return tl_cli_single(flag, &options->json_path, value, err);
    if (args->set_count == MAX_SETS)
        return tl_fail(err, TL_ERR_BAD_VALUE, "too many --set options (allowed 0..%d)", MAX_SETS);
    args->sets[args->set_count++] = value;
    return TL_OK;
}

static int parse_arg(int argc, char **argv, int *i, replay_args *args, tl_cli_options *options,
                     tl_error *err) {
    const char *arg = argv[*i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        options->action = TL_CLI_HELP;
    } else if (strcmp(arg, "--quiet") == 0) {
        options->quiet = 1;
    } else if (strcmp(arg, "--no-trim") == 0) {
        return tl_cli_trim_option(&args->trim, NULL, err);
    } else if (strcmp(arg, "--trim") == 0 || strcmp(arg, "--json") == 0 ||
               strcmp(arg, "--set") == 0) {
        if (*i + 1 >= argc)
            return tl_fail(err, TL_ERR_BAD_VALUE, "%s needs a value", arg);
        return parse_valued(arg, argv[++*i], args, options, err);
    } else if (arg[0] == '-' && arg[1] != '\0') {
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "unknown option '%s' for replay (allowed: --no-trim, --trim, --set, "
                       "--json, --quiet, --help)",
                       tl_q(arg));
    } else if (args->trace != NULL) {
        return tl_fail(err, TL_ERR_BAD_VALUE, "replay takes one trace ('%s' and '%s' given)",
                       tl_q(args->trace), tl_q(arg));
    } else {
        args->trace = arg;
    }
    return TL_OK;
}

int tl_replay_cli_parse(int argc, char **argv, tl_cli_options *options, const char **trace,
                        tl_error *err) {
    replay_args args;
    tl_params params;
    memset(&args, 0, sizeof args);
    memset(options, 0, sizeof *options);
    tl_error_clear(err);
    options->action = TL_CLI_RUN;
    *trace = NULL;
    for (int i = 1; i < argc; i++)
        if (parse_arg(argc, argv, &i, &args, options, err) != TL_OK)
            return err->code;
    if (options->action == TL_CLI_HELP)
        return TL_OK;
    if (args.trace == NULL)
        return tl_fail(err, TL_ERR_BAD_VALUE, "replay needs a trace: trimlab replay TRACE");
    if (tl_cli_trim_finish(&args.trim, err) != TL_OK)
        return err->code;
    const tl_param_set set = tl_scenario_replay.params;
    tl_params_defaults(set, &params);
    for (unsigned i = 0; i < args.set_count; i++)
        if (tl_params_assign(set, "replay", &params, args.sets[i], err) != TL_OK)
            return err->code;
    tl_cli_add_runs(options, &tl_scenario_replay, &params, &args.trim);
    *trace = args.trace;
    return TL_OK;
}

/* ---- JSON ---- */

tl_trace_figures tl_replay_figures(const tl_replay *replay) {
    tl_trace_figures figures = {replay->reader.name,           replay->reader.header.event_count,
                                replay->stats.events,          replay->reader.complete,
                                replay->stats.peak_live_bytes, replay->overhead_bytes};
    return figures;
}

static void write_by_op(FILE *out, const char *name, const uint64_t *counts) {
    fprintf(out, ", \"%s\": {", name);
    for (int op = TL_TRACE_MALLOC; op <= TL_TRACE_OP_LAST; op++)
        fprintf(out, "%s\"%s\": %" PRIu64, op > TL_TRACE_MALLOC ? ", " : "", tl_trace_op_name(op),
                counts[op]);
    fputc('}', out);
}

void tl_replay_write_info(FILE *out, const tl_replay *replay) {
    const tl_trace_header *h = &replay->reader.header;
    const tl_trace_stats *s = &replay->stats;
    fputs("{\"program\": ", out);
    tl_json_write_string(out, replay->reader.name);
    fputs(", \"recorder_version\": ", out);
    if (replay->reader.recorder_version[0])
        tl_json_write_string(out, replay->reader.recorder_version);
    else
        fputs("null", out);
    fprintf(out,
            ", \"version\": %u, \"pointer_bytes\": %u, \"complete\": %s, \"recorder_pid\": %" PRIu64
            ", \"header_event_count\": %" PRIu64 ", \"header_max_live_blocks\": %" PRIu64
            ", \"events\": %" PRIu64,
            h->version, h->pointer_bytes, replay->reader.complete ? "true" : "false",
            h->recorder_pid, h->event_count, h->max_live_blocks, s->events);
    write_by_op(out, "calls", s->calls);
    write_by_op(out, "failed", s->failed);
    fprintf(out,
            ", \"zero_sized\": %" PRIu64 ", \"peak_requested_bytes\": %" PRIu64
            ", \"peak_event\": %" PRIu64 ", \"largest_allocation_bytes\": %" PRIu64
            ", \"largest_event\": %" PRIu64 ", \"max_live_blocks\": %" PRIu64
            ", \"live_blocks_at_end\": %" PRIu64 ", \"live_bytes_at_end\": %" PRIu64
            ", \"allocated_bytes\": %" PRIu64 ", \"freed_bytes\": %" PRIu64
            ", \"dropped_bytes\": %" PRIu64 ", \"address_map_bytes\": %" PRIu64
            ", \"input_buffer_bytes\": %" PRIu64 "}",
            s->zero_sized, s->peak_live_bytes, s->peak_event, s->largest_size, s->largest_event,
            s->max_live_blocks, s->live_blocks, s->live_bytes, s->allocated_bytes, s->freed_bytes,
            replay->reader.dropped_bytes, tl_replay_map_bytes(s->max_live_blocks),
            TL_REPLAY_INPUT_BYTES);
}
