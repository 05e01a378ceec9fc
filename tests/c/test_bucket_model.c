/* The bucket model parser and formatter (src/engine/bucket_model.h). */
#include <stdio.h>

#include "unit_tests.h"

#include "engine/bucket_model.h"

#define K UINT64_C(1024)
#define M (UINT64_C(1024) * 1024)

static tl_bucket_model parse_ok(const char *text) {
    tl_bucket_model model;
    tl_error err = {0};
    memset(&model, 0xAB, sizeof model);
    int status = tl_bucket_model_parse("model", text, &model, &err);
    if (status != TL_OK)
        fail_msg("'%s' was refused (%d): %s", text, status, err.message);
    return model;
}

static void expect_model(const char *text, unsigned depths, const uint64_t *buckets) {
    tl_bucket_model model = parse_ok(text);
    assert_int_equal(model.depths, depths);
    for (unsigned d = 0; d < depths; d++)
        assert_int_equal(model.buckets[d], buckets[d]);
}

static void test_valid_models(void **state) {
    (void)state;
    expect_model("1M/1M/1M", 3, (const uint64_t[]){M, M, M});
    expect_model("8M/8M/8M", 3, (const uint64_t[]){8 * M, 8 * M, 8 * M});
    expect_model("1K", 1, (const uint64_t[]){K});
    expect_model("64M", 1, (const uint64_t[]){64 * M});
    expect_model("1024", 1, (const uint64_t[]){K});
    expect_model("67108864", 1, (const uint64_t[]){64 * M});
    expect_model("65536K", 1, (const uint64_t[]){64 * M});
    expect_model("1k/2m", 2, (const uint64_t[]){K, 2 * M});
    expect_model("1K/2K/4K/8K/16K/32K/64K/128K", 8,
                 (const uint64_t[]){K, 2 * K, 4 * K, 8 * K, 16 * K, 32 * K, 64 * K, 128 * K});
}

static void test_unused_depths_are_zero(void **state) {
    (void)state;
    tl_bucket_model model = parse_ok("2K/4K");
    for (unsigned d = 2; d < TL_MODEL_MAX_DEPTHS; d++)
        assert_int_equal(model.buckets[d], 0);
}

static void expect_format(const char *text, const char *canonical) {
    tl_bucket_model model = parse_ok(text), again;
    char buf[TL_MODEL_TEXT_MAX + 1];
    tl_bucket_model_format(&model, buf, sizeof buf);
    assert_string_equal(buf, canonical);
    again = parse_ok(buf);
    assert_int_equal(again.depths, model.depths);
    assert_memory_equal(again.buckets, model.buckets, sizeof model.buckets);
}

static void test_format_round_trip(void **state) {
    (void)state;
    expect_format("1M/1M/1M", "1M/1M/1M");
    expect_format("8m/8M/8m", "8M/8M/8M");
    expect_format("1024", "1K");
    expect_format("1024K", "1M");
    expect_format("512K/2048K/67108864", "512K/2M/64M");
    expect_format("1k/2k/4k/8k/16k/32k/64k/128k", "1K/2K/4K/8K/16K/32K/64K/128K");
}

static void test_format_truncates_safely(void **state) {
    (void)state;
    tl_bucket_model model = parse_ok("1M/1M/1M");
    char buf[8];
    memset(buf, 'x', sizeof buf);
    tl_bucket_model_format(&model, buf, 5);
    assert_string_equal(buf, "1M/1");
    assert_int_equal(buf[5], 'x'); /* nothing written past the given size */
}

/* Refused: code TL_ERR_BAD_VALUE, the model untouched, and a message that names the key, quotes
 * the text, gives `why` and the allowed description. */
static void expect_refused(const char *text, const char *why) {
    tl_bucket_model model = parse_ok("4K/16K"), before = model;
    tl_error err = {0};
    char quoted[TL_MODEL_TEXT_MAX + 32];
    int status = tl_bucket_model_parse("model", text, &model, &err);
    if (status != TL_ERR_BAD_VALUE)
        fail_msg("'%s': expected TL_ERR_BAD_VALUE, got %d (%s)", text, status, err.message);
    assert_int_equal(err.code, TL_ERR_BAD_VALUE);
    assert_memory_equal(&model, &before, sizeof model);
    /* Quoted as every value is (src/shared/message.h): up to 64 bytes, else cut with its length. */
    if (strlen(text) <= 64)
        snprintf(quoted, sizeof quoted, "model='%s'", text);
    else
        snprintf(quoted, sizeof quoted, "model='%.64s... (%zu bytes)'", text, strlen(text));
    assert_starts_with(err.message, quoted);
    assert_contains(err.message, why);
    assert_contains(err.message, TL_MODEL_ALLOWED);
}

