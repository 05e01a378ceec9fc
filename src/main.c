/* The native CLI: validates everything first, then runs each scenario in a fresh child process
 * so one scenario's allocator state cannot colour the next. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_options.h"
#include "report_table.h"
#include "results_json.h"
#include "runner.h"

/* Built with AddressSanitizer (gcc: __SANITIZE_ADDRESS__, clang: __has_feature): LeakSanitizer
 * checks at exit(), which a child leaving through _exit() skips, so the child checks itself. */
#if defined(__SANITIZE_ADDRESS__)
#define TL_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_LEAK_CHECK 1
#endif
#endif
#ifdef TL_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

enum { EXIT_BAD_INPUT = 2, EXIT_OUT_OF_MEMORY = 3 };

typedef struct text_buffer {
    char *data;
    size_t length;
} text_buffer;

static int read_all(int fd, text_buffer *buffer) {
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        char *grown = realloc(buffer->data, buffer->length + (size_t)n + 1);
        if (grown == NULL)
            return 0;
        memcpy(grown + buffer->length, chunk, (size_t)n);
        buffer->data = grown;
        buffer->length += (size_t)n;
        buffer->data[buffer->length] = '\0';
    }
    return 1;
}

static void run_child(const tl_cli_run *run, int fd, int quiet) {
    FILE *json = fdopen(fd, "w");
    int outcome = json ? tl_run_once(run, json, quiet ? NULL : stdout) : TL_ERR_OOM;
    if (json)
        fclose(json);
    fflush(stdout);
#ifdef TL_LEAK_CHECK
    __lsan_do_leak_check(); /* a leak ends the child with an error exit and a report */
#endif
    _exit(outcome == TL_OK ? 0 : EXIT_OUT_OF_MEMORY);
}

/* Returns the child's exit code, or -1 when it could not run or died. */
static int run_in_child(const tl_cli_run *run, int quiet, text_buffer *json) {
    int fds[2];
    fflush(NULL);
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(run, fds[1], quiet);
    }
    close(fds[1]);
    int read_ok = pid > 0 && read_all(fds[0], json);
    close(fds[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !read_ok)
        return -1;
    if (!WIFEXITED(status)) {
        fprintf(stderr, "trimlab: scenario %s died (signal %d)\n", run->scenario->name,
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return -1;
    }
    return WEXITSTATUS(status);
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
        text_buffer run_json = {NULL, 0};
        int code = run_in_child(&options->runs[i], options->quiet, &run_json);
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
    tl_cli_options options;
    tl_error err;
    if (tl_cli_parse(argc, argv, &options, &err) != TL_OK) {
        fprintf(stderr, "trimlab: %s\n", err.message);
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
        fprintf(stderr, "trimlab: --json '%s' cannot be written: %s\n", options.json_path,
                strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int exit_code = run_all(&options, json_file);
    if (json_file && fclose(json_file) != 0) {
        fprintf(stderr, "trimlab: writing '%s' failed: %s\n", options.json_path, strerror(errno));
        return 1;
    }
    return exit_code;
}
