#include "message.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The longest message line: longer ones are cut (each quoted value is already bounded). */
#define TL_LINE_MAX 1024

void tl_message_clean(char *line) {
    for (unsigned char *p = (unsigned char *)line; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            *p = '?';
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            p[0] = '?';
            p[1] = '?';
            p++;
        }
    }
}

/* Cuts at `keep` bytes or earlier, never inside a UTF-8 sequence. */
static size_t cut_point(const char *value, size_t keep) {
    while (keep > 0 && ((unsigned char)value[keep] & 0xc0) == 0x80)
        keep--;
    return keep;
}

/* Appends the decimal digits of `n` at `out`; returns the end. */
static char *put_decimal(char *out, size_t n) {
    char digits[24];
    size_t count = 0;
    do
        digits[count++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    while (count > 0)
        *out++ = digits[--count];
    return out;
}

void tl_quote_into(char out[TL_QUOTE_SIZE], const char *value) {
    static const char cut[] = "... (", bytes[] = " bytes)";
    if (value == NULL)
        value = "(null)";
    size_t length = strlen(value);
    size_t keep = length <= TL_QUOTE_KEEP ? length : cut_point(value, TL_QUOTE_KEEP);
    memcpy(out, value, keep);
    char *end = out + keep;
    if (keep < length) {
        memcpy(end, cut, sizeof cut - 1);
        end = put_decimal(end + sizeof cut - 1, length);
        memcpy(end, bytes, sizeof bytes - 1);
        end += sizeof bytes - 1;
    }
    *end = '\0';
    tl_message_clean(out);
}

const char *tl_q(const char *value) {
    static char slots[TL_QUOTE_SLOTS][TL_QUOTE_SIZE];
    static unsigned next;
    char *out = slots[next++ % TL_QUOTE_SLOTS];
    tl_quote_into(out, value);
    return out;
}

void tl_say(const char *format, ...) {
    char line[TL_LINE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    tl_message_clean(line);
    fprintf(stderr, "trimlab: %s\n", line);
}
