/* Shared by the fuzz targets: invariant checks that abort (so libFuzzer and the replay runner
 * report a crash) and helpers to turn fuzz input into C strings. */
#ifndef TL_FUZZ_COMMON_H
#define TL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that must hold for every input: prints what failed and aborts. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond);       \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The bytes as a NUL-terminated string (a C caller sees text up to the first NUL). */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* How a message shows the first `limit` bytes of `text` ("%.40s"): tl_fail turns control
 * characters into '?'. */
static inline void fuzz_shown(const char *text, size_t limit, char *out, size_t out_size) {
    size_t n = strlen(text);
    if (n > limit)
        n = limit;
    if (n >= out_size)
        n = out_size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
    out[n] = '\0';
}

/* A refusal: the code is `code` (not TL_OK), and the message is set, terminated inside its
 * buffer and one line (the CLI prints it as one line on stderr). */
static inline void fuzz_check_refusal(const tl_error *err, int code) {
    FUZZ_CHECK(code != TL_OK, "refused with TL_OK");
    FUZZ_CHECK(err->code == code, "err.code %d, returned %d", err->code, code);
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL, "message not terminated");
    FUZZ_CHECK(err->message[0] != '\0', "empty message (code %d)", code);
    for (const char *p = err->message; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f,
                   "control character 0x%02x in the message: %s", (unsigned char)*p, err->message);
}

#endif
