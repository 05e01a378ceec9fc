/* Fuzz target: scenario parameters (tl_parse_u64, tl_params_assign, tl_params_set) over every
 * scenario.
 *
 * The input, as text up to its first NUL, goes to tl_parse_u64 and, as KEY=VALUE, to
 * tl_params_assign of every scenario. Split at its first NUL byte, it is (key, value) for
 * tl_params_set of every scenario (so keys may hold '=' and anything else but NUL).
 *
 * Invariants:
 * - tl_parse_u64 accepts exactly non-empty digit strings whose value fits 64 bits (checked against
 *   a reference), prints back to the same digits without leading zeros, and leaves *out alone
 *   when it refuses;
 * - accepted: only the named parameter changed; an integer is inside its bounds and equals the
 *   value; a model equals tl_bucket_model_parse of the value; the value's canonical text
 *   (tl_param_value_text) assigns back to the same parameters;
 * - refused: params untouched; the code is the expected one (unknown key, not a number, out of
 *   range, bad model); a one-line message that names the key (or quotes the assignment when there
 *   is no KEY=). */
#include "fuzz_common.h"

#include "engine/params.h"
#include "scenarios/scenarios.h"

#define KEY_MAX 64 /* params.c's TL_KEY_MAX: longer keys are refused as "not KEY=VALUE" */

/* `text` appears in the message as every value is quoted. */
static void check_names(const tl_error *err, const char *text, const char *what) {
    char shown[FUZZ_QUOTED_SIZE];
    fuzz_quoted(text, shown);
    FUZZ_CHECK(strstr(err->message, shown) != NULL, "message does not name the %s '%s': %s", what,
               shown, err->message);
}

/* ---- tl_parse_u64 against a reference ---- */

static void check_parse_u64(const char *text) {
    uint64_t out = UINT64_C(0xDEADBEEFCAFEF00D);
    int ok = tl_parse_u64(text, &out);

    /* Reference: digits only, then compare the digit string without leading zeros with
     * "18446744073709551615" by length, then lexicographically. */
    int expected = text[0] != '\0';
    for (const char *p = text; *p; p++)
        expected &= *p >= '0' && *p <= '9';
    const char *significant = text;
    while (significant[0] == '0' && significant[1] != '\0')
        significant++;
    static const char max_text[] = "18446744073709551615";
    size_t length = strlen(significant);
    if (expected && (length > sizeof max_text - 1 ||
                     (length == sizeof max_text - 1 && strcmp(significant, max_text) > 0)))
        expected = 0;

    FUZZ_CHECK(ok == expected, "tl_parse_u64('%s') = %d, reference %d", text, ok, expected);
    if (!ok) {
        FUZZ_CHECK(out == UINT64_C(0xDEADBEEFCAFEF00D), "tl_parse_u64('%s') refused but wrote",
                   text);
        return;
    }
    char printed[32];
    snprintf(printed, sizeof printed, "%llu", (unsigned long long)out);
    FUZZ_CHECK(strcmp(printed, significant) == 0, "tl_parse_u64('%s') = %s", text, printed);
}

/* ---- tl_params_set / tl_params_assign ---- */

static int params_equal(const tl_params *a, const tl_params *b) {
    if (memcmp(a->value, b->value, sizeof a->value) != 0 || a->model.depths != b->model.depths)
        return 0;
    return memcmp(a->model.buckets, b->model.buckets, sizeof a->model.buckets) == 0;
}

static long find_def(tl_param_set set, const char *key) {
    for (size_t i = 0; i < set.count; i++)
        if (strcmp(set.defs[i].name, key) == 0)
            return (long)i;
    return -1;
}

/* What tl_params_set(key, value) must do, from the definitions alone: the expected status and,
 * when it succeeds, the expected parameters in *expected. */
static int expected_set(const tl_scenario *scenario, const tl_params *start, const char *key,
                        const char *value, tl_params *expected) {
    tl_param_set set = scenario->params;
    long index = find_def(set, key);
    *expected = *start;
    if (index < 0)
        return TL_ERR_UNKNOWN_PARAM;
    const tl_param_def *def = &set.defs[index];
    if (def->kind == TL_PARAM_MODEL) {
        tl_error err;
        return tl_bucket_model_parse(def->name, value, &expected->model, &err);
    }
    uint64_t number;
    if (!tl_parse_u64(value, &number))
        return TL_ERR_BAD_VALUE;
    if (number < def->min || number > def->max)
        return TL_ERR_OUT_OF_RANGE;
    expected->value[index] = number;
    return TL_OK;
}

