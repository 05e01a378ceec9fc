/* Shared declarations of the cmocka unit tests: one run function per group, and helpers. */
#ifndef TL_UNIT_TESTS_H
#define TL_UNIT_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/scenario.h"

/* Each returns the number of failed tests of its group. */
int run_bucket_model_tests(void);
int run_params_tests(void);
int run_cli_options_tests(void);
int run_engine_tests(void);
int run_robin_set_tests(void);
int run_u64_vec_tests(void);
int run_trace_reader_tests(void);
int run_output_file_tests(void);
int run_results_json_tests(void);
int run_measure_samples_tests(void);
int run_memory_map_tests(void);

/* The registered scenario of that name; fails the test when there is none. */
const tl_scenario *test_scenario(const char *name);

/* Fails (printing both strings) unless `needle` occurs in `haystack`. */
#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (strstr(h_, n_) == NULL)                                                                \
            fail_msg("expected \"%s\" to contain \"%s\"", h_, n_);                                 \
    } while (0)

#define assert_starts_with(text, prefix)                                                           \
    do {                                                                                           \
        const char *t_ = (text), *p_ = (prefix);                                                   \
        if (strncmp(t_, p_, strlen(p_)) != 0)                                                      \
            fail_msg("expected \"%s\" to start with \"%s\"", t_, p_);                              \
    } while (0)

#endif
