/* Runs one scenario to the end in this process and reports it as JSON and as a table. */
#ifndef TL_RUNNER_H
#define TL_RUNNER_H

#include <stdio.h>

#include "cli/cli_options.h"

/* Returns the run's outcome (TL_OK or TL_ERR_OOM), or TL_ERR_OOM when not even the sample table
 * could be allocated. `table` may be NULL. With `map`, the run's memory maps (run_maps.h) go to
 * the JSON and, one line each, under the table. */
int tl_run_once(const tl_cli_run *run, int map, FILE *json, FILE *table);

#endif
