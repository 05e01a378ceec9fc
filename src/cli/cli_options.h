/* The native CLI's command line and environment, parsed and validated before anything runs. */
#ifndef TL_CLI_OPTIONS_H
#define TL_CLI_OPTIONS_H

#include "engine/params.h"
#include "scenarios/scenarios.h"

/* Room for `--all --trim both` of 16 scenarios (test_cli_options checks the registry fits). */
#define TL_CLI_MAX_RUNS 32

enum tl_cli_action { TL_CLI_RUN, TL_CLI_LIST, TL_CLI_HELP, TL_CLI_VERSION };

/* Each command's synopsis, said once: in its own --help and in the main one's "Usage:". */
#define TL_SYNOPSIS_RECORD "trimlab record -o TRACE -- PROGRAM [ARGS...]"
#define TL_SYNOPSIS_MEASURE "trimlab measure -o FILE -- PROGRAM [ARGS...]"
#define TL_SYNOPSIS_TRACE_INFO "trimlab trace-info TRACE [--json]"
#define TL_SYNOPSIS_REPLAY "trimlab replay TRACE [OPTION]..."

typedef struct tl_cli_run {
    const tl_scenario *scenario;
    tl_params params;
    int trim_enabled;
} tl_cli_run;

typedef struct tl_cli_options {
    enum tl_cli_action action;
    const char *json_path; /* NULL: no JSON file */
    int quiet;             /* no tables on stdout */
    int map;               /* memory maps at the moments of memory_map.h */
    unsigned run_count;
    tl_cli_run runs[TL_CLI_MAX_RUNS];
} tl_cli_options;

/* Parses argv and the environment (DISABLE_MALLOC_TRIM, BUCKET_MODEL, ENABLE_CUSTOM_BUCKETS).
 * On bad input returns an error code with one line in err naming the value and what is allowed:
 * also a repeated option that takes one value, --no-trim with --trim, --list with an option of
 * a run, and a switch variable that is neither 1/true/yes/on nor 0/false/no/off/empty. */
int tl_cli_parse(int argc, char **argv, tl_cli_options *options, tl_error *err);
/* The main command's --help, laid out as help2man reads it: the manual page trimlab(1) is made
 * from the native --help, which adds each command's section (Makefile, "manual page"). */
extern const char tl_cli_usage[];

/* What the main command line and replay's share. */

/* An option that takes one value (*slot NULL until given): refuses a second, naming both. */
int tl_cli_single(const char *flag, const char **slot, const char *value, tl_error *err);

/* The trim choice: --no-trim or --trim on|off|both (once), else DISABLE_MALLOC_TRIM. */
typedef struct tl_cli_trim {
    const char *value; /* --trim's, NULL: not given */
    int no_trim;       /* --no-trim given */
    int on, off;       /* after tl_cli_trim_finish: a run with trim, a run without */
} tl_cli_trim;

/* --trim VALUE, or --no-trim when value is NULL. */
int tl_cli_trim_option(tl_cli_trim *trim, const char *value, tl_error *err);
/* After the command line: which runs, with DISABLE_MALLOC_TRIM read and checked. */
int tl_cli_trim_finish(tl_cli_trim *trim, tl_error *err);
/* Appends the runs of `scenario` that `trim` chose: with trim first, then without. */
void tl_cli_add_runs(tl_cli_options *options, const tl_scenario *scenario, const tl_params *params,
                     const tl_cli_trim *trim);
/* The results document's "trim" for these runs (tl_results_trim). */
const char *tl_cli_document_trim(const tl_cli_options *options);

#endif
