/* The results' formats, piece by piece, for runs whose samples JavaScript holds: the wrapper
 * loads a finished run's values (tl_wasm_format_run and friends) and then asks for each piece of
 * its table or JSON, written by the native CLI's own writers (src/cli/). One run and one sample
 * are loaded at a time: no run's samples are kept in linear memory. */
#include <stdlib.h>
#include <string.h>

#include "cli/map_report.h"
#include "cli/report_table.h"
#include "cli/results_json.h"
#include "engine/memory_map.h"
#include "scenarios/scenario_replay.h"
#include "scenarios/scenarios.h"
#include "shared/message.h"
#include "shared/trace_format.h"
#include "wasm_api.h"
#include "wasm_shared.h"

static tl_params params;
static tl_summary summary;
static char error_message[TL_MESSAGE_MAX];
static char program[TL_TRACE_NAME_MAX + 1];
static tl_trace_figures trace;
static tl_sample sample;
static char host_version[TL_MESSAGE_MAX];
static tl_host host;
static tl_after_event after;
/* A program run's program: copies of what tl_wasm_format_program and _arg gave, freed when the
 * next run is loaded. */
static char *program_name;
static char *program_arguments[TL_PROGRAM_ARGS_MAX + 1];
static int program_count;
static tl_program_figures program_run = {NULL, program_arguments};
/* `samples` and `after` are not NULL: the wrapper gives them one at a time. */
static tl_run_record run = {NULL, &params, 0,    &sample, 0, &summary, TL_OK, error_message,
                            0,    NULL,    NULL, &after,  0, NULL,     NULL,  0};

/* The run's map loaded last (tl_wasm_format_map): its text, written from the map buffer. */
static char map_text[2 * TL_WASM_MAP_PAGES + 1];
static tl_map_snapshot map = {NULL, 0, 0, 0, 0, map_text};

/* A byte count or count from JavaScript: a whole number from 0 below 2^53. */
static int count_of(double value, uint64_t *out) {
    if (!(value >= 0 && value <= 9007199254740992.0 && value == (double)(uint64_t)value))
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "%.17g is not a count", value);
    *out = (uint64_t)value;
    return TL_OK;
}

/* A byte figure that may not have been read: -1 for TL_NOT_READ. */
static int figure_of(double value, uint64_t *out) {
    if (value == -1)
        return *out = TL_NOT_READ, TL_OK;
    return count_of(value, out);
}

/* `name` from a NULL-terminated list, as the list's own string. */
static int named(const char *const *list, const char *name, const char *what, const char **out) {
    for (; *list != NULL; list++)
        if (strcmp(*list, name) == 0)
            return *out = *list, TL_OK;
    return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "'%s' is not a %s", tl_q(name), what);
}

/* The run's host, or none when `name` is "". */
static int host_named(const char *name, const char *version, const char *resident) {
    run.host = NULL;
    if (*name == '\0')
        return TL_OK;
    if (named(tl_json_host_names, name, "host", &host.name) != TL_OK ||
        named(tl_json_resident_methods, resident, "resident method", &host.resident) != TL_OK)
        return tl_api_error()->code;
    snprintf(host_version, sizeof host_version, "%s", version);
    host.version = host_version;
    run.host = &host;
    return TL_OK;
}

static const tl_scenario *scenario_named(const char *name) {
    if (strcmp(name, tl_scenario_replay.name) == 0)
        return &tl_scenario_replay;
    if (strcmp(name, tl_program_scenario.name) == 0)
        return &tl_program_scenario;
    return tl_scenario_find(name, tl_api_error());
}

static int outcome_named(const char *name, int *outcome) {
    for (int code = TL_OK; code <= TL_ERR_RUN_FAILED; code++)
        if (strcmp(tl_json_outcome_name(code), name) == 0)
            return *outcome = code, TL_OK;
    return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "'%s' is not an outcome", tl_q(name));
}

static int phase_named(const char *name, enum tl_phase *phase) {
    for (enum tl_phase p = TL_PHASE_BASELINE; p <= TL_PHASE_FINAL; p++)
        if (strcmp(tl_phase_name(p), name) == 0)
            return *phase = p, TL_OK;
    return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "'%s' is not a phase", tl_q(name));
}

static void forget_program(void) {
    free(program_name);
    program_name = NULL;
    while (program_count > 0)
        free(program_arguments[--program_count]);
    program_arguments[0] = NULL;
    run.program = NULL;
}

/* A copy of `text` if it has at most `max` bytes. */
static int copy_of(const char *text, size_t max, const char *what, char **out) {
    if (strlen(text) > max)
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "%s is longer than %zu bytes", what, max);
    *out = strdup(text);
    if (*out == NULL)
        return tl_fail(tl_api_error(), TL_ERR_OOM, "no memory for %s", what);
    return TL_OK;
}

