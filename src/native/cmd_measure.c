/* `trimlab measure -o FILE -- PROGRAM [ARGS...]`: runs PROGRAM as it is (no preload) and reads
 * its memory from /proc/PID/statm every few milliseconds until it exits, into a results document
 * with one program run (docs/results-format.md). Its last reading is the last one before the
 * program's memory went away at exit: what it held then. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_run.h"
#include "child_signals.h"
#include "cli/cli_options.h"
#include "cli/results_json.h"
#include "commands.h"
#include "failed_run.h"
#include "measure_samples.h"
#include "output_file.h"
#include "program.h"
#include "shared/message.h"

/* Readings kept at most (thinned beyond: measure_samples.h), and the first interval. */
enum { MAX_SAMPLES = 4096, FIRST_INTERVAL_US = 5000 };

static const char usage[] = "usage: " TL_SYNOPSIS_MEASURE;
const char tl_measure_usage[] =
    "Usage: " TL_SYNOPSIS_MEASURE "\n"
    "  Runs PROGRAM (no preload: any program, static ones too) and reads its\n"
    "  resident set and its anonymous part from its statm in /proc every 5 ms\n"
    "  (less often once 4096 readings are kept) and last just before it exits.\n"
    "  Writes them to FILE as one run of the results format; FILE is replaced\n"
    "  once PROGRAM has ended.\n"
    "\n"
    "  -o FILE              the results file to write\n"
    "  --                   the end of the options: PROGRAM and its arguments follow\n"
    "  -h, --help           print this help and exit\n"
    "  exit status          0 the program exited 0; 1 it exited otherwise, was\n"
    "                       killed or could not be followed once started (the run\n"
    "                       is failed, its readings kept), or FILE could not be\n"
    "                       written; 2 bad input, a program not found\n"
    "                       or not executable (one line on stderr, nothing run);\n"
    "                       128+N trimlab was stopped by signal N\n";
const char *const tl_measure_help =
    tl_measure_usage + sizeof("Usage: " TL_SYNOPSIS_MEASURE "\n") - 1;

#define refuse(...) (tl_say("measure: " __VA_ARGS__), EXIT_BAD_INPUT)

static int bad_usage(const char *what, const char *value) {
    return refuse("%s%s%s (%s)", what, value ? " " : "", value ? tl_q(value) : "", usage);
}

/* -1 when the program's name and arguments are within what the results format holds, else 2. */
static int program_fits(char **program) {
    if (strlen(program[0]) > TL_PROGRAM_NAME_MAX)
        return refuse("the program's name is longer than %d bytes", TL_PROGRAM_NAME_MAX);
    int count = 0;
    for (char **argument = program + 1; *argument != NULL; argument++, count++)
        if (strlen(*argument) > TL_PROGRAM_ARG_MAX)
            return refuse("argument %d of the program is longer than %d bytes", count + 1,
                          TL_PROGRAM_ARG_MAX);
    if (count > TL_PROGRAM_ARGS_MAX)
        return refuse("%d arguments after the program: at most %d", count, TL_PROGRAM_ARGS_MAX);
    return -1;
}

/* Returns -1 when the arguments are good (the program's argv in *program), else the exit code. */
static int parse_args(int argc, char **argv, const char **output, char ***program) {
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(tl_measure_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "-o") != 0)
            return bad_usage(argv[i][0] == '-' ? "unknown option" : "missing '--' before", argv[i]);
        if (i + 1 >= argc || argv[i + 1][0] == '\0' || strcmp(argv[i + 1], "--") == 0)
            return bad_usage("-o needs a results file name", NULL);
        tl_error err;
        if (tl_cli_single("-o", output, argv[++i], &err) != TL_OK)
            return bad_usage(err.message, NULL);
    }
    if (*output == NULL)
        return bad_usage("missing -o FILE", NULL);
    if (i >= argc)
        return bad_usage("missing '--' before the program", NULL);
    if (i + 1 >= argc || argv[i + 1][0] == '\0')
        return bad_usage("missing the program after '--'", NULL);
    *program = argv + i + 1;
    return program_fits(*program);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Whether to stop following: the program exited, or it cannot be waited for any more (ECHILD:
 * a SIGCHLD ignored by trimlab's parent is inherited, and the kernel reaps the program itself). */
static int has_exited(pid_t pid) {
    siginfo_t info;
    info.si_pid = 0;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno != EINTR;
    return info.si_pid == pid;
}

/* Reads the program's memory until it exits, then reaps it (*status as waitpid gives it);
 * -1 with errno when it cannot be reaped. A reading of 0 is a process whose memory is gone
 * (exiting): not kept. */
static int follow(pid_t pid, tl_measure_samples *samples, double start, int *status) {
    char statm[64];
    snprintf(statm, sizeof statm, "/proc/%ld/statm", (long)pid);
    int fd = open(statm, O_RDONLY | O_CLOEXEC);
    long interval_us = FIRST_INTERVAL_US;
    while (1) {
        uint64_t anon = 0, footprint = tl_probe_statm(fd, &anon);
        if (footprint > 0 && tl_measure_samples_add(samples, now_ms() - start, footprint, anon))
            interval_us *= 2;
        if (has_exited(pid))
            break;
        struct timespec pause = {interval_us / 1000000, interval_us % 1000000 * 1000};
        nanosleep(&pause, NULL); /* a signal cuts it short: it went on to the program */
    }
    if (fd >= 0)
        close(fd);
    return tl_child_wait(pid, status);
}

/* How the program ended, for a failed run's "error" (NULL: it exited 0). */
static const char *ending(int status, char *text, size_t size) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return NULL;
    tl_child_output child = {NULL, 0, WIFSIGNALED(status) ? WTERMSIG(status) : 0, 0};
    if (WIFSIGNALED(status))
        tl_failed_run_error(&child, -1, text, size);
    else
        snprintf(text, size, "exited with status %d", WEXITSTATUS(status));
    return text;
}

