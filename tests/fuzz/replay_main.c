/* Replays fuzz inputs without libFuzzer: every regular file in the directories (or the files)
 * given, in name order, through the target's LLVMFuzzerTestOneInput. A failed invariant aborts;
 * built with -fsanitize=address,undefined, memory errors stop it too. Exit 0 when every input ran,
 * 1 when a path cannot be read or no input was found. Usage: replay-TARGET PATH... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int run_file(const char *path) {
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 0;
    }
    uint8_t *data = NULL;
    size_t size = 0, capacity = 0;
    for (;;) {
        if (size == capacity) {
            capacity = capacity ? 2 * capacity : 4096;
            uint8_t *grown = realloc(data, capacity);
            if (grown == NULL)
                abort();
            data = grown;
        }
        size_t n = fread(data + size, 1, capacity - size, in);
        size += n;
        if (n == 0)
            break;
    }
    int failed = ferror(in);
    fclose(in);
    if (failed) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(data);
        return 0;
    }
    /* An exact-size copy, so reads past the input are caught as by libFuzzer. */
    uint8_t *exact = malloc(size ? size : 1);
    if (exact == NULL)
        abort();
    if (size)
        memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 1;
}

static int skip_entry(const struct dirent *entry) {
    return entry->d_name[0] == '.';
}

/* Returns the number of inputs run, or -1 on a path that cannot be read. */
static long run_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot stat %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path) ? 1 : -1;
    struct dirent **entries;
    int n = scandir(path, &entries, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        return -1;
    }
    long count = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        if (!skip_entry(entries[i])) {
            snprintf(file, sizeof file, "%s/%s", path, entries[i]->d_name);
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
                if (!run_file(file))
                    count = -1;
                else if (count >= 0)
                    count++;
            }
        }
        free(entries[i]);
    }
    free(entries);
    return count;
}

int main(int argc, char **argv) {
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = run_path(argv[i]);
        if (n < 0)
            return 1;
        printf("%s: %ld inputs from %s\n", argv[0], n, argv[i]);
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "%s: no inputs\n", argv[0]);
        return 1;
    }
    printf("%s: %ld inputs replayed, every invariant held\n", argv[0], total);
    return 0;
}
