#include "child_signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const int watched[] = {SIGINT, SIGTERM, SIGHUP};
#define WATCHED_COUNT (sizeof watched / sizeof watched[0])

static struct sigaction original[WATCHED_COUNT];
static int watching;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t child_pid; /* 0: no child to forward to */

static void on_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved_errno = errno;
    if (stop_signal == 0)
        stop_signal = sig;
    /* The kernel sends the terminal's Ctrl-C and hang-up to the whole foreground process group,
     * the child included: forwarding would deliver them twice. */
    if (child_pid > 0 && info->si_code != SI_KERNEL)
        kill((pid_t)child_pid, sig);
    errno = saved_errno;
}

void tl_child_signals_watch(void) {
    if (watching)
        return;
    watching = 1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < WATCHED_COUNT; i++)
        if (sigaction(watched[i], NULL, &original[i]) == 0 && original[i].sa_handler != SIG_IGN)
            sigaction(watched[i], &action, NULL);
}

static void block_watched(sigset_t *saved) {
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < WATCHED_COUNT; i++)
        sigaddset(&set, watched[i]);
    sigprocmask(SIG_BLOCK, &set, saved);
}

/* In the child: trimlab's own dispositions (a program it execs sees what trimlab was given), and
 * death with the parent. The parent may have died before prctl took effect: then leave now. */
static void become_child(pid_t parent) {
    for (size_t i = 0; i < WATCHED_COUNT; i++)
        sigaction(watched[i], &original[i], NULL);
    child_pid = 0;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(128 + SIGKILL);
}

pid_t tl_child_fork(void) {
    tl_child_signals_watch();
    sigset_t saved;
    pid_t parent = getpid();
    /* Blocked until the parent knows the child's pid, so no signal falls between the two. */
    block_watched(&saved);
    pid_t pid = -1;
    if (stop_signal != 0)
        errno = EINTR;
    else
        pid = fork();
    if (pid == 0)
        become_child(parent);
    else if (pid > 0)
        child_pid = pid;
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return pid;
}

int tl_child_wait(pid_t pid, int *status) {
    siginfo_t info;
    /* A zombie keeps its pid: stop forwarding while it is one, then reap it. */
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) != 0)
        if (errno != EINTR) {
            child_pid = 0; /* no such child (any more): its pid may be another process's */
            return -1;
        }
    child_pid = 0;
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

int tl_child_stop_signal(void) {
    return stop_signal;
}
