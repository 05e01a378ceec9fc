#include "wasm_api.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_options.h"
#include "cli/replay_cli.h"
#include "cli/report_table.h"
#include "cli/results_json.h"
#include "engine/engine.h"
#include "engine/memory_map.h"
#include "scenarios/scenarios.h"
#include "shared/message.h"
#include "shared/version.h"
#include "wasm_shared.h"

/* Room for a map's JSON: its text of up to two characters a page (wasm_map.c), and its fields. */
#define TEXT_MAX 20480
#define PARAMS_TEXT_MAX 1024

/* One run at a time per module instance, like the native CLI's child process. */
static tl_engine engine;
static tl_sample sample;
static int sample_valid;
static tl_error last_error;
/* The moments of the memory map (memory_map.h) the current sample completes. */
static tl_map_moments map_moments;
static unsigned sample_moments;

/* The native CLI's argv as given through tl_wasm_cli_arg; argv[0] is the program name. It grows
 * as needed: the native CLI takes any number of arguments, so this must too. */
static char **cli_argv;
static int cli_argc;
static int cli_capacity; /* entries cli_argv has room for, the terminating NULL included */
static tl_cli_options cli_options;
static const char *cli_trace; /* the trace of a parsed replay command line, else NULL */

/* The trace being replayed or checked; one at a time, like runs. */
static tl_replay replay;
static int checking;
static void end_check(void);

/* ---- returned text: written through a memory stream, copied into one static buffer ---- */

static char text[TEXT_MAX];
static char *stream_buffer;
static size_t stream_size;

FILE *tl_api_text_open(void) {
    FILE *out = open_memstream(&stream_buffer, &stream_size);
    if (out == NULL)
        tl_fail(&last_error, TL_ERR_OOM, "no memory for a text stream");
    return out;
}

/* The text, or "" with an error when it did not fit (never a truncated JSON document). The
 * stream's heap buffer is freed at once so no text outlives the call in the allocator. */
const char *tl_api_text_close(FILE *out) {
    text[0] = '\0';
    if (out == NULL)
        return text;
    fclose(out);
    if (stream_size < sizeof text)
        memcpy(text, stream_buffer, stream_size + 1);
    else
        tl_fail(&last_error, TL_ERR_OOM, "internal: text longer than %d bytes", TEXT_MAX - 1);
    free(stream_buffer);
    stream_buffer = NULL;
    return text;
}

/* ---- errors and platform ---- */

tl_error *tl_api_error(void) {
    return &last_error;
}

int tl_wasm_error_code(void) {
    return last_error.code;
}

const char *tl_wasm_error_name(void) {
    return tl_status_name(last_error.code);
}

const char *tl_wasm_error_message(void) {
    return last_error.message;
}

const char *tl_wasm_platform(void) {
    return tl_platform_name();
}

const char *tl_wasm_version(void) {
    return tl_version();
}

const char *tl_wasm_allocator(void) {
    return tl_allocator_name();
}

double tl_wasm_page_bytes(void) {
    return (double)tl_page_bytes();
}

double tl_wasm_memory_bytes(void) {
    return (double)tl_probe_footprint(NULL);
}

double tl_wasm_probe_repeat(int count, int full) {
    uint64_t total = 0;
    for (int i = 0; i < count; i++) {
        if (full) {
            tl_memory memory;
            tl_probe_memory(&memory);
            total += memory.footprint_bytes;
        } else {
            total += tl_probe_footprint(NULL);
        }
    }
    return (double)total;
}

double tl_wasm_heap_walks(void) {
    return (double)tl_heap_walks();
}

/* ---- the scenario registry as JSON ---- */

/* `"key": "text"`, after `before` ("{" for the first field of an object, ", " for the others). */
static void write_text_field(FILE *out, const char *before, const char *key, const char *text) {
    fprintf(out, "%s\"%s\": ", before, key);
    tl_json_write_string(out, text);
}

static void write_param_def(FILE *out, const tl_param_def *def) {
    write_text_field(out, "{", "name", def->name);
    write_text_field(out, ", ", "unit", def->unit);
    write_text_field(out, ", ", "description", def->description);
    if (def->kind == TL_PARAM_MODEL) {
        fputs(", \"kind\": \"model\"", out);
        write_text_field(out, ", ", "default", def->default_text);
        write_text_field(out, ", ", "allowed", TL_MODEL_ALLOWED);
        fprintf(out,
                ", \"min_buckets\": %" PRIu64 ", \"max_buckets\": %" PRIu64 ", \"max_depths\": %d}",
                TL_MODEL_MIN_BUCKETS, TL_MODEL_MAX_BUCKETS, TL_MODEL_MAX_DEPTHS);
    } else {
        fprintf(out,
                ", \"kind\": \"integer\", \"default\": %" PRIu64 ", \"min\": %" PRIu64
                ", \"max\": %" PRIu64 "}",
                def->default_value, def->min, def->max);
    }
}

