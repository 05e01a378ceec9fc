/* Runs a piece of work in a fresh child process, so its allocator state cannot colour the next
 * piece (each scenario run of `trimlab --all`, each replay of `trimlab replay --trim both`), and
 * collects what the child wrote for the parent (a run's JSON). Signals sent to trimlab reach the
 * child (child_signals.h). */
#ifndef TL_CHILD_RUN_H
#define TL_CHILD_RUN_H

#include <stddef.h>
#include <stdio.h>

typedef struct tl_child_output {
    char *data; /* NUL-terminated; the caller frees it */
    size_t length;
    int signal;        /* the signal that ended the child, 0 when it exited */
    double elapsed_ms; /* from its start to its end */
} tl_child_output;

/* The work: writes what the parent collects to `out`; returns the child's exit code. */
typedef int (*tl_child_work)(void *context, FILE *out);

/* Returns the child's exit code, or -1 when it could not run or was killed (output->signal). */
int tl_run_in_child(tl_child_work work, void *context, tl_child_output *output);

#endif
