/* Every output file of the native CLI (`--json` of a run or a replay, the trace `record -o`
 * writes) is written whole or not at all: into a temporary file in the target's folder, made
 * before anything runs, and renamed over the target only when complete (flushed and synced). An
 * interrupted or failed run removes the temporary file and leaves an existing target untouched. */
#ifndef TL_OUTPUT_FILE_H
#define TL_OUTPUT_FILE_H

#include <limits.h>
#include <stdio.h>

#include "engine/tl_error.h"

typedef struct tl_output_file {
    const char *option; /* "--json", "-o": for messages */
    const char *path;   /* as given: for messages */
    char target[PATH_MAX];
    char temp[PATH_MAX]; /* absolute; "" once renamed or removed */
    FILE *stream;        /* open on temp, close-on-exec */
} tl_output_file;

/* Creates the temporary file for `path` (with `path` NULL: no file, and tl_output_finish does
 * nothing). Refused (TL_ERR_BAD_VALUE, one line in err naming `option` and the path): a target
 * that exists and is not a regular file (/dev/full), the file `input` under any name (same device
 * and inode), a name that is not a file's, a folder where no file can be created. A symbolic link
 * is written through: the file it names is replaced. */
int tl_output_open(tl_output_file *out, const char *option, const char *path, const char *input,
                   tl_error *err);

/* With `keep`: flushes, syncs and closes the temporary file and renames it over the target.
 * Without (an interrupted or failed run), or when that fails (a write error, the disk full):
 * removes it, and the target stays as it was. Returns 0, or -1 after one line on stderr. */
int tl_output_finish(tl_output_file *out, int keep);

#endif
