/* The runs of one command line (`trimlab --all`, `trimlab replay --trim both`), one after
 * another, into one results document, until all are done or trimlab is asked to stop. */
#ifndef TL_RUN_EACH_H
#define TL_RUN_EACH_H

#include <stdio.h>

#include "cli/cli_options.h"
#include "commands.h"

/* Runs run `index` (in a child process) and writes it to `json` (NULL: no document); returns its
 * exit code, 0 when trimlab was asked to stop meanwhile (nothing is written then). */
typedef int (*tl_run_one)(void *context, unsigned index, FILE *json);

/* The worse of two exit codes: a failure, then bad input, then out of memory, then 0. */
int tl_worse_exit(int a, int b);

/* Every run of `options` through `run_one`, inside a results document when `json` is given;
 * returns the worst of their exit codes. */
int tl_run_each(const tl_cli_options *options, FILE *json, tl_run_one run_one, void *context);

#endif
