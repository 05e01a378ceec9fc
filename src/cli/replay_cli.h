/* What the native CLI and the WebAssembly module's Node runner share for traces, so that both
 * take the same arguments and write the same JSON: the `replay` command line, the run object
 * with its `trace` (docs/results-format.md) and the trace's figures as JSON. */
#ifndef TL_REPLAY_CLI_H
#define TL_REPLAY_CLI_H

#include <stdio.h>

#include "cli_options.h"
#include "run_record.h"
#include "scenarios/scenario_replay.h"

/* `trimlab replay --help`; tl_replay_help is its part after the "Usage:" line, the replay's
 * section of the native main --help. */
extern const char tl_replay_usage[];
extern const char *const tl_replay_help;

/* argv[0] is "replay"; then TRACE [--no-trim | --trim on|off|both] [--set events_per_step=N]
 * [--json FILE] [--quiet] [--help], and DISABLE_MALLOC_TRIM as --no-trim. Fills `options` as
 * tl_cli_parse does (runs of tl_scenario_replay) and *trace with the trace's path. On bad input
 * (also a repeated --trim or --json, --no-trim with --trim) returns an error code with one line
 * in err. */
int tl_replay_cli_parse(int argc, char **argv, tl_cli_options *options, const char **trace,
                        tl_error *err);

/* What a replay's run reports of its trace (tl_run_record's `trace`); the program name stays in
 * `replay`. */
tl_trace_figures tl_replay_figures(const tl_replay *replay);

/* The header and everything counted while reading: trace-info --json, and the module's check. */
void tl_replay_write_info(FILE *out, const tl_replay *replay);

#endif
