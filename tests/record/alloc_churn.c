/* Allocation-heavy load for the recorder's tests and its overhead figure: ROUNDS times, free
 * one of 1024 live blocks and allocate another of a pseudo-random size (16 to 4095 bytes, apart
 * from stdio's 4 KiB buffer), touching it so the compiler cannot drop the pair.
 * Usage: alloc_churn ROUNDS */
#include <stdio.h>
#include <stdlib.h>

enum { SLOTS = 1024 };

static void *slots[SLOTS];

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    unsigned long state = 12345, checksum = 0;
    for (long i = 0; i < rounds; i++) {
        state = state * 6364136223846793005UL + 1442695040888963407UL;
        unsigned slot = (unsigned)(state >> 33) % SLOTS;
        size_t size = 16 + (size_t)(state >> 20) % 4080;
        free(slots[slot]);
        char *block = malloc(size);
        if (block == NULL)
            return 1;
        block[0] = (char)i;
        block[size - 1] = (char)slot;
        checksum += (unsigned char)block[0];
        slots[slot] = block;
    }
    for (unsigned i = 0; i < SLOTS; i++)
        free(slots[i]);
    printf("%lu\n", checksum);
    return 0;
}
