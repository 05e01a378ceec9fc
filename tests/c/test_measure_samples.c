/* The readings `trimlab measure` keeps of a running program (src/native/measure_samples.h):
 * bounded however long it runs, evenly spaced when the caller reads half as often on each thin. */
#include <stdio.h>

#include "unit_tests.h"

#include "native/measure_samples.h"

static void test_full_thins_to_every_other_keeping_first_and_latest(void **state) {
    (void)state;
    tl_measure_samples s;
    assert_int_equal(tl_measure_samples_init(&s, 4), 0);
    for (uint64_t i = 1; i <= 4; i++)
        assert_int_equal(tl_measure_samples_add(&s, (double)i, i * 100, i * 10), 0);
    assert_int_equal(s.count, 4);
    /* Full: readings 100, 300 stay, 200 and 400 go, the new 500 is kept. */
    assert_int_equal(tl_measure_samples_add(&s, 5.0, 500, 50), 1);
    assert_int_equal(s.count, 3);
    const uint64_t kept[] = {100, 300, 500};
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(s.samples[i].memory.footprint_bytes, kept[i]);
        assert_int_equal(s.samples[i].memory.rss_anon_bytes, kept[i] / 10);
    }
    assert_string_equal(s.samples[2].label, "t=5.0 ms");
    tl_measure_samples_free(&s);
    assert_null(s.samples);
}

/* The caller doubles its interval whenever a reading thinned the rest (cmd_measure.c's follow):
 * the readings kept stay evenly spaced in time, and their number never exceeds the capacity. */
static void test_doubling_the_interval_keeps_readings_evenly_spaced(void **state) {
    (void)state;
    tl_measure_samples s;
    assert_int_equal(tl_measure_samples_init(&s, 8), 0);
    double t = 0, interval = 1;
    unsigned doublings = 0;
    for (int reading = 0; reading < 200; reading++, t += interval) {
        if (tl_measure_samples_add(&s, t, 4096, 0)) {
            interval *= 2;
            doublings++;
        }
        assert_true(s.count <= 8);
    }
    assert_true(doublings >= 4);
    char label[TL_LABEL_MAX];
    for (uint32_t i = 0; i < s.count; i++) {
        /* Reading i is at i times the final interval: t=0, t=I, t=2I, ... */
        snprintf(label, sizeof label, "t=%.1f ms", (double)i * interval);
        assert_string_equal(s.samples[i].label, label);
    }
    tl_measure_samples_free(&s);
}

static void test_capacity_is_even_and_at_least_two(void **state) {
    (void)state;
    const uint32_t asked[] = {0, 1, 2, 7, 4096}, given[] = {2, 2, 2, 6, 4096};
    for (size_t i = 0; i < sizeof asked / sizeof *asked; i++) {
        tl_measure_samples s;
        assert_int_equal(tl_measure_samples_init(&s, asked[i]), 0);
        assert_int_equal(s.capacity, given[i]);
        tl_measure_samples_free(&s);
    }
}

static void test_finish_numbers_phases_and_sums_up(void **state) {
    (void)state;
    tl_measure_samples s;
    assert_int_equal(tl_measure_samples_init(&s, 16), 0);
    const uint64_t footprints[] = {1000, 9000, 4000, 3000};
    for (uint32_t i = 0; i < 4; i++)
        tl_measure_samples_add(&s, i * 5.0, footprints[i], footprints[i] / 2);
    tl_summary summary;
    tl_measure_samples_finish(&s, &summary);
    const enum tl_phase phases[] = {TL_PHASE_BASELINE, TL_PHASE_ALLOCATE, TL_PHASE_ALLOCATE,
                                    TL_PHASE_FINAL};
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(s.samples[i].step, i);
        assert_int_equal(s.samples[i].phase, phases[i]);
        /* The program's allocator is not the engine's: its figures are not read. */
        assert_true(s.samples[i].memory.in_use_bytes == TL_NOT_READ);
        assert_true(s.samples[i].memory.allocator_free_bytes == TL_NOT_READ);
    }
    assert_int_equal(summary.baseline_footprint_bytes, 1000);
    assert_int_equal(summary.peak_footprint_bytes, 9000);
    assert_int_equal(summary.final_footprint_bytes, 3000);
    assert_int_equal(summary.before_trim_bytes, 3000);
    assert_int_equal(summary.after_trim_bytes, 3000);
    assert_int_equal(summary.peak_in_use_bytes, 0);
    assert_false(summary.trim.called);
    tl_measure_samples_free(&s);
}

int run_measure_samples_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_thins_to_every_other_keeping_first_and_latest),
        cmocka_unit_test(test_doubling_the_interval_keeps_readings_evenly_spaced),
        cmocka_unit_test(test_capacity_is_even_and_at_least_two),
        cmocka_unit_test(test_finish_numbers_phases_and_sums_up),
    };
    return cmocka_run_group_tests_name("measure_samples", tests, NULL, NULL);
}
