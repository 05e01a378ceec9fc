/* Scenario parameters (src/engine/params.h) and the strict number parser. */
#include <inttypes.h>
#include <stdio.h>

#include "unit_tests.h"

#include "engine/params.h"
#include "scenarios/scenarios.h"

static void test_parse_u64_accepts_digits(void **state) {
    (void)state;
    uint64_t value = 1;
    assert_true(tl_parse_u64("0", &value));
    assert_int_equal(value, 0);
    assert_true(tl_parse_u64("42", &value));
    assert_int_equal(value, 42);
    assert_true(tl_parse_u64("007", &value));
    assert_int_equal(value, 7);
    assert_true(tl_parse_u64("18446744073709551615", &value));
    assert_true(value == UINT64_MAX);
    assert_true(tl_parse_u64("18446744073709551609", &value));
    assert_true(value == UINT64_MAX - 6);
}

static void test_parse_u64_refuses(void **state) {
    (void)state;
    static const char *const bad[] = {
        "",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1a",
        "0x10",
        "1.0",
        "1e3",
        "\xd9\xa1",
        "18446744073709551616", /* UINT64_MAX + 1 */
        "18446744073709551620",
        "99999999999999999999",
        "184467440737095516150",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t value = 1234;
        if (tl_parse_u64(bad[i], &value))
            fail_msg("'%s' was accepted as %" PRIu64, bad[i], value);
        assert_int_equal(value, 1234);
    }
}

/* Every registered scenario is found by its name, which is of the form results files allow (a
 * lowercase letter, then lowercase letters, digits or '_'); the unknown-scenario message names
 * them all, in order. A new scenario needs no change here. */
static void test_registry(void **state) {
    (void)state;
    static const char *const built_in[] = {"simple",  "vector",     "cycles",
                                           "buckets", "fragmented", "highwater"};
    tl_error err = {0};
    char names[TL_MESSAGE_MAX] = "";
    assert_true(tl_scenario_count() >= 6);
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        const char *name = tl_scenario_at(i)->name;
        assert_ptr_equal(tl_scenario_find(name, &err), tl_scenario_at(i));
        assert_true(strlen(name) >= 1 && strlen(name) <= 32 && name[0] >= 'a' && name[0] <= 'z');
        assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(name));
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", name);
    }
    for (size_t i = 0; i < sizeof built_in / sizeof built_in[0]; i++)
        assert_non_null(tl_scenario_find(built_in[i], &err));
    assert_null(tl_scenario_at(tl_scenario_count()));
    assert_null(tl_scenario_find("Simple", &err));
    assert_int_equal(err.code, TL_ERR_UNKNOWN_SCENARIO);
    assert_contains(err.message, "'Simple'");
    assert_contains(err.message, names);
}

/* Every scenario's defaults are its definitions' defaults, inside their own bounds. */
static void test_defaults_per_scenario(void **state) {
    (void)state;
    for (size_t s = 0; s < tl_scenario_count(); s++) {
        const tl_scenario *scenario = tl_scenario_at(s);
        tl_param_set set = scenario->params;
        tl_params params;
        memset(&params, 0xCD, sizeof params);
        tl_params_defaults(set, &params);
        assert_in_range(set.count, 1, TL_MAX_PARAMS);
        int models = 0;
        for (size_t i = 0; i < set.count; i++) {
            const tl_param_def *def = &set.defs[i];
            if (def->kind == TL_PARAM_MODEL) {
                char buf[TL_MODEL_TEXT_MAX + 1];
                tl_bucket_model_format(&params.model, buf, sizeof buf);
                assert_string_equal(buf, def->default_text);
                models++;
                continue;
            }
            assert_true(def->min <= def->default_value && def->default_value <= def->max);
            if (params.value[i] != def->default_value)
                fail_msg("%s.%s default %" PRIu64 ", expected %" PRIu64, scenario->name, def->name,
                         params.value[i], def->default_value);
        }
        if (models == 0)
            assert_int_equal(params.model.depths, 0);
        for (size_t i = set.count; i < TL_MAX_PARAMS; i++)
            assert_int_equal(params.value[i], 0);
    }
}

static void test_buckets_default_model(void **state) {
    (void)state;
    tl_params params;
    tl_params_defaults(test_scenario("buckets")->params, &params);
    assert_in_range(params.model.depths, 1, TL_MODEL_MAX_DEPTHS);
    for (unsigned d = 0; d < params.model.depths; d++)
        assert_in_range(params.model.buckets[d], TL_MODEL_MIN_BUCKETS, TL_MODEL_MAX_BUCKETS);
}

