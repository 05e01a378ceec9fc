#include "bucket_model.h"

#include <stdio.h>
#include <string.h>

#include "shared/message.h"

static int is_power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

static int refuse(const char *key, const char *text, tl_error *err, const char *why) {
    return tl_fail(err, TL_ERR_BAD_VALUE, "%s='%s' is not a bucket model: %s (allowed: %s)", key,
                   tl_q(text), why, TL_MODEL_ALLOWED);
}

/* Parses digits then an optional K or M suffix; stops at '/' or the end. */
static int parse_count(const char **cursor, uint64_t *out) {
    const char *p = *cursor;
    uint64_t value = 0;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9') {
        if (value > TL_MODEL_MAX_BUCKETS)
            return 0; /* already too large: stop before overflow */
        value = value * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (*p == 'K' || *p == 'k') {
        value <<= 10;
        p++;
    } else if (*p == 'M' || *p == 'm') {
        value <<= 20;
        p++;
    }
    if (*p != '/' && *p != '\0')
        return 0;
    *out = value;
    *cursor = p;
    return 1;
}

int tl_bucket_model_parse(const char *key, const char *text, tl_bucket_model *model,
                          tl_error *err) {
    tl_bucket_model parsed = {0};
    const char *p = text;
    char why[64];
    if (strlen(text) > TL_MODEL_TEXT_MAX)
        return refuse(key, text, err, "too long");
    for (;;) {
        uint64_t count;
        if (parsed.depths == TL_MODEL_MAX_DEPTHS)
            return refuse(key, text, err, "more than 8 depths");
        if (*p == '/' || *p == '\0') {
            snprintf(why, sizeof why, "depth %u is empty", parsed.depths + 1);
            return refuse(key, text, err, why);
        }
        if (!parse_count(&p, &count) || count < TL_MODEL_MIN_BUCKETS ||
            count > TL_MODEL_MAX_BUCKETS || !is_power_of_two(count)) {
            snprintf(why, sizeof why, "depth %u is not a power of two from 1K to 64M",
                     parsed.depths + 1);
            return refuse(key, text, err, why);
        }
        parsed.buckets[parsed.depths++] = count;
        if (*p == '\0')
            break;
        p++; /* skip '/' */
    }
    *model = parsed;
    return TL_OK;
}

static void format_count(uint64_t count, char *buf, unsigned size) {
    if (count % (UINT64_C(1) << 20) == 0)
        snprintf(buf, size, "%lluM", (unsigned long long)(count >> 20));
    else
        snprintf(buf, size, "%lluK", (unsigned long long)(count >> 10));
}

void tl_bucket_model_format(const tl_bucket_model *model, char *buf, unsigned size) {
    unsigned used = 0;
    buf[0] = '\0';
    for (unsigned d = 0; d < model->depths && used < size; d++) {
        char part[24];
        format_count(model->buckets[d], part, sizeof part);
        used += (unsigned)snprintf(buf + used, size - used, "%s%s", d ? "/" : "", part);
    }
}