static void write_scenario(FILE *out, const tl_scenario *scenario) {
    write_text_field(out, "{", "name", scenario->name);
    write_text_field(out, ", ", "description", scenario->description);
    fputs(", \"params\": [", out);
    for (size_t i = 0; i < scenario->params.count; i++) {
        fputs(i ? ", " : "", out);
        write_param_def(out, &scenario->params.defs[i]);
    }
    fputs("]}", out);
}

const char *tl_wasm_scenarios_json(void) {
    FILE *out = tl_api_text_open();
    if (out == NULL)
        return tl_api_text_close(out);
    fprintf(out,
            "{\"platform\": \"%s\", \"allocator\": \"%s\", \"page_bytes\": %" PRIu64
            ", \"scenarios\": [",
            tl_platform_name(), tl_allocator_name(), tl_page_bytes());
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        fputs(i ? ", " : "", out);
        write_scenario(out, tl_scenario_at(i));
    }
    fputs("], \"result_scenarios\": [", out);
    for (size_t i = 0; i < tl_scenario_count(); i++)
        fprintf(out, "\"%s\", ", tl_scenario_at(i)->name);
    fprintf(out, "\"%s\"], \"trace\": {\"magic\": [", tl_scenario_replay.name);
    for (size_t i = 0; i < sizeof TL_TRACE_MAGIC - 1; i++)
        fprintf(out, "%s%d", i ? ", " : "", (unsigned char)TL_TRACE_MAGIC[i]);
    fprintf(out, "], \"header_max\": %d}}", TL_TRACE_HEADER_MAX);
    return tl_api_text_close(out);
}

const char *tl_wasm_list_text(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_print_scenario_list(out);
    return tl_api_text_close(out);
}

const char *tl_wasm_usage_text(void) {
    return tl_cli_usage;
}

/* ---- parameters ---- */

int tl_api_parse_params(const tl_scenario *scenario, const char *params_text, tl_params *params,
                        tl_error *err) {
    char copy[PARAMS_TEXT_MAX];
    tl_params_defaults(scenario->params, params);
    if (params_text == NULL)
        return TL_OK;
    if (strlen(params_text) >= sizeof copy)
        return tl_fail(err, TL_ERR_BAD_VALUE, "parameter text is longer than %d characters",
                       PARAMS_TEXT_MAX - 1);
    strcpy(copy, params_text);
    for (char *piece = copy, *next; piece != NULL; piece = next) {
        next = strchr(piece, ';');
        if (next != NULL)
            *next++ = '\0';
        if (*piece != '\0' &&
            tl_params_assign(scenario->params, scenario->name, params, piece, err) != TL_OK)
            return err->code;
    }
    return TL_OK;
}

int tl_wasm_check_param(const char *scenario_name, const char *assignment) {
    tl_params params;
    tl_error_clear(&last_error);
    const tl_scenario *scenario = tl_scenario_find(scenario_name, &last_error);
    if (scenario == NULL)
        return last_error.code;
    tl_params_defaults(scenario->params, &params);
    return tl_params_assign(scenario->params, scenario->name, &params, assignment, &last_error);
}

const char *tl_wasm_canonical_model(const char *model_text) {
    tl_bucket_model model;
    char canonical[TL_MODEL_TEXT_MAX + 8];
    tl_error_clear(&last_error);
    if (tl_bucket_model_parse("model", model_text, &model, &last_error) != TL_OK) {
        text[0] = '\0';
        return text;
    }
    tl_bucket_model_format(&model, canonical, sizeof canonical);
    FILE *out = tl_api_text_open();
    if (out != NULL)
        fputs(canonical, out);
    return tl_api_text_close(out);
}

/* "block_mib=50;cycles=3": canonical, so that it parses back to the same values. */
static void write_params_text(FILE *out, const tl_scenario *scenario, const tl_params *params) {
    const tl_param_set set = scenario->params;
    for (size_t i = 0; i < set.count; i++) {
        char value[TL_MODEL_TEXT_MAX + 8];
        tl_param_value_text(set, params, i, value, sizeof value);
        fprintf(out, "%s%s=%s", i ? ";" : "", set.defs[i].name, value);
    }
}

