/* Scenario parameters: their definitions (defaults, bounds) and parsing of KEY=VALUE text. */
#ifndef TL_PARAMS_H
#define TL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "bucket_model.h"
#include "tl_error.h"

#define TL_MAX_PARAMS 6

enum tl_param_kind { TL_PARAM_INT, TL_PARAM_MODEL };

typedef struct tl_param_def {
    const char *name;
    const char *unit; /* "MiB", "KiB", "count", "%" or "model" */
    const char *description;
    enum tl_param_kind kind;
    uint64_t default_value, min, max; /* TL_PARAM_INT only */
    const char *default_text;         /* TL_PARAM_MODEL only */
} tl_param_def;

typedef struct tl_param_set {
    const tl_param_def *defs;
    size_t count;
} tl_param_set;

typedef struct tl_params {
    uint64_t value[TL_MAX_PARAMS]; /* indexed like the definitions; unused for models */
    tl_bucket_model model;
} tl_params;

void tl_params_defaults(tl_param_set set, tl_params *params);
/* Validates and stores one value; on error nothing changes and err names key, value and range. */
int tl_params_set(tl_param_set set, const char *scenario, tl_params *params, const char *key,
                  const char *value, tl_error *err);
/* Same as tl_params_set for "KEY=VALUE" text. */
int tl_params_assign(tl_param_set set, const char *scenario, tl_params *params,
                     const char *assignment, tl_error *err);
/* The value of parameter `index` as text: the integer, or the canonical bucket model. */
void tl_param_value_text(tl_param_set set, const tl_params *params, size_t index, char *buf,
                         size_t size);
/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. */
int tl_parse_u64(const char *text, uint64_t *out);

#endif
