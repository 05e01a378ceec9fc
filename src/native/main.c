/* The native CLI: validates everything first, then runs each scenario in a fresh child process
 * so one scenario's allocator state cannot colour the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child_run.h"
#include "child_signals.h"
#include "cli/cli_options.h"
#include "cli/replay_cli.h"
#include "cli/report_table.h"
#include "cli/results_json.h"
#include "commands.h"
#include "failed_run.h"
#include "output_file.h"
#include "run_each.h"
#include "runner.h"
#include "shared/message.h"
#include "shared/version.h"

typedef struct scenario_job {
    const tl_cli_run *run;
    int quiet;
    int map;
} scenario_job;

/* One scenario run, in a child process of its own (child_run.c). */
static int run_scenario(void *context, FILE *json) {
    const scenario_job *job = context;
    int outcome = tl_run_once(job->run, job->map, json, job->quiet ? NULL : stdout);
    return outcome == TL_OK ? 0 : EXIT_OUT_OF_MEMORY;
}

/* Writes the run the child reported or, when it died or ended without one, a failed run in its
 * place, with a line on stderr. Returns the run's exit code. */
static int write_run(FILE *json, unsigned index, const tl_cli_run *run,
                     const tl_child_output *child, int code) {
    if (tl_child_reported(child, code)) {
        tl_json_add_run_text(json, index, child->data);
        return code == 0 || code == EXIT_OUT_OF_MEMORY ? code : EXIT_FAILED;
    }
    char error[128];
    tl_failed_run_error(child, code, error, sizeof error);
    tl_say("scenario %s, trim %s: %s", run->scenario->name,
           run->trim_enabled ? "enabled" : "disabled", error);
    tl_run_record failed = tl_failed_run(run, error, child->elapsed_ms);
    tl_json_add_run(json, index, &failed);
    return EXIT_FAILED;
}

/* Run `index` in a child process of its own, written to the document (tl_run_one). */
static int run_one(void *context, unsigned index, FILE *json) {
    const tl_cli_options *options = context;
    tl_child_output child = {NULL, 0, 0, 0};
    scenario_job job = {&options->runs[index], options->quiet, options->map};
    int code = tl_run_in_child(run_scenario, &job, &child);
    code = tl_child_stop_signal() ? 0 : write_run(json, index, job.run, &child, code);
    free(child.data);
    return code;
}

/* The runs, with the results file made before the first and put in place after the last; a
 * stop signal leaves an existing file as it was and exits 128 + the signal. */
static int run_with_output(const tl_cli_options *options) {
    tl_output_file output;
    tl_error err;
    tl_child_signals_watch();
    if (tl_output_open(&output, "--json", options->json_path, NULL, &err) != TL_OK) {
        tl_say("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    int exit_code = tl_run_each(options, output.stream, run_one, (void *)options);
    int stop = tl_child_stop_signal();
    if (tl_output_finish(&output, !stop) != 0)
        return EXIT_FAILED;
    return stop ? 128 + stop : exit_code;
}

/* The whole command line, every command's section included: trimlab(1) is made from it. */
static void print_help(void) {
    printf("%s\nRecord:\n%s\nMeasure:\n%s\nTrace-info:\n%s\nReplay:\n%s", tl_cli_usage,
           tl_record_help, tl_measure_help, tl_trace_info_help, tl_replay_help);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "record") == 0)
        return tl_cmd_record(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "measure") == 0)
        return tl_cmd_measure(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "trace-info") == 0)
        return tl_cmd_trace_info(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "replay") == 0)
        return tl_cmd_replay(argc - 1, argv + 1);
    tl_cli_options options;
    tl_error err;
    if (tl_cli_parse(argc, argv, &options, &err) != TL_OK) {
        tl_say("%s", err.message);
        return EXIT_BAD_INPUT;
    }
    if (options.action == TL_CLI_HELP) {
        print_help();
        return 0;
    }
    if (options.action == TL_CLI_VERSION) {
        printf("trimlab %s\n", tl_version());
        return 0;
    }
    if (options.action == TL_CLI_LIST) {
        tl_print_scenario_list(stdout);
        return 0;
    }
    return run_with_output(&options);
}