/* ---- the native command line ---- */

/* Room in cli_argv for one more argument and the terminating NULL; grows it by doubling. */
static int argv_room(void) {
    if (cli_argc + 2 <= cli_capacity)
        return TL_OK;
    int capacity = cli_capacity ? cli_capacity * 2 : 16;
    char **grown = realloc(cli_argv, (size_t)capacity * sizeof *grown);
    if (grown == NULL)
        return tl_fail(&last_error, TL_ERR_OOM, "no memory for %d arguments", capacity);
    cli_argv = grown;
    cli_capacity = capacity;
    return TL_OK;
}

/* Frees the arguments given so far; argv holds only the program name again (argc stays 0 only
 * when there was no memory even for that, with the error in last_error). */
void tl_wasm_cli_reset(void) {
    for (int i = 1; i < cli_argc; i++)
        free(cli_argv[i]);
    cli_argc = 0;
    if (argv_room() != TL_OK)
        return;
    cli_argv[cli_argc++] = "trimlab";
    cli_argv[cli_argc] = NULL;
}

/* argv ready for the next argument or for parsing: 0, or the error code (out of memory). */
static int argv_ready(void) {
    if (cli_argc == 0)
        tl_wasm_cli_reset();
    return cli_argc == 0 ? last_error.code : TL_OK;
}

int tl_wasm_cli_arg(const char *arg) {
    tl_error_clear(&last_error);
    if (argv_ready() != TL_OK || argv_room() != TL_OK)
        return last_error.code;
    char *copy = malloc(strlen(arg) + 1);
    if (copy == NULL)
        return tl_fail(&last_error, TL_ERR_OOM, "no memory for an argument");
    strcpy(copy, arg);
    cli_argv[cli_argc++] = copy;
    cli_argv[cli_argc] = NULL;
    return TL_OK;
}

int tl_wasm_setenv(const char *name, const char *value) {
    tl_error_clear(&last_error);
    int failed = value != NULL ? setenv(name, value, 1) : unsetenv(name);
    if (failed)
        return tl_fail(&last_error, TL_ERR_BAD_VALUE, "cannot set the variable '%s'", tl_q(name));
    return TL_OK;
}

int tl_wasm_cli_parse(void) {
    tl_error_clear(&last_error);
    cli_trace = NULL;
    if (argv_ready() != TL_OK)
        return last_error.code;
    return tl_cli_parse(cli_argc, cli_argv, &cli_options, &last_error);
}

static const char *action_name(enum tl_cli_action action) {
    static const char *const names[] = {[TL_CLI_RUN] = "run",
                                        [TL_CLI_LIST] = "list",
                                        [TL_CLI_HELP] = "help",
                                        [TL_CLI_VERSION] = "version"};
    return names[action];
}

/* What the parser decided, without the paths: a path can be of any length, and is read through
 * tl_wasm_cli_json_path and tl_wasm_cli_trace_path instead. The rest is bounded (at most
 * TL_CLI_MAX_RUNS runs of canonical parameters), far below TEXT_MAX. */
const char *tl_wasm_cli_json(void) {
    FILE *out = tl_api_text_open();
    if (out == NULL)
        return tl_api_text_close(out);
    fprintf(out,
            "{\"action\": \"%s\", \"trace\": %s, \"json\": %s, \"quiet\": %s, \"map\": %s, "
            "\"runs\": [",
            action_name(cli_options.action), cli_trace != NULL ? "true" : "false",
            cli_options.json_path != NULL ? "true" : "false", cli_options.quiet ? "true" : "false",
            cli_options.map ? "true" : "false");
    for (unsigned i = 0; i < cli_options.run_count; i++) {
        const tl_cli_run *run = &cli_options.runs[i];
        fprintf(out, "%s{\"scenario\": \"%s\", \"params\": \"", i ? ", " : "", run->scenario->name);
        write_params_text(out, run->scenario, &run->params);
        fprintf(out, "\", \"trim\": %s}", run->trim_enabled ? "true" : "false");
    }
    fputs("]}", out);
    return tl_api_text_close(out);
}

const char *tl_wasm_cli_json_path(void) {
    return cli_options.json_path != NULL ? cli_options.json_path : "";
}

const char *tl_wasm_cli_trace_path(void) {
    return cli_trace != NULL ? cli_trace : "";
}

