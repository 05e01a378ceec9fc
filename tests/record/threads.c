/* Several threads allocate blocks and hand them to each other through one shared queue; the
 * receiving thread reallocates or frees them. Addresses freed in one thread are reused by
 * another's malloc at once, so a trace whose order is not the real order frees or allocates
 * a live address. Usage: threads THREADS ROUNDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUEUE = 64 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *queue[QUEUE];
static unsigned queued;
static long rounds;

/* Swaps block into the queue at a pseudo-random place; returns what was there (maybe NULL). */
static void *exchange(void *block, unsigned long pick) {
    pthread_mutex_lock(&lock);
    unsigned at = (unsigned)(pick % QUEUE);
    void *taken = queue[at];
    queue[at] = block;
    queued += taken == NULL;
    pthread_mutex_unlock(&lock);
    return taken;
}

static void use(void *taken, unsigned long state) {
    if (taken == NULL)
        return;
    if (state & 1) {
        free(taken);
        return;
    }
    char *grown = realloc(taken, 32 + (state >> 8) % 2000);
    if (grown) {
        grown[0] = 1;
        free(grown);
    }
}

static void *worker(void *arg) {
    unsigned long state = (unsigned long)(size_t)arg * 2654435761UL + 1;
    for (long i = 0; i < rounds; i++) {
        state = state * 6364136223846793005UL + 1442695040888963407UL;
        size_t size = 8 + (state >> 40) % 1500;
        char *block = (state >> 7) & 1 ? malloc(size) : calloc(1, size);
        if (block == NULL)
            return NULL;
        memset(block, 7, size);
        use(exchange(block, state >> 17), state >> 3);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    rounds = argc > 2 ? atol(argv[2]) : 20000;
    pthread_t ids[64];
    if (threads < 1 || threads > 64)
        return 2;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&ids[i], NULL, worker, (void *)(size_t)(i + 1)) != 0)
            return 1;
    for (int i = 0; i < threads; i++)
        pthread_join(ids[i], NULL);
    for (unsigned i = 0; i < QUEUE; i++)
        free(queue[i]);
    printf("%u\n", queued);
    return 0;
}
