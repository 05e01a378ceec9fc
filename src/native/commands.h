/* The native CLI's trace subcommands: `trimlab record`, `trimlab trace-info`, `trimlab replay`.
 * Each takes its own argv (argv[0] is the subcommand's name) and returns the exit code. */
#ifndef TL_COMMANDS_H
#define TL_COMMANDS_H

/* The results documents' "generator" (`trimlab --json`, `trimlab replay --json`). */
#define TL_NATIVE_GENERATOR "trimlab native CLI"

int tl_cmd_record(int argc, char **argv);
int tl_cmd_trace_info(int argc, char **argv);
int tl_cmd_replay(int argc, char **argv);

#endif
