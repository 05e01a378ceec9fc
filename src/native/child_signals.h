/* trimlab and its children under signals, one mechanism for every child (the runs and replays of
 * child_run.c, the program `trimlab record` runs): SIGINT, SIGTERM and SIGHUP sent to trimlab go
 * on to the child it is waiting for, and trimlab learns it was asked to stop; a child dies with
 * trimlab (PR_SET_PDEATHSIG), even when trimlab itself is killed by SIGKILL. */
#ifndef TL_CHILD_SIGNALS_H
#define TL_CHILD_SIGNALS_H

#include <sys/types.h>

/* In the parent, before it creates anything a signal must not leave behind (a temporary output
 * file): handles the three signals from now on. A signal ignored when trimlab started (nohup, a
 * background job) stays ignored. Calling it again does nothing. */
void tl_child_signals_watch(void);

/* fork(), after which the parent forwards the three signals to the child. The child gets
 * trimlab's original dispositions back and dies with trimlab. Returns as fork() does; -1 with
 * errno EINTR, and no child, once trimlab was asked to stop. */
pid_t tl_child_fork(void);

/* Waits for the child to end and reaps it (*status as waitpid gives it); forwarding to it ends
 * before its pid is freed. Returns 0, or -1 with errno. */
int tl_child_wait(pid_t pid, int *status);

/* The first of SIGINT, SIGTERM and SIGHUP trimlab received since watching, or 0. */
int tl_child_stop_signal(void);

#endif
