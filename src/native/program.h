/* A program named on the command line (`trimlab record`, `trimlab measure`): found as execvp
 * finds it, so a bad name is refused before anything runs, and started in a child process. */
#ifndef TL_PROGRAM_H
#define TL_PROGRAM_H

#include <stddef.h>
#include <sys/types.h>

/* A name with a slash is a path, else the first executable regular file of that name in PATH.
 * Returns 0 with the file in `path` (`size` bytes), or why not: ENOENT (no such file), EISDIR,
 * EACCES (not a regular file or not executable), ENAMETOOLONG. */
int tl_find_program(const char *name, char *path, size_t size);

/* One line's worth for the refusal: "not found in PATH", "not executable (permission denied)",
 * and so on, for the error tl_find_program returned for `name`. */
const char *tl_program_problem(const char *name, int error);

/* What the child does before exec (set its environment): returns 0, or an errno value. */
typedef int (*tl_program_prepare)(void *context);

/* Starts `path` with `argv` in a child of tl_child_fork (signals reach it), after `prepare`
 * (NULL: nothing). Returns the child's pid once the exec succeeded, else -1 with errno (the
 * fork's, `prepare`'s or the exec's; a child that could not exec is reaped). */
pid_t tl_program_start(const char *path, char **argv, tl_program_prepare prepare, void *context);

#endif