int tl_wasm_format_program(const char *name) {
    tl_error_clear(tl_api_error());
    if (run.scenario != &tl_program_scenario)
        return tl_fail(tl_api_error(), TL_ERR_STATE, "only a program run has a program");
    forget_program();
    if (copy_of(name, TL_PROGRAM_NAME_MAX, "the program's name", &program_name) != TL_OK)
        return tl_api_error()->code;
    program_run.name = program_name;
    run.program = &program_run;
    return TL_OK;
}

int tl_wasm_format_program_arg(const char *argument) {
    tl_error_clear(tl_api_error());
    if (run.program == NULL)
        return tl_fail(tl_api_error(), TL_ERR_STATE, "no program loaded for its arguments");
    if (program_count == TL_PROGRAM_ARGS_MAX)
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "more than %d program arguments",
                       TL_PROGRAM_ARGS_MAX);
    char *copy;
    if (copy_of(argument, TL_PROGRAM_ARG_MAX, "a program argument", &copy) != TL_OK)
        return tl_api_error()->code;
    program_arguments[program_count++] = copy;
    program_arguments[program_count] = NULL;
    return TL_OK;
}

int tl_wasm_format_run(const char *scenario, const char *params_text, int trim_enabled,
                       const char *outcome, const char *error_text, double elapsed_ms,
                       const char *host_name, const char *version, const char *resident,
                       int after_count) {
    tl_error_clear(tl_api_error());
    forget_program();
    run.scenario = scenario_named(scenario);
    run.trace = NULL;
    run.map_count = 0;
    if (run.scenario == NULL ||
        tl_api_parse_params(run.scenario, params_text, &params, tl_api_error()) != TL_OK ||
        outcome_named(outcome, &run.outcome) != TL_OK ||
        host_named(host_name, version, resident) != TL_OK)
        return tl_api_error()->code;
    if (after_count < 0)
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "%d is not a count", after_count);
    run.after_count = (uint32_t)after_count;
    run.trim_enabled = trim_enabled != 0;
    snprintf(error_message, sizeof error_message, "%s", error_text != NULL ? error_text : "");
    run.elapsed_ms = elapsed_ms;
    return TL_OK;
}

int tl_wasm_format_summary(double baseline, double peak, double peak_in_use, double before_trim,
                           double after_trim, double final_footprint, int trim_called,
                           int trim_returned) {
    tl_error_clear(tl_api_error());
    if (count_of(baseline, &summary.baseline_footprint_bytes) != TL_OK ||
        count_of(peak, &summary.peak_footprint_bytes) != TL_OK ||
        count_of(peak_in_use, &summary.peak_in_use_bytes) != TL_OK ||
        count_of(before_trim, &summary.before_trim_bytes) != TL_OK ||
        count_of(after_trim, &summary.after_trim_bytes) != TL_OK ||
        count_of(final_footprint, &summary.final_footprint_bytes) != TL_OK)
        return tl_api_error()->code;
    summary.trim.called = trim_called != 0;
    summary.trim.returned = trim_returned;
    return TL_OK;
}

int tl_wasm_format_trace(const char *program_name, double event_count, double events_replayed,
                         int complete, double peak_requested, double replay_overhead) {
    tl_error_clear(tl_api_error());
    if (count_of(event_count, &trace.event_count) != TL_OK ||
        count_of(events_replayed, &trace.events_replayed) != TL_OK ||
        count_of(peak_requested, &trace.peak_requested_bytes) != TL_OK ||
        count_of(replay_overhead, &trace.replay_overhead_bytes) != TL_OK)
        return tl_api_error()->code;
    snprintf(program, sizeof program, "%s", program_name);
    trace.program = program;
    trace.complete = complete != 0;
    run.trace = &trace;
    return TL_OK;
}

int tl_wasm_format_sample(double step, const char *phase, const char *label, double footprint,
                          double sbrk, double in_use, double allocator_free, double resident,
                          double host_rss) {
    uint64_t number;
    tl_error_clear(tl_api_error());
    /* A program's allocator and heap are its own: those figures may not have been read. */
    int (*engine_figure)(double, uint64_t *) = run.program != NULL ? figure_of : count_of;
    if (count_of(step, &number) != TL_OK || phase_named(phase, &sample.phase) != TL_OK ||
        count_of(footprint, &sample.memory.footprint_bytes) != TL_OK ||
        engine_figure(sbrk, &sample.memory.sbrk_bytes) != TL_OK ||
        engine_figure(in_use, &sample.memory.in_use_bytes) != TL_OK ||
        engine_figure(allocator_free, &sample.memory.allocator_free_bytes) != TL_OK ||
        figure_of(resident, &sample.memory.resident_bytes) != TL_OK ||
        figure_of(host_rss, &sample.memory.host_rss_bytes) != TL_OK)
        return tl_api_error()->code;
    sample.step = (uint32_t)number;
    snprintf(sample.label, sizeof sample.label, "%s", label);
    return TL_OK;
}