static void test_assign_valid(void **state) {
    (void)state;
    tl_param_set set = test_scenario("cycles")->params;
    tl_params params;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_assign(set, "cycles", &params, "cycles=3", &err), TL_OK);
    assert_int_equal(tl_params_assign(set, "cycles", &params, "block_mib=2", &err), TL_OK);
    assert_int_equal(params.value[0], 3);
    assert_int_equal(params.value[1], 2);
    /* A value containing '=' belongs to the value, not the key. */
    assert_int_equal(tl_params_assign(set, "cycles", &params, "cycles=4=4", &err),
                     TL_ERR_BAD_VALUE);
    assert_int_equal(params.value[0], 3);

    set = test_scenario("buckets")->params;
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "model=1K/2K", &err), TL_OK);
    assert_int_equal(params.model.depths, 2);
    assert_int_equal(params.model.buckets[0], 1024);
    assert_int_equal(params.model.buckets[1], 2048);
}

static void test_assign_unknown_key(void **state) {
    (void)state;
    tl_param_set set = test_scenario("cycles")->params;
    tl_params params, before;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    before = params;
    assert_int_equal(tl_params_assign(set, "cycles", &params, "block_kib=2", &err),
                     TL_ERR_UNKNOWN_PARAM);
    assert_int_equal(err.code, TL_ERR_UNKNOWN_PARAM);
    assert_contains(err.message, "'block_kib'");
    assert_contains(err.message, "cycles");
    assert_contains(err.message, "allowed: cycles, block_mib");
    /* Names are case-sensitive and must match whole. */
    assert_int_equal(tl_params_assign(set, "cycles", &params, "Cycles=2", &err),
                     TL_ERR_UNKNOWN_PARAM);
    assert_int_equal(tl_params_assign(set, "cycles", &params, "cycle=2", &err),
                     TL_ERR_UNKNOWN_PARAM);
    assert_memory_equal(&params, &before, sizeof params);

    set = test_scenario("buckets")->params;
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "depths=3", &err),
                     TL_ERR_UNKNOWN_PARAM);
    assert_contains(err.message, "allowed: model, load_percent");
}

static void test_assign_not_a_number(void **state) {
    (void)state;
    static const char *const bad[] = {"abc", "", "-1", " 8", "8MiB", "0x8", "99999999999999999999"};
    tl_param_set set = test_scenario("simple")->params;
    tl_params params, before;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    before = params;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char assignment[64], quoted[64];
        snprintf(assignment, sizeof assignment, "block_mib=%s", bad[i]);
        snprintf(quoted, sizeof quoted, "block_mib='%s'", bad[i]);
        int status = tl_params_assign(set, "simple", &params, assignment, &err);
        if (status != TL_ERR_BAD_VALUE)
            fail_msg("'%s': expected TL_ERR_BAD_VALUE, got %d (%s)", assignment, status,
                     err.message);
        assert_int_equal(err.code, TL_ERR_BAD_VALUE);
        assert_contains(err.message, quoted);
        assert_contains(err.message, "allowed 1..1024 MiB");
        assert_memory_equal(&params, &before, sizeof params);
    }
}