static void test_refused_models(void **state) {
    (void)state;
    expect_refused("8M//8M", "depth 2 is empty");
    expect_refused("3M", "depth 1 is not a power of two from 1K to 64M");
    expect_refused("0/1M", "depth 1 is not a power of two");
    expect_refused("99999999999G", "depth 1 is not a power of two");
    expect_refused("18446744073709551616K", "depth 1 is not a power of two");
    expect_refused("", "depth 1 is empty");
    expect_refused("8M/", "depth 2 is empty");
    expect_refused("/8M", "depth 1 is empty");
    expect_refused("1K/1K/1K/1K/1K/1K/1K/1K/1K", "more than 8 depths");
    expect_refused("128M", "depth 1 is not a power of two from 1K to 64M");
    expect_refused("65537K", "depth 1 is not a power of two");
    expect_refused("512", "depth 1 is not a power of two from 1K to 64M");
    expect_refused("1G", "depth 1 is not a power of two");
    expect_refused("1M/x", "depth 2 is not a power of two");
    expect_refused(" 1M", "depth 1 is not a power of two");
    expect_refused("1M ", "depth 1 is not a power of two");
    expect_refused("1KK", "depth 1 is not a power of two");
    expect_refused("-1K", "depth 1 is not a power of two");
    expect_refused("1M/2M/4M/8M/16M/32M/64M/128M", "depth 8 is not a power of two");
}

static void test_refused_too_long(void **state) {
    (void)state;
    char text[300];
    /* Valid depths, but far longer than any 8-depth model can be. */
    for (unsigned i = 0; i < sizeof text - 1; i++)
        text[i] = i % 3 == 2 ? '/' : i % 3 == 0 ? '1' : 'K';
    text[sizeof text - 1] = '\0';
    expect_refused(text, "too long");
    /* Just past the limit, made of leading zeros the digit parser would otherwise accept. */
    memset(text, '0', TL_MODEL_TEXT_MAX - 1);
    strcpy(text + TL_MODEL_TEXT_MAX - 1, "1K");
    assert_int_equal(strlen(text), TL_MODEL_TEXT_MAX + 1);
    expect_refused(text, "too long");
    /* At the limit it is accepted. */
    memset(text, '0', TL_MODEL_TEXT_MAX - 2);
    strcpy(text + TL_MODEL_TEXT_MAX - 2, "1K");
    assert_int_equal(strlen(text), TL_MODEL_TEXT_MAX);
    expect_model(text, 1, (const uint64_t[]){K});
}

/* A refused text of the longest accepted length still gets the whole allowed description, and
 * shows as every long value does: its first 64 bytes and its length. */
static void test_refusal_message_not_truncated(void **state) {
    (void)state;
    char text[TL_MODEL_TEXT_MAX + 1];
    tl_bucket_model model = parse_ok("4K"), before = model;
    tl_error err = {0};
    memset(text, '0', TL_MODEL_TEXT_MAX - 4);
    strcpy(text + TL_MODEL_TEXT_MAX - 4, "1K/3");
    assert_int_equal(strlen(text), TL_MODEL_TEXT_MAX);
    assert_int_equal(tl_bucket_model_parse("model", text, &model, &err), TL_ERR_BAD_VALUE);
    assert_memory_equal(&model, &before, sizeof model);
    text[64] = '\0';
    assert_contains(err.message, text);
    assert_contains(err.message, "... (96 bytes)' is not a bucket model");
    assert_contains(err.message, "depth 2 is not a power of two");
    assert_contains(err.message, TL_MODEL_ALLOWED);
}

static void test_key_is_named(void **state) {
    (void)state;
    tl_bucket_model model = parse_ok("1K");
    tl_error err = {0};
    assert_int_equal(tl_bucket_model_parse("BUCKET_MODEL", "3M", &model, &err), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "BUCKET_MODEL='3M'");
}

int run_bucket_model_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_models),
        cmocka_unit_test(test_unused_depths_are_zero),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_format_truncates_safely),
        cmocka_unit_test(test_refused_models),
        cmocka_unit_test(test_refused_too_long),
        cmocka_unit_test(test_refusal_message_not_truncated),
        cmocka_unit_test(test_key_is_named),
    };
    return cmocka_run_group_tests_name("bucket_model", tests, NULL, NULL);
}
