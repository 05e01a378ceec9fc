/* Shared by the fuzz targets: invariant checks that abort (so libFuzzer and the replay runner
 * report a crash) and helpers to turn fuzz input into C strings. */
#ifndef TL_FUZZ_COMMON_H
#define TL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/tl_error.h"

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

/* How a message quotes a value (src/shared/message.h's rules, written again here): at most 64
 * bytes, cut before a UTF-8 continuation byte and followed by "... (N bytes)" when longer; C0
 * controls, DEL and the two bytes of a C1 control (c2 80..c2 9f) shown as '?'. */
#define FUZZ_QUOTE_KEEP 64
#define FUZZ_QUOTED_SIZE (FUZZ_QUOTE_KEEP + 40)
static inline void fuzz_quoted(const char *text, char out[FUZZ_QUOTED_SIZE]) {
    size_t n = strlen(text), keep = n;
    if (n > FUZZ_QUOTE_KEEP)
        for (keep = FUZZ_QUOTE_KEEP; keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80;)
            keep--;
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)text[i],
                      next = i + 1 < keep ? (unsigned char)text[i + 1] : 0;
        int c1 = c == 0xc2 && next >= 0x80 && next <= 0x9f;
        out[i] = c < 0x20 || c == 0x7f || c1 ? '?' : (char)c;
        if (c1)
            out[++i] = '?';
    }
    out[keep] = '\0';
    if (keep < n)
        snprintf(out + keep, FUZZ_QUOTED_SIZE - keep, "... (%zu bytes)", n);
}

/* A refusal: the code is `code` (not TL_OK), and the message is set, terminated inside its
 * buffer and one line (the CLI prints it as one line on stderr). */
static inline void fuzz_check_refusal(const tl_error *err, enum tl_status code) {
    FUZZ_CHECK(code != TL_OK, "refused with TL_OK");
    FUZZ_CHECK(err->code == code, "err.code %d, returned %d", err->code, code);
    FUZZ_CHECK(memchr(err->message, '\0', sizeof err->message) != NULL, "message not terminated");
    FUZZ_CHECK(err->message[0] != '\0', "empty message (code %d)", code);
    for (const unsigned char *p = (const unsigned char *)err->message; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p != 0x7f && !(*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f),
                   "control character 0x%02x in the message: %s", *p, err->message);
}

#endif
