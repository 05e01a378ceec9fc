/* The growable vector of the buckets scenario's frontiers (src/engine/u64_vec.h). */
#include "unit_tests.h"

#include "engine/u64_vec.h"

static void test_push_grows_by_doubling(void **state) {
    (void)state;
    tl_u64_vec vec = {0};
    uint64_t last_capacity = 0;
    unsigned growths = 0;
    for (uint64_t i = 0; i < 5000; i++) {
        assert_true(tl_u64_vec_push(&vec, i * 3 + 1));
        assert_int_equal(vec.length, i + 1);
        assert_true(vec.capacity >= vec.length);
        if (vec.capacity != last_capacity) {
            if (last_capacity == 0)
                assert_int_equal(vec.capacity, 1024);
            else
                assert_int_equal(vec.capacity, 2 * last_capacity);
            last_capacity = vec.capacity;
            growths++;
        }
    }
    assert_int_equal(growths, 4); /* 1024, 2048, 4096, 8192 */
    assert_int_equal(vec.capacity, 8192);
    for (uint64_t i = 0; i < 5000; i++)
        assert_int_equal(vec.data[i], i * 3 + 1);
    tl_u64_vec_free(&vec);
    assert_null(vec.data);
    assert_int_equal(vec.length, 0);
    assert_int_equal(vec.capacity, 0);
}

static void test_reuse_after_free(void **state) {
    (void)state;
    tl_u64_vec vec = {0};
    tl_u64_vec_free(&vec); /* freeing an empty vector is harmless */
    assert_true(tl_u64_vec_push(&vec, 7));
    assert_int_equal(vec.length, 1);
    assert_int_equal(vec.data[0], 7);
    tl_u64_vec_free(&vec);
    assert_true(tl_u64_vec_push(&vec, 9));
    assert_int_equal(vec.length, 1);
    assert_int_equal(vec.capacity, 1024);
    assert_int_equal(vec.data[0], 9);
    tl_u64_vec_free(&vec);
}

int run_u64_vec_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_grows_by_doubling),
        cmocka_unit_test(test_reuse_after_free),
    };
    return cmocka_run_group_tests_name("u64_vec", tests, NULL, NULL);
}