/* ---- runs ---- */

static int run_in_progress(void) {
    return engine.stage != TL_STAGE_IDLE && engine.stage != TL_STAGE_DONE;
}

static int refuse_running(void) {
    return tl_fail(&last_error, TL_ERR_STATE, "a run of %s is in progress: end it first",
                   engine.scenario->name);
}

int tl_wasm_begin(const char *scenario_name, const char *params_text, int trim_enabled) {
    tl_params params;
    tl_error_clear(&last_error);
    if (run_in_progress())
        return refuse_running();
    const tl_scenario *scenario = tl_scenario_find(scenario_name, &last_error);
    if (scenario == NULL)
        return last_error.code;
    if (tl_api_parse_params(scenario, params_text, &params, &last_error) != TL_OK)
        return last_error.code;
    sample_valid = 0;
    int status = tl_engine_begin(&engine, scenario, &params, NULL, trim_enabled != 0);
    if (status != TL_OK)
        last_error = engine.error;
    return status;
}

int tl_wasm_step(void) {
    if (engine.stage == TL_STAGE_IDLE) {
        tl_fail(&last_error, TL_ERR_STATE, "no run in progress: begin one first");
        return 0;
    }
    if (!tl_engine_step(&engine, &sample))
        return 0;
    sample_valid = 1;
    if (sample.step == 0) /* a new run's first sample */
        memset(&map_moments, 0, sizeof map_moments);
    sample_moments = tl_map_moments_next(&map_moments, sample.phase);
    return 1;
}

int tl_wasm_map_moments(void) {
    return sample_valid ? (int)sample_moments : 0;
}

const tl_engine *tl_api_engine(void) {
    return &engine;
}

int tl_wasm_done(void) {
    return tl_engine_done(&engine);
}

void tl_wasm_end(void) {
    tl_engine_end(&engine);
    end_check();
    sample_valid = 0;
}

/* ---- the current sample ---- */

double tl_wasm_sample_step(void) {
    return sample_valid ? (double)sample.step : 0;
}

const char *tl_wasm_sample_phase(void) {
    return sample_valid ? tl_phase_name(sample.phase) : "";
}

const char *tl_wasm_sample_label(void) {
    return sample_valid ? sample.label : "";
}

double tl_wasm_sample_footprint_bytes(void) {
    return sample_valid ? (double)sample.memory.footprint_bytes : 0;
}

double tl_wasm_sample_sbrk_bytes(void) {
    return sample_valid ? (double)sample.memory.sbrk_bytes : 0;
}

double tl_wasm_sample_in_use_bytes(void) {
    return sample_valid ? (double)sample.memory.in_use_bytes : 0;
}

double tl_wasm_sample_allocator_free_bytes(void) {
    return sample_valid ? (double)sample.memory.allocator_free_bytes : 0;
}

/* ---- the finished run ---- */

const char *tl_wasm_run_json(void) {
    if (!tl_engine_done(&engine)) {
        tl_fail(&last_error, TL_ERR_STATE, "no finished run: step a run to its end first");
        text[0] = '\0';
        return text;
    }
    /* Without samples: the wrapper collected them step by step. */
    /* Only a replay's run has an input: the trace it replayed, described with the run. */
    tl_trace_figures trace = {0};
    if (engine.input != NULL)
        trace = tl_replay_figures(engine.input);
    tl_run_record record = {engine.scenario,
                            &engine.params,
                            engine.trim_enabled,
                            NULL,
                            0,
                            &engine.summary,
                            engine.outcome,
                            engine.error.message,
                            0,
                            engine.input != NULL ? &trace : NULL,
                            NULL,
                            NULL,
                            0,
                            NULL,
                            NULL,
                            0};
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_run(out, &record);
    return tl_api_text_close(out);
}

/* ---- replays and checks of allocation traces ---- */

static void end_check(void) {
    if (checking)
        tl_replay_close(&replay);
    checking = 0;
}

/* The header from the first bytes, which must hold it whole. */
/* What a replay and a check both begin with: no run in progress, the last check ended, and the
 * trace's header read from its first chunk. */
