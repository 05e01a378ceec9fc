/* `trimlab replay TRACE [--no-trim | --trim on|off|both] [--set events_per_step=N] [--json FILE]
 * [--quiet]`: replays a recorded program's allocations through the engine.
 *
 * The whole trace is checked first, in a child process of its own: a bad trace exits 2 with one
 * line before anything runs, and the check's memory (its address map) cannot shape the replay's
 * allocator (freeing a large block raises glibc's mmap threshold, which a forked replay would
 * inherit). The check also gives the exact event count and live-block peak, which size the
 * replay's sample storage and address map. Then each trim setting replays in a fresh child
 * process, like `trimlab --all`. The trace is read twice, so it must be a regular file (a FIFO
 * would hand the check its bytes and the replay none). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "child_run.h"
#include "child_signals.h"
#include "cli/replay_cli.h"
#include "cli/report_table.h"
#include "cli/results_json.h"
#include "commands.h"
#include "engine/engine.h"
#include "failed_run.h"
#include "output_file.h"
#include "run_each.h"
#include "shared/message.h"
#include "trace_file.h"

/* What the check child hands the parent. */
typedef struct trace_check {
    tl_trace_reader reader;
    tl_trace_stats stats;
} trace_check;

typedef struct replay_job {
    const char *path;
    const tl_cli_options *options;
    const tl_cli_run *run; /* the one being replayed, of options->runs */
    int quiet;
    trace_check check;
} replay_job;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int exit_code_for(int status) {
    return status == TL_OK              ? 0
           : status == TL_ERR_OOM       ? EXIT_OUT_OF_MEMORY
           : status == TL_ERR_BAD_TRACE ? EXIT_BAD_INPUT
           : status == TL_ERR_BAD_VALUE ? EXIT_BAD_INPUT
                                        : EXIT_FAILED;
}

/* ---- the check ---- */

static int check_work(void *context, FILE *out) {
    const replay_job *job = context;
    static tl_replay replay;
    tl_trace_file file;
    tl_error err;
    int status = tl_trace_file_open(&file, job->path, &err);
    if (status == TL_OK) {
        status = tl_trace_file_check(&file, &replay, &err);
        tl_replay_close(&replay);
        tl_trace_file_close(&file);
    }
    if (status != TL_OK)
        return tl_trace_file_report(job->path, &err);
    trace_check result = {replay.reader, replay.stats};
    return fwrite(&result, sizeof result, 1, out) == 1 ? 0 : EXIT_FAILED;
}

static int run_check(replay_job *job) {
    tl_child_output out = {NULL, 0, 0, 0};
    int code = tl_run_in_child(check_work, job, &out);
    if (code == 0 && out.length == sizeof job->check) {
        memcpy(&job->check, out.data, sizeof job->check);
    } else if (code <= 0 && !tl_child_stop_signal()) {
        char error[128];
        tl_failed_run_error(&out, code, error, sizeof error);
        tl_say("%s: the check of the trace failed: %s", tl_q(job->path), error);
        code = EXIT_FAILED;
    }
    free(out.data);
    return code;
}

/* ---- one replay, in its child ---- */

/* Sample storage before the run, every page written, so it is part of the baseline and does
 * not show up as growth while the trace replays. */
static tl_sample *allocate_samples(uint32_t capacity) {
    tl_sample *samples = calloc(capacity, sizeof *samples);
    volatile unsigned char *bytes = (volatile unsigned char *)samples;
    for (size_t offset = 0; samples && offset < capacity * sizeof *samples; offset += 4096)
        bytes[offset] = 0;
    return samples;
}

/* Feeds the replay before every step (a step never waits for input) and steps to the end. */
static int step_all(tl_engine *engine, tl_trace_file *file, tl_replay *replay, tl_sample *samples,
                    uint32_t capacity, uint32_t *count, tl_error *err) {
    tl_trace_file_start(file, replay);
    while (*count < capacity) {
        if (tl_trace_file_feed(file, replay, err) != TL_OK)
            return err->code;
        if (!tl_engine_step(engine, &samples[*count]))
            break;
        (*count)++;
    }
    return TL_OK;
}

static void report(const replay_job *job, FILE *json, const tl_run_record *record) {
    if (record->sample_count > 0) /* a run without samples is not a results-format run */
        tl_json_write_run(json, record);
    if (!job->quiet && record->sample_count > 0) {
        tl_print_run_table(stdout, record);
        tl_print_trace_line(stdout, job->path, record->trace);
    }
    if (record->outcome != TL_OK)
        tl_say("%s: %s", tl_q(job->path), record->error);
}

