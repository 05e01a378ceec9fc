/* The native CLI: validates everything first, then runs each scenario in a fresh child process
 * so one scenario's allocator state cannot colour the next. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child_run.h"
#include "cli_options.h"
#include "commands.h"
#include "message.h"
#include "report_table.h"
#include "results_json.h"
#include "runner.h"

enum { EXIT_BAD_INPUT = 2, EXIT_OUT_OF_MEMORY = 3 };

typedef struct scenario_job {
    const tl_cli_run *run;
    int quiet;
} scenario_job;

/* One scenario run, in a child process of its own (child_run.c). */
static int run_scenario(void *context, FILE *json) {
    const scenario_job *job = context;
    int outcome = tl_run_once(job->run, json, job->quiet ? NULL : stdout);
    return outcome == TL_OK ? 0 : EXIT_OUT_OF_MEMORY;
}

static const char *document_trim(const tl_cli_options *options) {
    int enabled = 0;
    for (unsigned i = 0; i < options->run_count; i++)
        enabled += options->runs[i].trim_enabled;
    return enabled == 0 ? "disabled" : enabled == (int)options->run_count ? "enabled" : "mixed";
}

static int run_all(const tl_cli_options *options, FILE *json_file) {
    int exit_code = 0;
    if (json_file)
        tl_json_begin_document(json_file, document_trim(options));
    for (unsigned i = 0; i < options->run_count; i++) {
        tl_child_output run_json = {NULL, 0};
        scenario_job job = {&options->runs[i], options->quiet};
        char what[64];
        snprintf(what, sizeof what, "scenario %s", options->runs[i].scenario->name);
        int code = tl_run_in_child(run_scenario, &job, what, &run_json);
        if (code < 0 || (code != 0 && code != EXIT_OUT_OF_MEMORY) || run_json.length == 0)
            exit_code = 1;
        else if (code == EXIT_OUT_OF_MEMORY && exit_code == 0)
            exit_code = EXIT_OUT_OF_MEMORY;
        if (json_file && run_json.length)
            fprintf(json_file, "%s%s", i ? "," : "", run_json.data);
        free(run_json.data);
    }
    if (json_file)
        tl_json_end_document(json_file);
    return exit_code;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "record") == 0)
        return tl_cmd_record(argc - 1, argv + 1);
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
        fputs(tl_cli_usage, stdout);
        return 0;
    }
    if (options.action == TL_CLI_LIST) {
        tl_print_scenario_list(stdout);
        return 0;
    }
    FILE *json_file = NULL;
    if (options.json_path && (json_file = fopen(options.json_path, "w")) == NULL) {
        tl_say("--json '%s' cannot be written: %s", tl_q(options.json_path), strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int exit_code = run_all(&options, json_file);
    if (json_file && fclose(json_file) != 0) {
        tl_say("writing '%s' failed: %s", tl_q(options.json_path), strerror(errno));
        return 1;
    }
    return exit_code;
}