int tl_wasm_format_maps(int count) {
    tl_error_clear(tl_api_error());
    if (count < 0 || count > TL_MAP_MOMENTS)
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "%d maps (allowed: 0 to %d)", count,
                       TL_MAP_MOMENTS);
    run.map_count = (uint32_t)count;
    return TL_OK;
}

int tl_wasm_format_map(const char *at, double step, int pages, double held_bytes) {
    uint64_t step_value;
    tl_error_clear(tl_api_error());
    if (named(tl_map_moment_names, at, "map moment", &map.at) != TL_OK ||
        count_of(step, &step_value) != TL_OK || count_of(held_bytes, &map.held_bytes) != TL_OK)
        return tl_api_error()->code;
    if (pages < 1 || pages > TL_WASM_MAP_PAGES || step_value > UINT32_MAX)
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE,
                       "%d pages at step %.17g (allowed: 1 to %d)", pages, step, TL_WASM_MAP_PAGES);
    /* Every page a run of one class at most: two characters each, up to 4 digits fewer. */
    tl_map_encode(tl_api_map_classes(), (uint64_t)pages, map_text, sizeof map_text);
    map.step = (uint32_t)step_value;
    map.page_bytes = tl_page_bytes();
    map.outside_bytes = 0; /* linear memory holds every block */
    return TL_OK;
}

const char *tl_wasm_map_json(int index) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_map(out, &map, (uint32_t)index);
    return tl_api_text_close(out);
}

const char *tl_wasm_maps_end(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_maps_end(out, &run);
    return tl_api_text_close(out);
}

const char *tl_wasm_map_line(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_print_map(out, &map);
    return tl_api_text_close(out);
}

int tl_wasm_format_after(const char *event, double elapsed_ms, double resident, double host_rss) {
    tl_error_clear(tl_api_error());
    if (named(tl_json_after_events, event, "lifecycle event", &after.event) != TL_OK ||
        figure_of(resident, &after.resident_bytes) != TL_OK ||
        count_of(host_rss, &after.host_rss_bytes) != TL_OK)
        return tl_api_error()->code;
    if (!(elapsed_ms >= 0 && elapsed_ms < 1e15))
        return tl_fail(tl_api_error(), TL_ERR_BAD_VALUE, "%.17g is not a time in ms", elapsed_ms);
    after.elapsed_ms = elapsed_ms;
    return TL_OK;
}

const char *tl_wasm_document_head(const char *program, const char *allocator, int enabled_runs,
                                  int runs) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_begin_document(out, program, allocator,
                               tl_results_trim((unsigned)enabled_runs, (unsigned)runs));
    return tl_api_text_close(out);
}

const char *tl_wasm_document_end(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_end_document(out);
    return tl_api_text_close(out);
}

const char *tl_wasm_run_json_head(int index) {
    if (run.scenario == &tl_program_scenario && run.program == NULL) {
        tl_fail(tl_api_error(), TL_ERR_STATE,
                "a program run needs its program (tl_wasm_format_program)");
        return tl_api_text_close(NULL);
    }
    FILE *out = tl_api_text_open();
    if (out != NULL) {
        tl_json_next_run(out, (unsigned)index);
        tl_json_write_run_head(out, &run);
    }
    return tl_api_text_close(out);
}

const char *tl_wasm_sample_json(int index) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_sample(out, &sample, (uint32_t)index);
    return tl_api_text_close(out);
}

const char *tl_wasm_run_json_tail(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_run_tail(out, &run);
    return tl_api_text_close(out);
}

const char *tl_wasm_after_json(int index) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_after(out, &after, (uint32_t)index);
    return tl_api_text_close(out);
}

const char *tl_wasm_run_json_end(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_json_write_run_end(out, &run);
    return tl_api_text_close(out);
}

const char *tl_wasm_table_head(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_print_table_head(out, &run);
    return tl_api_text_close(out);
}

const char *tl_wasm_table_row(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_print_table_row(out, &sample);
    return tl_api_text_close(out);
}

const char *tl_wasm_table_tail(void) {
    FILE *out = tl_api_text_open();
    if (out != NULL)
        tl_print_table_tail(out, &run);
    return tl_api_text_close(out);
}

const char *tl_wasm_trace_line(const char *path) {
    FILE *out = tl_api_text_open();
    if (out != NULL && run.trace != NULL)
        tl_print_trace_line(out, path, run.trace);
    return tl_api_text_close(out);
}
