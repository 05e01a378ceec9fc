#include "program.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_signals.h"

/* 0 when `path` is an executable regular file, else why not. */
static int executable_file(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        return EACCES;
    return 0;
}

int tl_find_program(const char *name, char *path, size_t size) {
    if (strchr(name, '/'))
        return snprintf(path, size, "%s", name) < (int)size ? executable_file(path) : ENAMETOOLONG;
    const char *dirs = getenv("PATH");
    if (dirs == NULL)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    /* The first entry's error stands unless a later one holds the program (as execvp reports). */
    int first_error = ENOENT;
    while (1) {
        size_t length = strcspn(dirs, ":");
        int n = length ? snprintf(path, size, "%.*s/%s", (int)length, dirs, name)
                       : snprintf(path, size, "%s", name); /* an empty entry is "." */
        int error = n < (int)size ? executable_file(path) : ENAMETOOLONG;
        if (error == 0)
            return 0;
        if (first_error == ENOENT && error != ENOENT && error != ENOTDIR)
            first_error = error;
        if (dirs[length] == '\0')
            return first_error;
        dirs += length + 1;
    }
}

const char *tl_program_problem(const char *name, int error) {
    if (error == ENOENT || error == ENOTDIR)
        return strchr(name, '/') ? "no such file" : "not found in PATH";
    if (error == EACCES)
        return "not an executable file (permission denied)";
    if (error == EISDIR)
        return "a folder, not a program";
    return strerror(error);
}

/* In the child: prepare, then exec. A failure goes to the parent through the close-on-exec pipe,
 * which an exec that succeeds closes empty. */
static void run_child(const char *path, char **argv, tl_program_prepare prepare, void *context,
                      int report_fd) {
    int error = prepare ? prepare(context) : 0;
    if (error == 0) {
        execv(path, argv);
        error = errno;
    }
    if (write(report_fd, &error, sizeof error) < 0)
        _exit(127);
    _exit(127);
}

pid_t tl_program_start(const char *path, char **argv, tl_program_prepare prepare, void *context) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = tl_child_fork();
    int fork_error = errno;
    if (pid == 0)
        run_child(path, argv, prepare, context, fds[1]);
    close(fds[1]);
    int error = 0;
    ssize_t got = pid > 0 ? read(fds[0], &error, sizeof error) : 0;
    close(fds[0]);
    if (pid < 0) {
        errno = fork_error;
        return -1;
    }
    if (got == (ssize_t)sizeof error) {
        int status;
        tl_child_wait(pid, &status);
        errno = error;
        return -1;
    }
    return pid;
}