static void write_document(FILE *out, char **program, tl_measure_samples *samples,
                           const char *error, double elapsed_ms) {
    tl_summary summary;
    tl_measure_samples_finish(samples, &summary);
    tl_params no_params;
    memset(&no_params, 0, sizeof no_params);
    tl_program_figures figures = {program[0], program + 1};
    tl_run_record run = {&tl_program_scenario,
                         &no_params,
                         0,
                         samples->samples,
                         samples->count,
                         &summary,
                         error ? TL_ERR_RUN_FAILED : TL_OK,
                         error,
                         elapsed_ms,
                         NULL,
                         tl_platform_host(),
                         NULL,
                         0,
                         &figures,
                         NULL,
                         0};
    /* glibc's malloc_trim is never called by trimlab here (the program's free may trim). */
    tl_json_begin_document(out, TL_NATIVE_GENERATOR, "glibc", "disabled");
    tl_json_add_run(out, 0, &run);
    tl_json_end_document(out);
}

/* Follows the started program to its end: NULL when it exited 0, else why its run failed. */
static const char *follow_to_end(pid_t pid, tl_measure_samples *samples, double start, char *text,
                                 size_t size) {
    int status = 0;
    if (follow(pid, samples, start, &status) == 0)
        return ending(status, text, size);
    snprintf(text, size, "could not be followed: %s", strerror(errno));
    return text;
}

/* Runs and follows the program, then writes the document; returns the exit code. Only a program
 * that could not be started is refused (exit 2); what goes wrong later fails its run (exit 1). */
static int measure(const char *path, char **program, tl_output_file *output,
                   tl_measure_samples *samples) {
    fflush(NULL);
    double start = now_ms();
    pid_t pid = tl_program_start(path, program, NULL, NULL);
    if (pid < 0) {
        int error = errno, stop = tl_child_stop_signal();
        tl_output_finish(output, 0);
        return stop ? 128 + stop : refuse("cannot run '%s': %s", tl_q(program[0]), strerror(error));
    }
    char text[128];
    const char *error = follow_to_end(pid, samples, start, text, sizeof text);
    double elapsed_ms = now_ms() - start;
    int stop = tl_child_stop_signal();
    if (stop) {
        tl_output_finish(output, 0);
        return 128 + stop;
    }
    if (error)
        tl_say("measure: '%s' %s", tl_q(program[0]), error);
    write_document(output->stream, program, samples, error, elapsed_ms);
    if (tl_output_finish(output, 1) != 0)
        return EXIT_FAILED;
    return error ? EXIT_FAILED : 0;
}

int tl_cmd_measure(int argc, char **argv) {
    const char *output_path = NULL;
    char **program = NULL;
    char path[PATH_MAX];
    int code = parse_args(argc, argv, &output_path, &program);
    if (code >= 0)
        return code;
    int error = tl_find_program(program[0], path, sizeof path);
    if (error != 0)
        return refuse("program '%s': %s", tl_q(program[0]), tl_program_problem(program[0], error));
    tl_child_signals_watch();
    tl_output_file output;
    tl_error err;
    if (tl_output_open(&output, "-o", output_path, NULL, &err) != TL_OK)
        return refuse("%s", err.message);
    tl_measure_samples samples;
    if (tl_measure_samples_init(&samples, MAX_SAMPLES) != 0) {
        tl_output_finish(&output, 0);
        tl_say("measure: out of memory for the readings");
        return EXIT_OUT_OF_MEMORY;
    }
    code = measure(path, program, &output, &samples);
    tl_measure_samples_free(&samples);
    return code;
}