static int replay_work(void *context, FILE *json) {
    const replay_job *job = context;
    static tl_engine engine;
    static tl_replay replay;
    tl_trace_file file;
    tl_error err;
    if (tl_trace_file_open(&file, job->path, &err) != TL_OK)
        return tl_trace_file_report(job->path, &err);
    tl_replay_init(&replay, &file.reader, 1);
    replay.map_blocks = job->check.stats.max_live_blocks;
    replay.expected_events = job->check.stats.events;
    replay.expected_moved_bytes =
        tl_add_saturated(job->check.stats.allocated_bytes, job->check.stats.freed_bytes);
    uint32_t capacity = tl_engine_sample_capacity(&tl_scenario_replay, &job->run->params, &replay);
    uint32_t count = 0;
    tl_sample *samples = allocate_samples(capacity);
    if (samples == NULL) {
        tl_say("no memory for %u samples", capacity);
        return EXIT_OUT_OF_MEMORY;
    }
    double start = now_ms();
    int status = tl_engine_begin(&engine, &tl_scenario_replay, &job->run->params, &replay,
                                 job->run->trim_enabled);
    int io = status == TL_OK ? step_all(&engine, &file, &replay, samples, capacity, &count, &err)
                             : TL_OK;
    tl_run_record record = {&tl_scenario_replay,
                            &job->run->params,
                            job->run->trim_enabled,
                            samples,
                            count,
                            &engine.summary,
                            status == TL_OK ? engine.outcome : status,
                            engine.error.message,
                            now_ms() - start,
                            NULL,
                            tl_platform_host(),
                            NULL,
                            0,
                            NULL,
                            NULL,
                            0};
    tl_engine_end(&engine);
    tl_trace_file_close(&file);
    if (io != TL_OK) {
        free(samples);
        return tl_trace_file_report(job->path, &err);
    }
    tl_trace_figures trace = tl_replay_figures(&replay);
    record.trace = &trace;
    report(job, json, &record);
    free(samples);
    return exit_code_for(record.outcome);
}

/* ---- the parent ---- */

/* The replay the child reported or, when it died or ended without one, a failed run in its
 * place (its trace as the check read it, nothing replayed), with a line on stderr. Returns the
 * run's exit code: a child that exited gave its own (it said why: a read error is 2). */
static int write_replay(FILE *json, unsigned index, const replay_job *job,
                        const tl_child_output *child, int code) {
    if (tl_child_reported(child, code)) {
        tl_json_add_run_text(json, index, child->data);
        return code;
    }
    static tl_replay checked; /* static: zeroed, and a replay is large */
    char error[128];
    tl_failed_run_error(child, code, error, sizeof error);
    tl_say("%s: the replay with trim %s: %s", tl_q(job->path),
           job->run->trim_enabled ? "enabled" : "disabled", error);
    checked.reader = job->check.reader;
    tl_run_record failed = tl_failed_run(job->run, error, child->elapsed_ms);
    tl_trace_figures trace = tl_replay_figures(&checked);
    failed.trace = &trace;
    tl_json_add_run(json, index, &failed);
    return code > 0 ? code : EXIT_FAILED;
}

/* Replay `index` in a child process of its own, written to the document (tl_run_one). */
static int replay_one(void *context, unsigned index, FILE *json) {
    replay_job *job = context;
    tl_child_output child = {NULL, 0, 0, 0};
    job->run = &job->options->runs[index];
    int code = tl_run_in_child(replay_work, job, &child);
    code = tl_child_stop_signal() ? 0 : write_replay(json, index, job, &child, code);
    free(child.data);
    return code;
}

/* A trace cut short replays the events its header counts; say so once, before the runs. */
static void note_cut_short(const replay_job *job) {
    const tl_trace_reader *r = &job->check.reader;
    if (r->complete)
        return;
    char dropped[128] = "";
    if (r->dropped_bytes)
        snprintf(dropped, sizeof dropped,
                 "; %" PRIu64 " bytes after them ignored (a flush the recorder did not finish)",
                 r->dropped_bytes);
    tl_say("%s: cut short (no COMPLETE flag): replaying its %" PRIu64 " events%s", tl_q(job->path),
           r->header.event_count, dropped);
}

/* A trace is read twice, by the check and by each replay: a FIFO or a device would not give the
 * same bytes again (and the check would wait on a FIFO for a writer). A missing file or a folder
 * is left to the check, which says why it cannot be read. */
static int refuse_unreadable_twice(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return 0;
    tl_say("%s: not a regular file: a replay reads its trace twice (to check it, then to replay "
           "it)",
           tl_q(path));
    return 1;
}

/* The check, then the replays (*replayed set once they start). */
static int check_and_replay(const tl_cli_options *options, replay_job *job, FILE *json,
                            int *replayed) {
    tl_error err;
    int code = run_check(job);
    if (code != 0)
        return code;
    uint64_t per_step = options->runs[0].params.value[TL_REPLAY_P_EVENTS_PER_STEP];
    if (tl_replay_check_steps(job->check.stats.events, per_step, &err) != TL_OK) {
        tl_say("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    note_cut_short(job);
    *replayed = 1;
    return tl_run_each(options, json, replay_one, job);
}

int tl_cmd_replay(int argc, char **argv) {
    tl_cli_options options;
    const char *path;
    tl_error err;
    if (tl_replay_cli_parse(argc, argv, &options, &path, &err) != TL_OK) {
        tl_say("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    if (options.action == TL_CLI_HELP) {
        fputs(tl_replay_usage, stdout);
        return 0;
    }
    if (refuse_unreadable_twice(path))
        return EXIT_BAD_INPUT;
    tl_child_signals_watch();
    tl_output_file output;
    /* The trace itself is refused as the output: it would be replaced by the results. */
    if (tl_output_open(&output, "--json", options.json_path, path, &err) != TL_OK) {
        tl_say("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    replay_job job;
    memset(&job, 0, sizeof job);
    job.path = path;
    job.options = &options;
    job.quiet = options.quiet;
    int replayed = 0;
    int code = check_and_replay(&options, &job, output.stream, &replayed);
    int stop = tl_child_stop_signal();
    if (tl_output_finish(&output, replayed && !stop) != 0)
        return EXIT_FAILED;
    return stop ? 128 + stop : code;
}
