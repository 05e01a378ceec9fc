#include "child_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asan.h"
#include "child_signals.h"

/* Under AddressSanitizer, LeakSanitizer checks at exit(), which a child leaving through _exit()
 * skips, so the child checks itself. */
#if TL_UNDER_ASAN
#include <sanitizer/lsan_interface.h>
#endif

/* The child could not even open its output: the only cause is memory, as for a failed run. */
#define EXIT_NO_OUTPUT 3

static int read_all(int fd, tl_child_output *output) {
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        char *grown = realloc(output->data, output->length + (size_t)n + 1);
        if (grown == NULL)
            return 0;
        memcpy(grown + output->length, chunk, (size_t)n);
        output->data = grown;
        output->length += (size_t)n;
        output->data[output->length] = '\0';
    }
    return 1;
}

static void run_child(tl_child_work work, void *context, int fd) {
    FILE *out = fdopen(fd, "w");
    int code = out ? work(context, out) : EXIT_NO_OUTPUT;
    if (out)
        fclose(out);
    fflush(stdout);
    fflush(stderr);
#if TL_UNDER_ASAN
    __lsan_do_leak_check(); /* a leak ends the child with an error exit and a report */
#endif
    _exit(code);
}

static double elapsed_ms(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

int tl_run_in_child(tl_child_work work, void *context, tl_child_output *output) {
    int fds[2];
    struct timespec start;
    fflush(NULL);
    if (pipe(fds) != 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = tl_child_fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(work, context, fds[1]);
    }
    close(fds[1]);
    int read_ok = pid > 0 && read_all(fds[0], output);
    close(fds[0]);
    int status = 0;
    if (pid < 0 || tl_child_wait(pid, &status) < 0)
        return -1;
    output->elapsed_ms = elapsed_ms(&start);
    if (WIFSIGNALED(status))
        output->signal = WTERMSIG(status);
    return WIFEXITED(status) && read_ok ? WEXITSTATUS(status) : -1;
}
