/* The native CLI's command line and environment, parsed and validated before anything runs. */
#ifndef TL_CLI_OPTIONS_H
#define TL_CLI_OPTIONS_H

#include "params.h"
#include "scenarios.h"

#define TL_CLI_MAX_RUNS 16

enum tl_cli_action { TL_CLI_RUN, TL_CLI_LIST, TL_CLI_HELP };

typedef struct tl_cli_run {
    const tl_scenario *scenario;
    tl_params params;
    int trim_enabled;
} tl_cli_run;

typedef struct tl_cli_options {
    enum tl_cli_action action;
    const char *json_path; /* NULL: no JSON file */
    int quiet;             /* no tables on stdout */
    unsigned run_count;
    tl_cli_run runs[TL_CLI_MAX_RUNS];
} tl_cli_options;

/* Parses argv and the environment (DISABLE_MALLOC_TRIM, BUCKET_MODEL, ENABLE_CUSTOM_BUCKETS).
 * On bad input returns an error code with one line in err naming the value and what is allowed. */
int tl_cli_parse(int argc, char **argv, tl_cli_options *options, tl_error *err);
extern const char tl_cli_usage[];

#endif
