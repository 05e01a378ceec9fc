/* The native CLI's subcommands: `trimlab record`, `trimlab trace-info`, `trimlab replay`,
 * `trimlab measure`.
 * Each takes its own argv (argv[0] is the subcommand's name) and returns the exit code. */
#ifndef TL_COMMANDS_H
#define TL_COMMANDS_H

/* The exit codes every command agrees on: 0 when every run completed, 128 + N when trimlab was
 * stopped by signal N (README, "Exit codes"). */
enum { EXIT_FAILED = 1, EXIT_BAD_INPUT = 2, EXIT_OUT_OF_MEMORY = 3 };

/* Who wrote a results document, in its "generator" (`trimlab --json`, `trimlab replay --json`). */
#define TL_NATIVE_GENERATOR "native"

int tl_cmd_record(int argc, char **argv);
int tl_cmd_trace_info(int argc, char **argv);
int tl_cmd_replay(int argc, char **argv);
int tl_cmd_measure(int argc, char **argv);

/* `trimlab record --help`, `trimlab measure --help` and `trimlab trace-info --help`; each *_help is
 * the part after the "Usage:" line, the command's section of the main --help. */
extern const char tl_record_usage[];
extern const char *const tl_record_help;
extern const char tl_measure_usage[];
extern const char *const tl_measure_help;
extern const char tl_trace_info_usage[];
extern const char *const tl_trace_info_help;

#endif
