/* Programs that end abnormally while recorded. Usage:
 *   crash segv N    allocate N blocks, free every other one, then write through NULL
 *   crash abort N   the same, then abort()
 *   crash wait N    the same, print "ready" and wait for a signal
 *   crash churn T   T threads malloc and free without end; print "ready" (killed by the test)
 *   crash exit C    allocate a little and exit with code C
 *   crash _exit C   allocate a little and leave through _exit(C): no destructors run */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *volatile sink;

static void allocate(long n) {
    void **blocks = calloc((size_t)n + 1, sizeof *blocks);
    for (long i = 0; i < n; i++)
        blocks[i] = malloc(16 + (size_t)i % 200);
    for (long i = 0; i < n; i += 2)
        free(blocks[i]);
    sink = blocks;
}

static void *churn(void *arg) {
    size_t size = 16 + (size_t)arg;
    for (;;) {
        void *block = malloc(size);
        sink = block;
        free(block);
        size = size % 3000 + 8;
    }
    return NULL;
}

static void ready(void) {
    fputs("ready\n", stdout);
    fflush(stdout);
}

int main(int argc, char **argv) {
    long n = argc > 2 ? atol(argv[2]) : 1000;
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "exit") == 0) {
        allocate(10);
        return (int)n;
    }
    if (strcmp(mode, "_exit") == 0) {
        allocate(10);
        _exit((int)n);
    }
    if (strcmp(mode, "churn") == 0) {
        pthread_t id;
        for (long i = 0; i < n; i++)
            pthread_create(&id, NULL, churn, (void *)i);
        ready();
        for (;;)
            pause();
    }
    allocate(n);
    if (strcmp(mode, "segv") == 0)
        *(volatile int *)sink = *(volatile int *)NULL;
    if (strcmp(mode, "abort") == 0)
        abort();
    if (strcmp(mode, "wait") == 0) {
        ready();
        for (;;)
            pause();
    }
    return 2;
}
