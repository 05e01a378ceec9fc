/* Cost of one memory sample natively: the statm probe the engine uses, the full probe with
 * mallinfo2, and open+read of /proc/self/status for comparison. Prints JSON on stdout. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine/platform.h"

#define ROUNDS 5
#define SAMPLES 20000

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void read_status(void) {
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, buf, sizeof buf) < 0)
            perror("read /proc/self/status");
        close(fd);
    }
}

static volatile uint64_t sink;

static void probe_footprint(void) {
    sink += tl_probe_footprint(NULL);
}

static void probe_memory(void) {
    tl_memory memory;
    tl_probe_memory(&memory);
    sink += memory.footprint_bytes;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over ROUNDS of the mean cost of SAMPLES calls, in nanoseconds. */
static double median_ns(void (*probe)(void)) {
    double rounds[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double start = now_ns();
        for (int i = 0; i < SAMPLES; i++)
            probe();
        rounds[r] = (now_ns() - start) / SAMPLES;
    }
    qsort(rounds, ROUNDS, sizeof rounds[0], compare);
    return rounds[ROUNDS / 2];
}

int main(void) {
    printf("{\"statm_footprint_ns\": %.0f, \"statm_plus_mallinfo2_ns\": %.0f, "
           "\"proc_status_ns\": %.0f}\n",
           median_ns(probe_footprint), median_ns(probe_memory), median_ns(read_status));
    return 0;
}
