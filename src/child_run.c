#include "child_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asan.h"
#include "message.h"

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

int tl_run_in_child(tl_child_work work, void *context, const char *what, tl_child_output *output) {
    int fds[2];
    fflush(NULL);
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        run_child(work, context, fds[1]);
    }
    close(fds[1]);
    int read_ok = pid > 0 && read_all(fds[0], output);
    close(fds[0]);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !read_ok)
        return -1;
    if (!WIFEXITED(status)) {
        tl_say("%s died (signal %d)", what, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return -1;
    }
    return WEXITSTATUS(status);
}
