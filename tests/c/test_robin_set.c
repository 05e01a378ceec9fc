/* The robin-hood hash set of the buckets scenario (src/engine/robin_set.h). */
#include <stdlib.h>

#include "unit_tests.h"

#include "engine/robin_set.h"
#include "engine/touch.h"

#define BUCKETS 1024

static tl_robin_set make_set(uint64_t buckets) {
    tl_robin_set set;
    assert_true(tl_robin_set_alloc(&set, buckets));
    assert_non_null(set.slots);
    assert_int_equal(set.mask, buckets - 1);
    assert_int_equal(set.count, 0);
    /* In two pieces, as the scenario clears it step by step. */
    tl_robin_set_clear(&set, 0, buckets / 2);
    tl_robin_set_clear(&set, buckets / 2, buckets - buckets / 2);
    for (uint64_t i = 0; i < buckets; i++)
        assert_int_equal(set.slots[i], 0);
    return set;
}

static void test_insert_contains(void **state) {
    (void)state;
    tl_robin_set set = make_set(BUCKETS);
    assert_false(tl_robin_set_contains(&set, 42));
    assert_int_equal(tl_robin_set_insert(&set, 42), 1);
    assert_int_equal(set.count, 1);
    assert_true(tl_robin_set_contains(&set, 42));
    assert_false(tl_robin_set_contains(&set, 43));
    assert_int_equal(tl_robin_set_insert(&set, UINT64_MAX), 1);
    assert_true(tl_robin_set_contains(&set, UINT64_MAX));
    assert_true(tl_robin_set_contains(&set, 42));
    assert_int_equal(set.count, 2);
    tl_robin_set_free(&set);
    assert_null(set.slots);
    assert_int_equal(set.count, 0);
}

static void test_duplicate_insert(void **state) {
    (void)state;
    tl_robin_set set = make_set(BUCKETS);
    for (uint64_t key = 1; key <= 100; key++)
        assert_int_equal(tl_robin_set_insert(&set, key * 7919), 1);
    for (uint64_t key = 1; key <= 100; key++)
        assert_int_equal(tl_robin_set_insert(&set, key * 7919), 0);
    assert_int_equal(set.count, 100);
    tl_robin_set_free(&set);
}

/* Keys whose home bucket is the same: long probe chains and robin-hood displacement. */
static void test_colliding_keys(void **state) {
    (void)state;
    tl_robin_set set = make_set(BUCKETS);
    uint64_t keys[40];
    unsigned found = 0;
    uint64_t home = tl_mix64(1) & (BUCKETS - 1);
    for (uint64_t key = 1; found < 40; key++)
        if ((tl_mix64(key) & (BUCKETS - 1)) == home || (tl_mix64(key) & (BUCKETS - 1)) == home + 1)
            keys[found++] = key;
    for (unsigned i = 0; i < 40; i++)
        assert_int_equal(tl_robin_set_insert(&set, keys[i]), 1);
    for (unsigned i = 0; i < 40; i++) {
        assert_true(tl_robin_set_contains(&set, keys[i]));
        assert_int_equal(tl_robin_set_insert(&set, keys[i]), 0);
    }
    assert_int_equal(set.count, 40);
    tl_robin_set_free(&set);
}

/* Filled to 95%: every inserted key is found, and keys never inserted are not. */
static void test_fill_to_95_percent(void **state) {
    (void)state;
    const uint64_t n = BUCKETS * 95 / 100;
    tl_robin_set set = make_set(BUCKETS);
    for (uint64_t i = 0; i < n; i++)
        assert_int_equal(tl_robin_set_insert(&set, 2 * i + 2), 1); /* even keys */
    assert_int_equal(set.count, n);
    for (uint64_t i = 0; i < n; i++)
        if (!tl_robin_set_contains(&set, 2 * i + 2))
            fail_msg("key %llu lost", (unsigned long long)(2 * i + 2));
    for (uint64_t i = 0; i < 4 * BUCKETS; i++)
        if (tl_robin_set_contains(&set, 2 * i + 1)) /* odd keys were never inserted */
            fail_msg("key %llu found", (unsigned long long)(2 * i + 1));
    for (uint64_t i = n; i < 4 * BUCKETS; i++)
        assert_false(tl_robin_set_contains(&set, 2 * i + 2));
    /* Re-inserting any of them changes nothing. */
    for (uint64_t i = 0; i < n; i += 7)
        assert_int_equal(tl_robin_set_insert(&set, 2 * i + 2), 0);
    assert_int_equal(set.count, n);
    uint64_t occupied = 0;
    for (uint64_t i = 0; i < BUCKETS; i++)
        occupied += set.slots[i] != 0;
    assert_int_equal(occupied, n);
    tl_robin_set_free(&set);
}

int run_robin_set_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_contains),
        cmocka_unit_test(test_duplicate_insert),
        cmocka_unit_test(test_colliding_keys),
        cmocka_unit_test(test_fill_to_95_percent),
    };
    return cmocka_run_group_tests_name("robin_set", tests, NULL, NULL);
}