static void test_assign_out_of_range(void **state) {
    (void)state;
    tl_param_set set = test_scenario("simple")->params;
    tl_params params;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_assign(set, "simple", &params, "block_mib=8", &err), TL_OK);
    assert_int_equal(tl_params_assign(set, "simple", &params, "block_mib=0", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_int_equal(err.code, TL_ERR_OUT_OF_RANGE);
    assert_string_equal(err.message, "block_mib=0 is out of range (allowed 1..1024 MiB)");
    assert_int_equal(tl_params_assign(set, "simple", &params, "block_mib=1025", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_string_equal(err.message, "block_mib=1025 is out of range (allowed 1..1024 MiB)");
    assert_int_equal(
        tl_params_assign(set, "simple", &params, "block_mib=18446744073709551615", &err),
        TL_ERR_OUT_OF_RANGE);
    assert_contains(err.message, "block_mib=18446744073709551615 is out of range");
    assert_int_equal(params.value[0], 8);
}

/* For every integer parameter of every scenario: min and max are accepted, min-1 and max+1 are
 * refused with TL_ERR_OUT_OF_RANGE naming the value and "allowed MIN..MAX". */
static void test_bounds_of_every_param(void **state) {
    (void)state;
    for (size_t s = 0; s < tl_scenario_count(); s++) {
        const tl_scenario *scenario = tl_scenario_at(s);
        tl_param_set set = scenario->params;
        for (size_t i = 0; i < set.count; i++) {
            const tl_param_def *def = &set.defs[i];
            char text[96], allowed[64], named[64];
            tl_params params;
            tl_error err = {0};
            if (def->kind != TL_PARAM_INT)
                continue;
            tl_params_defaults(set, &params);
            snprintf(allowed, sizeof allowed, "(allowed %" PRIu64 "..%" PRIu64 " %s)", def->min,
                     def->max, def->unit);
            snprintf(text, sizeof text, "%s=%" PRIu64, def->name, def->min);
            assert_int_equal(tl_params_assign(set, scenario->name, &params, text, &err), TL_OK);
            assert_true(params.value[i] == def->min);
            snprintf(text, sizeof text, "%s=%" PRIu64, def->name, def->max);
            assert_int_equal(tl_params_assign(set, scenario->name, &params, text, &err), TL_OK);
            assert_true(params.value[i] == def->max);

            snprintf(named, sizeof named, "%s=%" PRIu64 " is out of range", def->name,
                     def->max + 1);
            snprintf(text, sizeof text, "%s=%" PRIu64, def->name, def->max + 1);
            assert_int_equal(tl_params_assign(set, scenario->name, &params, text, &err),
                             TL_ERR_OUT_OF_RANGE);
            assert_contains(err.message, named);
            assert_contains(err.message, allowed);
            assert_true(params.value[i] == def->max);
            if (def->min == 0)
                continue;
            snprintf(named, sizeof named, "%s=%" PRIu64 " is out of range", def->name,
                     def->min - 1);
            snprintf(text, sizeof text, "%s=%" PRIu64, def->name, def->min - 1);
            assert_int_equal(tl_params_assign(set, scenario->name, &params, text, &err),
                             TL_ERR_OUT_OF_RANGE);
            assert_contains(err.message, named);
            assert_contains(err.message, allowed);
            assert_true(params.value[i] == def->max);
        }
    }
}

static void test_assign_missing_equals(void **state) {
    (void)state;
    static const char *const bad[] = {"block_mib", "block_mib8", "", "=8"};
    tl_param_set set = test_scenario("simple")->params;
    tl_params params, before;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    before = params;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char quoted[64];
        int status = tl_params_assign(set, "simple", &params, bad[i], &err);
        if (status != TL_ERR_BAD_VALUE)
            fail_msg("'%s': expected TL_ERR_BAD_VALUE, got %d (%s)", bad[i], status, err.message);
        snprintf(quoted, sizeof quoted, "'%s' is not KEY=VALUE", bad[i]);
        assert_contains(err.message, quoted);
        assert_contains(err.message, "block_mib=");
        assert_memory_equal(&params, &before, sizeof params);
    }
}

/* A failed assignment keeps the value an earlier one stored, for numbers and for models. */
static void test_failed_assign_keeps_previous(void **state) {
    (void)state;
    tl_param_set set = test_scenario("buckets")->params;
    tl_params params;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "load_percent=50", &err), TL_OK);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "model=2K/4K", &err), TL_OK);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "load_percent=96", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "load_percent=9", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "load_percent=x", &err),
                     TL_ERR_BAD_VALUE);
    assert_int_equal(tl_params_assign(set, "buckets", &params, "model=3K", &err), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "model='3K'");
    assert_int_equal(tl_params_assign(set, "buckets", &params, "model=", &err), TL_ERR_BAD_VALUE);
    assert_int_equal(params.value[1], 50);
    assert_int_equal(params.model.depths, 2);
    assert_int_equal(params.model.buckets[0], 2048);
    assert_int_equal(params.model.buckets[1], 4096);
}

static void test_params_set_by_key(void **state) {
    (void)state;
    tl_param_set set = test_scenario("highwater")->params;
    tl_params params;
    tl_error err = {0};
    tl_params_defaults(set, &params);
    assert_int_equal(tl_params_set(set, "highwater", &params, "chunk_kib", "128", &err), TL_OK);
    assert_int_equal(params.value[1], 128);
    assert_int_equal(tl_params_set(set, "highwater", &params, "chunk_kib", "3", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_contains(err.message, "allowed 4..1024 KiB");
    assert_int_equal(params.value[1], 128);
    /* batch_mib defaults to total_mib's maximum (one batch) and has its bounds. */
    assert_int_equal(params.value[2], 2048);
    assert_int_equal(tl_params_set(set, "highwater", &params, "batch_mib", "0", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_contains(err.message, "batch_mib=0 is out of range (allowed 1..2048 MiB)");
    assert_int_equal(tl_params_set(set, "highwater", &params, "batch_mib", "2049", &err),
                     TL_ERR_OUT_OF_RANGE);
    assert_int_equal(tl_params_set(set, "highwater", &params, "batch_mib", "30", &err), TL_OK);
    assert_int_equal(params.value[2], 30);
}

int run_params_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_u64_accepts_digits),
        cmocka_unit_test(test_parse_u64_refuses),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_defaults_per_scenario),
        cmocka_unit_test(test_buckets_default_model),
        cmocka_unit_test(test_assign_valid),
        cmocka_unit_test(test_assign_unknown_key),
        cmocka_unit_test(test_assign_not_a_number),
        cmocka_unit_test(test_assign_out_of_range),
        cmocka_unit_test(test_bounds_of_every_param),
        cmocka_unit_test(test_assign_missing_equals),
        cmocka_unit_test(test_failed_assign_keeps_previous),
        cmocka_unit_test(test_params_set_by_key),
    };
    return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}