/* Accepted: the canonical text of the changed parameter assigns back to the same parameters. */
static void check_round_trip(const tl_scenario *scenario, const tl_params *params,
                             const char *key) {
    tl_param_set set = scenario->params;
    long index = find_def(set, key);
    FUZZ_CHECK(index >= 0, "%s: '%s' accepted but unknown", scenario->name, key);
    char value[TL_MODEL_TEXT_MAX + 8], assignment[KEY_MAX + TL_MODEL_TEXT_MAX + 16];
    tl_param_value_text(set, params, (size_t)index, value, sizeof value);
    snprintf(assignment, sizeof assignment, "%s=%s", key, value);
    tl_params again;
    tl_params_defaults(set, &again);
    tl_error err;
    int status = tl_params_assign(set, scenario->name, &again, assignment, &err);
    FUZZ_CHECK(status == TL_OK, "%s: canonical '%s' refused: %s", scenario->name, assignment,
               err.message);
    tl_params want;
    tl_params_defaults(set, &want);
    if (set.defs[index].kind == TL_PARAM_MODEL)
        want.model = params->model;
    else
        want.value[index] = params->value[index];
    FUZZ_CHECK(params_equal(&again, &want), "%s: '%s' does not give the same parameters",
               scenario->name, assignment);
}

static void check_set(const tl_scenario *scenario, const char *key, const char *value) {
    tl_param_set set = scenario->params;
    tl_params start, params, expected;
    tl_error err;
    tl_params_defaults(set, &start);
    params = start;
    memset(&err, 0x5A, sizeof err);
    int want = expected_set(scenario, &start, key, value, &expected);
    int status = tl_params_set(set, scenario->name, &params, key, value, &err);
    FUZZ_CHECK(status == want, "%s: set('%s', '%s') = %d, expected %d (%s)", scenario->name, key,
               value, status, want, status ? err.message : "accepted");
    if (status == TL_OK) {
        FUZZ_CHECK(params_equal(&params, &expected), "%s: set('%s', '%s') stored something else",
                   scenario->name, key, value);
        check_round_trip(scenario, &params, key);
        return;
    }
    fuzz_check_refusal(&err, status);
    FUZZ_CHECK(params_equal(&params, &start), "%s: set('%s', '%s') refused but changed params",
               scenario->name, key, value);
    check_names(&err, key, "key");
    if (status == TL_ERR_UNKNOWN_PARAM)
        FUZZ_CHECK(strstr(err.message, scenario->name) != NULL, "no scenario name: %s",
                   err.message);
}

static void check_assign(const tl_scenario *scenario, const char *assignment) {
    tl_param_set set = scenario->params;
    tl_params start, params, expected;
    tl_error err;
    tl_params_defaults(set, &start);
    params = start;
    memset(&err, 0x5A, sizeof err);
    const char *eq = strchr(assignment, '=');
    int want;
    char key[KEY_MAX];
    if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= KEY_MAX) {
        want = TL_ERR_BAD_VALUE;
        expected = start;
    } else {
        memcpy(key, assignment, (size_t)(eq - assignment));
        key[eq - assignment] = '\0';
        want = expected_set(scenario, &start, key, eq + 1, &expected);
    }
    int status = tl_params_assign(set, scenario->name, &params, assignment, &err);
    FUZZ_CHECK(status == want, "%s: assign('%s') = %d, expected %d (%s)", scenario->name,
               assignment, status, want, status ? err.message : "accepted");
    if (status == TL_OK) {
        FUZZ_CHECK(params_equal(&params, &expected), "%s: assign('%s') stored something else",
                   scenario->name, assignment);
        check_round_trip(scenario, &params, key);
        return;
    }
    fuzz_check_refusal(&err, status);
    FUZZ_CHECK(params_equal(&params, &start), "%s: assign('%s') refused but changed params",
               scenario->name, assignment);
    if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= KEY_MAX)
        check_names(&err, assignment, "assignment");
    else
        check_names(&err, key, "key");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_text(data, size);
    size_t key_length = strlen(text);
    /* (key, value) split at the first NUL; the value ends at the next NUL or the end. */
    const char *value = key_length < size ? text + key_length + 1 : "";

    check_parse_u64(text);
    for (size_t s = 0; s < tl_scenario_count(); s++) {
        const tl_scenario *scenario = tl_scenario_at(s);
        check_assign(scenario, text);
        check_set(scenario, text, value);
    }
    free(text);
    return 0;
}
