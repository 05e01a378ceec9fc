#include "report_table.h"

#include <inttypes.h>

#include "figures.h"
#include "scenarios/scenarios.h"
#include "shared/message.h"

static double mib(uint64_t bytes) {
    return (double)bytes / 1048576.0;
}

static void print_param(FILE *out, const tl_param_def *def) {
    if (def->kind == TL_PARAM_MODEL)
        fprintf(out, "    %-13s default %-9s %s\n", def->name, def->default_text, def->description);
    else
        fprintf(out, "    %-13s default %-9" PRIu64 " %s (%" PRIu64 "..%" PRIu64 " %s)\n",
                def->name, def->default_value, def->description, def->min, def->max, def->unit);
}

void tl_print_scenario_list(FILE *out) {
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        const tl_scenario *scenario = tl_scenario_at(i);
        fprintf(out, "%-11s %s\n", scenario->name, scenario->description);
        for (size_t p = 0; p < scenario->params.count; p++)
            print_param(out, &scenario->params.defs[p]);
    }
}

void tl_print_table_head(FILE *out, const tl_run_record *run) {
    const tl_figures *figures = tl_figures_here();
    const tl_param_set set = run->scenario->params;
    fprintf(out, "\n%s (", run->scenario->name);
    for (size_t i = 0; i < set.count; i++) {
        char value[TL_MODEL_TEXT_MAX + 8];
        tl_param_value_text(set, run->params, i, value, sizeof value);
        fprintf(out, "%s%s=%s", i ? ", " : "", set.defs[i].name, value);
    }
    fprintf(out, "), trim %s", run->trim_enabled ? "enabled" : "disabled");
    if (figures->names_allocator)
        fprintf(out, ", %s %s", tl_platform_name(), tl_allocator_name());
    fprintf(out, "\n%5s  %-8s %*s %9s %9s %10s", "step", "phase", figures->footprint_width,
            figures->footprint_title, figures->second_title, "in use", "alloc free");
    if (figures->embedder_columns)
        fprintf(out, " %9s %9s", "resident", "host RSS");
    fputs("  label\n", out);
}

/* A column of MiB, or "-" for a figure that was not read. */
static void print_mib_column(FILE *out, uint64_t bytes) {
    if (bytes == TL_NOT_READ)
        fprintf(out, " %9s", "-");
    else
        fprintf(out, " %9.2f", mib(bytes));
}

void tl_print_table_row(FILE *out, const tl_sample *sample) {
    const tl_figures *figures = tl_figures_here();
    fprintf(out, "%5" PRIu32 "  %-8s %*.2f %9.2f %9.2f %10.2f", sample->step,
            tl_phase_name(sample->phase), figures->footprint_width,
            mib(sample->memory.footprint_bytes), mib(figures->second(&sample->memory)),
            mib(sample->memory.in_use_bytes), mib(sample->memory.allocator_free_bytes));
    if (figures->embedder_columns) {
        print_mib_column(out, sample->memory.resident_bytes);
        print_mib_column(out, sample->memory.host_rss_bytes);
    }
    fprintf(out, "  %s\n", sample->label);
}

void tl_print_table_tail(FILE *out, const tl_run_record *run) {
    const tl_summary *s = run->summary;
    fprintf(out,
            "peak %.2f MiB; before trim %.2f MiB; after trim %.2f MiB; released by trim %.2f MiB",
            mib(s->peak_footprint_bytes), mib(s->before_trim_bytes), mib(s->after_trim_bytes),
            ((double)s->before_trim_bytes - (double)s->after_trim_bytes) / 1048576.0);
    if (s->trim.called)
        fprintf(out, "; malloc_trim returned %d (its own account, not %s)", s->trim.returned,
                tl_figures_here()->trim_note);
    fprintf(out, "; %.1f ms\n", run->elapsed_ms);
    if (run->outcome != TL_OK)
        fprintf(out, "run ended early: %s\n", run->error);
}

void tl_print_run_table(FILE *out, const tl_run_record *run) {
    tl_print_table_head(out, run);
    for (uint32_t i = 0; i < run->sample_count; i++)
        tl_print_table_row(out, &run->samples[i]);
    tl_print_table_tail(out, run);
}

void tl_print_trace_line(FILE *out, const char *path, const tl_trace_figures *trace) {
    fprintf(out,
            "trace %s: program %s, %" PRIu64 " of %" PRIu64 " events replayed, %s; peak %" PRIu64
            " bytes (%.2f MiB) requested and live; replay overhead %.2f MiB (in the baseline)\n",
            tl_q(path), trace->program, trace->events_replayed, trace->event_count,
            trace->complete ? "complete" : "cut short", trace->peak_requested_bytes,
            mib(trace->peak_requested_bytes), mib(trace->replay_overhead_bytes));
}
