/* The one sanitiser every message passes: whatever a user gave us (a path, a value, a program
 * name) is quoted through tl_q, and every finished line through tl_message_clean, so a message is
 * always one line of bounded length that cannot drive the terminal. web/message.js applies the
 * same rules to the messages JavaScript writes. */
#ifndef TL_MESSAGE_H
#define TL_MESSAGE_H

#include <stddef.h>

/* A quoted value keeps at most this many bytes; a longer one is cut and its length given. */
#define TL_QUOTE_KEEP 64
/* Room for a quoted value: TL_QUOTE_KEEP bytes, "... (", up to 20 digits, " bytes)", NUL. */
#define TL_QUOTE_SIZE (TL_QUOTE_KEEP + 40)

/* In place: every control character (C0, DEL, and the C1 range U+0080..U+009F in UTF-8, which
 * some terminals also obey) becomes '?'. */
void tl_message_clean(char *line);

/* `value` made fit to quote in a message: cleaned, and when longer than TL_QUOTE_KEEP bytes cut
 * at a character boundary with "... (N bytes)". The result lives in one of a few rotating static
 * buffers, so up to TL_QUOTE_SLOTS values can be quoted in one message. NULL reads "(null)". */
#define TL_QUOTE_SLOTS 4
const char *tl_q(const char *value);

/* tl_q's work into a buffer of the caller's, with neither stdio nor malloc: the recorder
 * library quotes with it inside the program's own malloc. */
void tl_quote_into(char out[TL_QUOTE_SIZE], const char *value);

/* Prints "trimlab: " and the formatted message as one clean line on stderr. */
void tl_say(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