static int read_first(const unsigned char *first, int length, int at_end, tl_trace_reader *reader,
                      size_t *used) {
    tl_error_clear(&last_error);
    if (run_in_progress())
        return refuse_running();
    end_check();
    size_t n = length > 0 ? (size_t)length : 0;
    int status = tl_trace_read_header(reader, first, n, at_end != 0, used, &last_error);
    if (status == TL_TRACE_NEED_INPUT)
        return tl_fail(&last_error, TL_ERR_BAD_VALUE,
                       "the first chunk must hold the header and program name: give %d bytes, "
                       "or the whole trace when it is shorter",
                       TL_TRACE_HEADER_MAX);
    return status == TL_TRACE_EVENT ? TL_OK : last_error.code;
}

/* After the buffers exist: the events that came with the header. */
static void take_rest(const unsigned char *first, int length, int at_end, size_t used) {
    tl_replay_append(&replay, first + used, (uint64_t)length - used);
    if (at_end)
        tl_trace_input_added(&replay.input, 0);
}

int tl_wasm_replay_begin(const unsigned char *first, int length, int at_end,
                         const char *params_text, int trim_enabled, double live_blocks,
                         double events) {
    tl_params params;
    tl_trace_reader reader;
    size_t used;
    if (read_first(first, length, at_end, &reader, &used) != TL_OK ||
        tl_api_parse_params(&tl_scenario_replay, params_text, &params, &last_error) != TL_OK)
        return last_error.code;
    tl_replay_init(&replay, &reader, 1);
    if (live_blocks > 0)
        replay.map_blocks = (uint64_t)live_blocks;
    if (events > 0)
        replay.expected_events = (uint64_t)events;
    sample_valid = 0;
    int status = tl_engine_begin(&engine, &tl_scenario_replay, &params, &replay, trim_enabled != 0);
    if (status != TL_OK) {
        last_error = engine.error;
        return status;
    }
    take_rest(first, length, at_end, used);
    return TL_OK;
}

double tl_wasm_replay_room(void) {
    return (double)tl_replay_wants_input(&replay);
}

double tl_wasm_replay_input_ptr(void) {
    return replay.input.data ? (double)(uintptr_t)tl_trace_input_tail(&replay.input) : 0;
}

int tl_wasm_replay_input(double count) {
    tl_trace_input *input = &replay.input;
    tl_error_clear(&last_error);
    if (input->data == NULL || input->at_end)
        return tl_fail(&last_error, TL_ERR_STATE, "no replay or check is waiting for input");
    if (!(count >= 0 && count <= (double)(input->capacity - input->end)))
        return tl_fail(&last_error, TL_ERR_BAD_VALUE,
                       "%.0f bytes do not fit the input buffer (room: %zu)", count,
                       input->capacity - input->end);
    tl_trace_input_added(input, (size_t)count);
    return TL_OK;
}

int tl_wasm_check_begin(const unsigned char *first, int length, int at_end) {
    tl_trace_reader reader;
    size_t used;
    if (read_first(first, length, at_end, &reader, &used) != TL_OK)
        return last_error.code;
    tl_replay_init(&replay, &reader, 0);
    replay.events_per_step = TL_REPLAY_EVENTS_PER_STEP_MAX; /* the largest gulps */
    if (tl_replay_open(&replay, &last_error) != TL_OK)
        return last_error.code;
    checking = 1;
    take_rest(first, length, at_end, used);
    return TL_OK;
}

int tl_wasm_check(void) {
    tl_replay_tally tally = {0, 0, 0};
    if (!checking)
        return tl_fail(&last_error, TL_ERR_STATE, "no check in progress: begin one first");
    int status = tl_replay_advance(&replay, UINT64_MAX, UINT64_MAX, &tally, &last_error);
    if (status == TL_TRACE_NEED_INPUT)
        return -1;
    end_check();
    return status == TL_TRACE_END ? TL_OK : last_error.code;
}

const char *tl_wasm_trace_json(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_replay_write_info(out, &replay);
    return tl_api_text_close(out);
}

int tl_wasm_replay_cli_parse(void) {
    tl_error_clear(&last_error);
    if (argv_ready() != TL_OK)
        return last_error.code;
    return tl_replay_cli_parse(cli_argc, cli_argv, &cli_options, &cli_trace, &last_error);
}

const char *tl_wasm_replay_usage_text(void) {
    return tl_replay_usage;
}

int tl_wasm_replay_check_steps(double events, double events_per_step) {
    tl_error_clear(&last_error);
    if (!(events >= 0 && events_per_step >= 1))
        return tl_fail(&last_error, TL_ERR_BAD_VALUE,
                       "events and events_per_step must be positive");
    return tl_replay_check_steps((uint64_t)events, (uint64_t)events_per_step, &last_error);
}
