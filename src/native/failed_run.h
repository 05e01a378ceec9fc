/* A run whose child process died (a signal: the kernel's OOM killer sends SIGKILL) or ended
 * without reporting its run: it still appears in the results document, with outcome "failed", an
 * error saying how the child ended, no samples and a summary of zeros
 * (docs/results-format.md), so the document stays valid whatever happens to any child. */
#ifndef TL_FAILED_RUN_H
#define TL_FAILED_RUN_H

#include <stddef.h>

#include "child_run.h"
#include "cli/cli_options.h"
#include "cli/run_record.h"

/* Whether the child reported its run: it ended by itself (`code`, tl_run_in_child's result, is
 * not negative) and wrote one. */
int tl_child_reported(const tl_child_output *child, int code);

/* How the child ended: "killed by signal 9 (SIGKILL)", "ended with exit code 3 without
 * reporting its run", or that it could not be started. */
void tl_failed_run_error(const tl_child_output *child, int code, char *text, size_t size);

/* The run's record: `run`'s scenario, parameters and trim, outcome TL_ERR_RUN_FAILED, `error`, no
 * samples and a summary of zeros. */
tl_run_record tl_failed_run(const tl_cli_run *run, const char *error, double elapsed_ms);

#endif
