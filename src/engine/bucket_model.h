/* Bucket model strings such as "8M/8M/8M": per-depth hash-set bucket counts. */
#ifndef TL_BUCKET_MODEL_H
#define TL_BUCKET_MODEL_H

#include <stdint.h>

#include "tl_error.h"

#define TL_MODEL_MAX_DEPTHS 8
#define TL_MODEL_MIN_BUCKETS (UINT64_C(1) << 10)
#define TL_MODEL_MAX_BUCKETS (UINT64_C(1) << 26)
#define TL_MODEL_TEXT_MAX 96
#define TL_MODEL_ALLOWED                                                                           \
    "1 to 8 powers of two from 1K to 64M separated by '/', e.g. 1M/1M/1M (suffix K = 1024, M = "   \
    "1048576)"

typedef struct tl_bucket_model {
    unsigned depths;
    uint64_t buckets[TL_MODEL_MAX_DEPTHS];
} tl_bucket_model;

/* Parses `text` into `model`; on failure sets err (naming `key`) and leaves model untouched. */
int tl_bucket_model_parse(const char *key, const char *text, tl_bucket_model *model, tl_error *err);
/* Writes the canonical form ("1M/1M/1M") into buf. */
void tl_bucket_model_format(const tl_bucket_model *model, char *buf, unsigned size);

#endif
