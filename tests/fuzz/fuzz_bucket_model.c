/* Fuzz target: the bucket model string (tl_bucket_model_parse, tl_bucket_model_format).
 *
 * Invariants, for any text:
 * - the parser accepts exactly what an independent reference grammar accepts (1 to 8 '/'-separated
 *   counts, digits with an optional K/k/M/m suffix, each a power of two from 1K to 64M, at most
 *   TL_MODEL_TEXT_MAX characters) and finds the same counts;
 * - accepted: unused depths are 0; the canonical form fits TL_MODEL_TEXT_MAX, is no longer than the
 *   input, re-parses to the same model and formats to itself;
 * - refused: TL_ERR_BAD_VALUE, the model untouched, a one-line message naming the key and quoting
 *   the text (up to TL_MODEL_TEXT_MAX characters). */
#include "fuzz_common.h"

#include "engine/bucket_model.h"

#define KEY "model"
#define SATURATED (UINT64_C(1) << 50)

/* The reference: a different formulation of the documented grammar. 1 and the counts when valid. */
static int reference_parse(const char *text, unsigned *depths, uint64_t *buckets) {
    size_t length = strlen(text);
    unsigned n = 0;
    if (length > TL_MODEL_TEXT_MAX)
        return 0;
    size_t start = 0;
    for (;;) {
        size_t end = start;
        while (end < length && text[end] != '/')
            end++;
        /* text[start, end) is one depth */
        if (end == start || n == TL_MODEL_MAX_DEPTHS)
            return 0;
        size_t digits_end = end;
        uint64_t shift = 0;
        char last = text[end - 1];
        if (last == 'K' || last == 'k')
            shift = 10, digits_end--;
        else if (last == 'M' || last == 'm')
            shift = 20, digits_end--;
        if (digits_end == start)
            return 0;
        uint64_t value = 0;
        for (size_t i = start; i < digits_end; i++) {
            if (text[i] < '0' || text[i] > '9')
                return 0;
            value = value * 10 + (uint64_t)(text[i] - '0');
            if (value > SATURATED)
                value = SATURATED;
        }
        value = value > (SATURATED >> shift) ? SATURATED : value << shift;
        int power_of_two = 0;
        for (uint64_t p = TL_MODEL_MIN_BUCKETS; p <= TL_MODEL_MAX_BUCKETS; p *= 2)
            power_of_two |= value == p;
        if (!power_of_two)
            return 0;
        buckets[n++] = value;
        if (end == length)
            break;
        start = end + 1;
    }
    *depths = n;
    return 1;
}

static void check_accepted(const char *text, const tl_bucket_model *model, unsigned ref_depths,
                           const uint64_t *ref_buckets) {
    FUZZ_CHECK(model->depths == ref_depths, "'%s': %u depths, reference %u", text, model->depths,
               ref_depths);
    for (unsigned d = 0; d < TL_MODEL_MAX_DEPTHS; d++) {
        uint64_t expected = d < ref_depths ? ref_buckets[d] : 0;
        FUZZ_CHECK(model->buckets[d] == expected, "'%s': depth %u is %llu, expected %llu", text,
                   d + 1, (unsigned long long)model->buckets[d], (unsigned long long)expected);
    }

    /* The canonical form: fits, no longer than the input, a fixed point of parse + format. */
    char canonical[TL_MODEL_TEXT_MAX + 1], again_text[TL_MODEL_TEXT_MAX + 1];
    memset(canonical, 'x', sizeof canonical);
    tl_bucket_model_format(model, canonical, sizeof canonical);
    FUZZ_CHECK(memchr(canonical, '\0', sizeof canonical) != NULL, "'%s': format not terminated",
               text);
    FUZZ_CHECK(canonical[0] != '\0', "'%s': empty canonical form", text);
    FUZZ_CHECK(strlen(canonical) <= strlen(text), "'%s': canonical '%s' is longer", text,
               canonical);
    for (const char *p = canonical; *p; p++)
        FUZZ_CHECK((*p >= '0' && *p <= '9') || *p == 'K' || *p == 'M' || *p == '/',
                   "'%s': canonical '%s' has '%c'", text, canonical, *p);

    tl_bucket_model again;
    tl_error err;
    memset(&again, 0xEE, sizeof again);
    int status = tl_bucket_model_parse(KEY, canonical, &again, &err);
    FUZZ_CHECK(status == TL_OK, "'%s': canonical '%s' refused: %s", text, canonical, err.message);
    FUZZ_CHECK(again.depths == model->depths, "'%s': canonical '%s' has %u depths", text, canonical,
               again.depths);
    for (unsigned d = 0; d < TL_MODEL_MAX_DEPTHS; d++)
        FUZZ_CHECK(again.buckets[d] == model->buckets[d], "'%s': canonical '%s' differs at %u",
                   text, canonical, d + 1);
    tl_bucket_model_format(&again, again_text, sizeof again_text);
    FUZZ_CHECK(strcmp(again_text, canonical) == 0, "'%s': '%s' formats to '%s'", text, canonical,
               again_text);

    /* A short buffer: truncated to a prefix of the canonical form, never overrun. */
    for (unsigned size = 1; size <= sizeof canonical; size += 7) {
        char small[TL_MODEL_TEXT_MAX + 2];
        memset(small, 'x', sizeof small);
        tl_bucket_model_format(model, small, size);
        FUZZ_CHECK(small[size] == 'x', "'%s': format wrote past %u bytes", text, size);
        FUZZ_CHECK(strlen(small) < size, "'%s': format to %u bytes not terminated", text, size);
        FUZZ_CHECK(strncmp(small, canonical, strlen(small)) == 0,
                   "'%s': truncated form '%s' is not a prefix of '%s'", text, small, canonical);
    }
}

static void check_refused(const char *text, int status, const tl_error *err,
                          const tl_bucket_model *model, const tl_bucket_model *before) {
    fuzz_check_refusal(err, status);
    FUZZ_CHECK(status == TL_ERR_BAD_VALUE, "'%s': refused with code %d", text, status);
    FUZZ_CHECK(memcmp(model, before, sizeof *model) == 0, "'%s': refused but the model changed",
               text);
    FUZZ_CHECK(strncmp(err->message, KEY "='", strlen(KEY "='")) == 0,
               "'%s': message does not start with the key: %s", text, err->message);
    char shown[FUZZ_QUOTED_SIZE], quoted[FUZZ_QUOTED_SIZE + 2];
    fuzz_quoted(text, shown);
    snprintf(quoted, sizeof quoted, "'%s'", shown);
    FUZZ_CHECK(strstr(err->message, quoted) != NULL, "'%s': message does not quote it: %s", text,
               err->message);
    FUZZ_CHECK(strstr(err->message, "allowed") != NULL, "'%s': no allowed form: %s", text,
               err->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_text(data, size);
    tl_bucket_model model, before;
    tl_error err;
    memset(&model, 0xA5, sizeof model);
    before = model;
    memset(&err, 0x5A, sizeof err);

    unsigned ref_depths = 0;
    uint64_t ref_buckets[TL_MODEL_MAX_DEPTHS] = {0};
    int expected = reference_parse(text, &ref_depths, ref_buckets);
    int status = tl_bucket_model_parse(KEY, text, &model, &err);
    FUZZ_CHECK((status == TL_OK) == expected, "'%s': parser says %d, reference says %s", text,
               status, expected ? "valid" : "invalid");
    if (status == TL_OK)
        check_accepted(text, &model, ref_depths, ref_buckets);
    else
        check_refused(text, status, &err, &model, &before);
    free(text);
    return 0;
}
