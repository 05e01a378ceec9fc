/* A recorded parent whose children must not reach its trace: a fork without exec that
 * allocates CHILD_SIZE blocks and leaves through exit() (so the recorder's destructor runs in
 * it), and an exec'd copy of this program ("forker exec-child") that allocates EXEC_SIZE
 * blocks, started with fork + exec and again through system(). The parent allocates
 * PARENT_SIZE blocks before and after. Usage: forker */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PARENT_SIZE = 111, CHILD_SIZE = 4242, EXEC_SIZE = 4343, BLOCKS = 200 };

static void *volatile sink;

static void churn(size_t size) {
    for (int i = 0; i < BLOCKS; i++) {
        void *block = malloc(size);
        sink = block;
        if (i % 2)
            free(block);
    }
}

static int wait_for(pid_t pid) {
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
        churn(EXEC_SIZE);
        return 0;
    }
    churn(PARENT_SIZE);
    pid_t child = fork();
    if (child == 0) {
        churn(CHILD_SIZE);
        exit(0);
    }
    int ok = wait_for(child);
    pid_t exec_child = fork();
    if (exec_child == 0) {
        execl(argv[0], argv[0], "exec-child", (char *)NULL);
        _exit(127);
    }
    ok = wait_for(exec_child) && ok;
    char command[4200];
    snprintf(command, sizeof command, "'%s' exec-child", argv[0]);
    ok = system(command) == 0 && ok;
    churn(PARENT_SIZE);
    return ok ? 0 : 1;
}
