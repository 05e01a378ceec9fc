#include "tl_error.h"

#include <stdio.h>

#include "shared/message.h"

enum tl_status tl_fail(tl_error *err, enum tl_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    tl_message_clean(err->message);
    return code;
}

void tl_error_clear(tl_error *err) {
    err->code = TL_OK;
    err->message[0] = '\0';
}

const char *tl_status_name(int code) {
    switch (code) {
    case TL_OK:
        return "ok";
    case TL_ERR_UNKNOWN_SCENARIO:
        return "unknown_scenario";
    case TL_ERR_UNKNOWN_PARAM:
        return "unknown_param";
    case TL_ERR_BAD_VALUE:
        return "bad_value";
    case TL_ERR_OUT_OF_RANGE:
        return "out_of_range";
    case TL_ERR_OOM:
        return "oom";
    case TL_ERR_STATE:
        return "bad_state";
    case TL_ERR_BAD_TRACE:
        return "bad_trace";
    case TL_ERR_RUN_FAILED:
        return "failed";
    default:
        return "unknown_error";
    }
}
