/* Error codes and the error record every engine call fills in. */
#ifndef TL_ERROR_H
#define TL_ERROR_H

#include <stdarg.h>

enum tl_status {
    TL_OK = 0,
    TL_ERR_UNKNOWN_SCENARIO = 1,
    TL_ERR_UNKNOWN_PARAM = 2,
    TL_ERR_BAD_VALUE = 3,
    TL_ERR_OUT_OF_RANGE = 4,
    TL_ERR_OOM = 5,
    TL_ERR_STATE = 6,
    TL_ERR_BAD_TRACE = 7,  /* an allocation trace that cannot be read or replayed as it is */
    TL_ERR_RUN_FAILED = 8, /* native CLI: the run's child process died or did not report it */
};

/* Room for the longest message: a refused 96-character bucket model with its allowed form. */
#define TL_MESSAGE_MAX 512

typedef struct tl_error {
    enum tl_status code;
    char message[TL_MESSAGE_MAX];
} tl_error;

/* Sets code and a printf-style message, kept to one line (a control character becomes '?');
 * returns code so callers can `return tl_fail(...)`. Typed enum tl_status, so that returning it
 * where a step result is due does not compile (-Wenum-conversion, scenario.h). */
enum tl_status tl_fail(tl_error *err, enum tl_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tl_error_clear(tl_error *err);
const char *tl_status_name(int code);

#endif
