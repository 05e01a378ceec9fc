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

const char *tl_q(const char *value) {
    static char slots[TL_QUOTE_SLOTS][TL_QUOTE_KEEP + 32];
    static unsigned next;
    char *out = slots[next++ % TL_QUOTE_SLOTS];
    if (value == NULL)
        value = "(null)";
    size_t length = strlen(value);
    if (length <= TL_QUOTE_KEEP)
        snprintf(out, sizeof slots[0], "%s", value);
    else
        snprintf(out, sizeof slots[0], "%.*s... (%zu bytes)", (int)cut_point(value, TL_QUOTE_KEEP),
                 value, length);
    tl_message_clean(out);
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
