#include "results_json.h"

#include <inttypes.h>
#include <time.h>

#include "engine/platform.h"
#include "figures.h"
#include "shared/version.h"

void tl_json_write_string(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

const char *tl_results_trim(unsigned enabled, unsigned runs) {
    return enabled == 0 ? "disabled" : enabled == runs ? "enabled" : "mixed";
}

void tl_json_utc_text(int64_t seconds, char text[TL_UTC_TEXT_SIZE]) {
    /* Days to a civil date (H. Hinnant's days_from_civil, inverted), from 0000-03-01 on, so that
     * February's length comes last in each year. Not gmtime: in WebAssembly it brings the
     * time-zone glue, which needs an exported malloc. */
    int64_t days = seconds / 86400 + 719468, rest = seconds % 86400;
    int64_t era = days / 146097, day_of_era = days - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    int day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    int month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    int64_t year = year_of_era + era * 400 + (month <= 2);
    snprintf(text, TL_UTC_TEXT_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, month, day,
             (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

void tl_json_begin_document(FILE *out, const char *program, const char *allocator,
                            const char *trim) {
    char created[TL_UTC_TEXT_SIZE];
    tl_json_utc_text((int64_t)time(NULL), created);
    fprintf(out,
            "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"generator\": ", TL_RESULTS_FORMAT,
            TL_RESULTS_VERSION);
    char generator_text[128];
    snprintf(generator_text, sizeof generator_text, "trimlab %s (%s)", tl_version(), program);
    tl_json_write_string(out, generator_text);
    fprintf(out, ",\n  \"created\": \"%s\",\n  \"platform\": \"%s\",\n  \"allocator\": ", created,
            tl_platform_name());
    tl_json_write_string(out, allocator);
    fprintf(out, ",\n  \"page_bytes\": %" PRIu64 ",\n  \"trim\": \"%s\",\n  \"runs\": [",
            tl_page_bytes(), trim);
}

void tl_json_next_run(FILE *out, unsigned index) {
    fputs(index ? "," : "", out);
}

static void write_params(FILE *out, const tl_scenario *scenario, const tl_params *params) {
    const tl_param_set set = scenario->params;
    fputc('{', out);
    for (size_t i = 0; i < set.count; i++) {
        char value[TL_MODEL_TEXT_MAX + 8];
        tl_param_value_text(set, params, i, value, sizeof value);
        fprintf(out, "%s\"%s\": ", i ? ", " : "", set.defs[i].name);
        if (set.defs[i].kind == TL_PARAM_MODEL)
            tl_json_write_string(out, value);
        else
            fputs(value, out);
    }
    fputc('}', out);
}

const tl_scenario tl_program_scenario = {
    "program", "a program trimlab did not write, measured from outside",
    {NULL, 0}, NULL,
    NULL,      NULL,
    NULL,      NULL,
    NULL};

const char *const tl_json_after_events[] = {"run_end",  "dropped",   "collected", "terminated",
                                            "reloaded", "run_again", NULL};
const char *const tl_json_host_names[] = {"native", "node", "chromium", "firefox", NULL};
const char *const tl_json_resident_methods[] = {"rss_anon", "smaps", "none", NULL};

/* `, "key": N`, unless the figure was not read. */
static void write_figure(FILE *out, const char *key, uint64_t bytes) {
    if (bytes != TL_NOT_READ)
        fprintf(out, ", \"%s\": %" PRIu64, key, bytes);
}

void tl_json_write_sample(FILE *out, const tl_sample *sample, uint32_t index) {
    const tl_figures *figures = tl_figures_here();
    fprintf(out, "%s{\"step\": %" PRIu32 ", \"phase\": \"%s\", \"label\": ",
            index ? ",\n       " : "\n       ", sample->step, tl_phase_name(sample->phase));
    tl_json_write_string(out, sample->label);
    fprintf(out, ", \"footprint_bytes\": %" PRIu64, sample->memory.footprint_bytes);
    write_figure(out, figures->second_key, figures->second(&sample->memory));
    write_figure(out, "resident_bytes", sample->memory.resident_bytes);
    write_figure(out, "host_rss_bytes", sample->memory.host_rss_bytes);
    /* Not read in a program run: the allocator is the program's, not the engine's (nor, in
     * WebAssembly, its heap's end). */
    write_figure(out, "in_use_bytes", sample->memory.in_use_bytes);
    write_figure(out, "allocator_free_bytes", sample->memory.allocator_free_bytes);
    fputc('}', out);
}

static void write_summary(FILE *out, const tl_summary *s) {
    int64_t released = (int64_t)s->before_trim_bytes - (int64_t)s->after_trim_bytes;
    fprintf(out,
            "{\"baseline_footprint_bytes\": %" PRIu64 ", \"peak_footprint_bytes\": %" PRIu64
            ", \"peak_in_use_bytes\": %" PRIu64 ", \"before_trim_bytes\": %" PRIu64
            ", \"after_trim_bytes\": %" PRIu64 ", \"released_by_trim_bytes\": %" PRId64
            ", \"final_footprint_bytes\": %" PRIu64 ", \"trim_called\": %s, \"trim_returned\": ",
            s->baseline_footprint_bytes, s->peak_footprint_bytes, s->peak_in_use_bytes,
            s->before_trim_bytes, s->after_trim_bytes, released, s->final_footprint_bytes,
            s->trim.called ? "true" : "false");
    if (s->trim.called)
        fprintf(out, "%d}", s->trim.returned);
    else
        fputs("null}", out);
}

static void write_trace(FILE *out, const tl_trace_figures *trace) {
    fputs("{\"program\": ", out);
    tl_json_write_string(out, trace->program);
    fprintf(out,
            ", \"event_count\": %" PRIu64 ", \"events_replayed\": %" PRIu64
            ", \"complete\": %s, \"peak_requested_bytes\": %" PRIu64
            ", \"replay_overhead_bytes\": %" PRIu64 "}",
            trace->event_count, trace->events_replayed, trace->complete ? "true" : "false",
            trace->peak_requested_bytes, trace->replay_overhead_bytes);
}

static void write_program(FILE *out, const tl_program_figures *program) {
    fputs("{\"name\": ", out);
    tl_json_write_string(out, program->name);
    fputs(", \"args\": [", out);
    for (char *const *argument = program->arguments; *argument; argument++) {
        fputs(argument == program->arguments ? "" : ", ", out);
        tl_json_write_string(out, *argument);
    }
    fputs("]}", out);
}

const char *tl_json_outcome_name(int outcome) {
    return outcome == TL_OK ? "completed" : tl_status_name(outcome);
}

void tl_json_write_run_head(FILE *out, const tl_run_record *run) {
    fputs("\n    {\"scenario\": ", out);
    tl_json_write_string(out, run->scenario->name);
    fputs(", \"params\": ", out);
    write_params(out, run->scenario, run->params);
    fprintf(out, ", \"trim\": \"%s\", \"outcome\": \"%s\", \"error\": ",
            run->trim_enabled ? "enabled" : "disabled", tl_json_outcome_name(run->outcome));
    if (run->outcome == TL_OK)
        fputs("null", out);
    else
        tl_json_write_string(out, run->error);
    if (run->host != NULL) {
        fprintf(out, ", \"host\": {\"name\": \"%s\", \"version\": ", run->host->name);
        tl_json_write_string(out, run->host->version);
        fprintf(out, ", \"resident\": \"%s\"}", run->host->resident);
    }
    if (run->samples != NULL)
        fprintf(out, ", \"elapsed_ms\": %.3f,\n     \"samples\": [", run->elapsed_ms);
}

void tl_json_write_run_tail(FILE *out, const tl_run_record *run) {
    fputs(run->samples != NULL ? "],\n     \"summary\": " : ",\n     \"summary\": ", out);
    write_summary(out, run->summary);
    if (run->trace != NULL) {
        fputs(",\n     \"trace\": ", out);
        write_trace(out, run->trace);
    }
    if (run->program != NULL) {
        fputs(",\n     \"program\": ", out);
        write_program(out, run->program);
    }
    if (run->map_count > 0)
        fputs(",\n     \"maps\": [", out);
    else if (run->after_count > 0)
        fputs(",\n     \"after\": [", out);
}

void tl_json_write_map(FILE *out, const tl_map_snapshot *map, uint32_t index) {
    fprintf(out,
            "%s{\"at\": \"%s\", \"step\": %" PRIu32 ", \"page_bytes\": %" PRIu64
            ", \"held_bytes\": %" PRIu64 ", \"outside_bytes\": %" PRIu64 ", \"classes\": ",
            index ? ",\n       " : "\n       ", map->at, map->step, map->page_bytes,
            map->held_bytes, map->outside_bytes);
    tl_json_write_string(out, map->classes);
    fputc('}', out);
}

void tl_json_write_maps_end(FILE *out, const tl_run_record *run) {
    fputs(run->after_count > 0 ? "],\n     \"after\": [" : "]", out);
}

void tl_json_write_after(FILE *out, const tl_after_event *event, uint32_t index) {
    fprintf(out,
            "%s{\"event\": \"%s\", \"elapsed_ms\": %.3f, \"resident_bytes\": ", index ? ", " : "",
            event->event, event->elapsed_ms);
    if (event->resident_bytes == TL_NOT_READ)
        fputs("null", out);
    else
        fprintf(out, "%" PRIu64, event->resident_bytes);
    fprintf(out, ", \"host_rss_bytes\": %" PRIu64 "}", event->host_rss_bytes);
}

void tl_json_write_run_end(FILE *out, const tl_run_record *run) {
    fputs(run->after_count > 0 ? "]}" : "}", out);
}

void tl_json_write_run(FILE *out, const tl_run_record *run) {
    tl_json_write_run_head(out, run);
    for (uint32_t i = 0; i < run->sample_count; i++)
        tl_json_write_sample(out, &run->samples[i], i);
    tl_json_write_run_tail(out, run);
    for (uint32_t i = 0; i < run->map_count && run->maps != NULL; i++)
        tl_json_write_map(out, &run->maps[i], i);
    if (run->map_count > 0)
        tl_json_write_maps_end(out, run);
    for (uint32_t i = 0; i < run->after_count && run->after != NULL; i++)
        tl_json_write_after(out, &run->after[i], i);
    tl_json_write_run_end(out, run);
}

void tl_json_add_run_text(FILE *out, unsigned index, const char *run_text) {
    if (out == NULL)
        return;
    tl_json_next_run(out, index);
    fputs(run_text, out);
}

void tl_json_add_run(FILE *out, unsigned index, const tl_run_record *run) {
    if (out == NULL)
        return;
    tl_json_next_run(out, index);
    tl_json_write_run(out, run);
}

void tl_json_end_document(FILE *out) {
    fputs("\n  ]\n}\n", out);
}
