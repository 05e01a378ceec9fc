#include "results_json.h"

#include <inttypes.h>
#include <time.h>

#include "engine/platform.h"
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

void tl_json_begin_document(FILE *out, const char *trim) {
    char created[32];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(out, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n", TL_RESULTS_FORMAT,
            TL_RESULTS_VERSION);
    fprintf(out, "  \"generator\": \"trimlab %s (%s)\",\n  \"created\": \"%s\",\n", tl_version(),
            tl_platform_name(), created);
    fprintf(out, "  \"platform\": \"%s\",\n  \"allocator\": \"%s\",\n", tl_platform_name(),
            tl_allocator_name());
    fprintf(out, "  \"page_bytes\": %" PRIu64 ",\n  \"trim\": \"%s\",\n  \"runs\": [",
            tl_page_bytes(), trim);
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

static void write_sample(FILE *out, const tl_sample *sample) {
    fprintf(out, "{\"step\": %" PRIu32 ", \"phase\": \"%s\", \"label\": ", sample->step,
            tl_phase_name(sample->phase));
    tl_json_write_string(out, sample->label);
    fprintf(out,
            ", \"footprint_bytes\": %" PRIu64 ", \"rss_anon_bytes\": %" PRIu64
            ", \"in_use_bytes\": %" PRIu64 ", \"allocator_free_bytes\": %" PRIu64 "}",
            sample->memory.footprint_bytes, sample->memory.rss_anon_bytes,
            sample->memory.in_use_bytes, sample->memory.allocator_free_bytes);
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

void tl_json_write_run(FILE *out, const tl_run_record *run) {
    fputs("\n    {\"scenario\": ", out);
    tl_json_write_string(out, run->scenario->name);
    fputs(", \"params\": ", out);
    write_params(out, run->scenario, run->params);
    fprintf(out, ", \"trim\": \"%s\", \"outcome\": \"%s\", \"error\": ",
            run->trim_enabled ? "enabled" : "disabled",
            run->outcome == TL_OK ? "completed" : tl_status_name(run->outcome));
    if (run->outcome == TL_OK)
        fputs("null", out);
    else
        tl_json_write_string(out, run->error);
    if (run->samples != NULL) {
        fprintf(out, ", \"elapsed_ms\": %.3f,\n     \"samples\": [", run->elapsed_ms);
        for (uint32_t i = 0; i < run->sample_count; i++) {
            fputs(i ? ",\n       " : "\n       ", out);
            write_sample(out, &run->samples[i]);
        }
        fputs("]", out);
    }
    fputs(",\n     \"summary\": ", out);
    write_summary(out, run->summary);
    fputc('}', out);
}

void tl_json_end_document(FILE *out) {
    fputs("\n  ]\n}\n", out);
}
