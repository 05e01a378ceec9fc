#include "params.h"

#include <stdio.h>
#include <string.h>

#include "shared/message.h"

#define TL_KEY_MAX 64

void tl_params_defaults(tl_param_set set, tl_params *params) {
    tl_error ignored;
    memset(params, 0, sizeof *params);
    for (size_t i = 0; i < set.count; i++) {
        const tl_param_def *def = &set.defs[i];
        if (def->kind == TL_PARAM_INT)
            params->value[i] = def->default_value;
        else
            tl_bucket_model_parse(def->name, def->default_text, &params->model, &ignored);
    }
}

void tl_param_value_text(tl_param_set set, const tl_params *params, size_t index, char *buf,
                         size_t size) {
    if (set.defs[index].kind == TL_PARAM_MODEL)
        tl_bucket_model_format(&params->model, buf, (unsigned)size);
    else
        snprintf(buf, size, "%llu", (unsigned long long)params->value[index]);
}

int tl_parse_u64(const char *text, uint64_t *out) {
    uint64_t value = 0;
    if (*text == '\0')
        return 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        uint64_t digit = (uint64_t)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return 0;
        value = value * 10 + digit;
    }
    *out = value;
    return 1;
}

static void list_names(tl_param_set set, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < set.count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", set.defs[i].name);
}

static int set_int(const tl_param_def *def, uint64_t *slot, const char *value, tl_error *err) {
    uint64_t parsed;
    if (!tl_parse_u64(value, &parsed))
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "%s='%s' is not a whole number (allowed %llu..%llu %s)", def->name,
                       tl_q(value), (unsigned long long)def->min, (unsigned long long)def->max,
                       def->unit);
    if (parsed < def->min || parsed > def->max)
        return tl_fail(err, TL_ERR_OUT_OF_RANGE, "%s=%llu is out of range (allowed %llu..%llu %s)",
                       def->name, (unsigned long long)parsed, (unsigned long long)def->min,
                       (unsigned long long)def->max, def->unit);
    *slot = parsed;
    return TL_OK;
}

int tl_params_set(tl_param_set set, const char *scenario, tl_params *params, const char *key,
                  const char *value, tl_error *err) {
    for (size_t i = 0; i < set.count; i++) {
        const tl_param_def *def = &set.defs[i];
        if (strcmp(def->name, key) != 0)
            continue;
        if (def->kind == TL_PARAM_MODEL)
            return tl_bucket_model_parse(def->name, value, &params->model, err);
        return set_int(def, &params->value[i], value, err);
    }
    char names[160];
    list_names(set, names, sizeof names);
    return tl_fail(err, TL_ERR_UNKNOWN_PARAM,
                   "unknown parameter '%s' for scenario %s (allowed: %s)", tl_q(key), scenario,
                   names);
}

int tl_params_assign(tl_param_set set, const char *scenario, tl_params *params,
                     const char *assignment, tl_error *err) {
    const char *eq = strchr(assignment, '=');
    char key[TL_KEY_MAX];
    if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= sizeof key)
        return tl_fail(err, TL_ERR_BAD_VALUE, "'%s' is not KEY=VALUE (e.g. %s=%s)",
                       tl_q(assignment), set.count ? set.defs[0].name : "key", "value");
    memcpy(key, assignment, (size_t)(eq - assignment));
    key[eq - assignment] = '\0';
    return tl_params_set(set, scenario, params, key, eq + 1, err);
}
