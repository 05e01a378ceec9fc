/* The results JSON writer (src/cli/results_json.h): its "created" time, written without gmtime
 * (which WebAssembly cannot use without exporting malloc), against glibc's gmtime_r and strftime
 * over four centuries of days, leap days and the century years among them. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "unit_tests.h"

#include "cli/results_json.h"

static void expect_utc(int64_t seconds) {
    char ours[TL_UTC_TEXT_SIZE], glibc[TL_UTC_TEXT_SIZE];
    struct tm utc;
    time_t t = (time_t)seconds;
    assert_non_null(gmtime_r(&t, &utc));
    strftime(glibc, sizeof glibc, "%Y-%m-%dT%H:%M:%SZ", &utc);
    tl_json_utc_text(seconds, ours);
    if (strcmp(ours, glibc) != 0)
        fail_msg("%" PRId64 " s: %s, gmtime says %s", seconds, ours, glibc);
}

static void test_utc_text_matches_gmtime(void **state) {
    (void)state;
    const int64_t known[] = {0,          59,          86399,        86400,      951782399,
                             951782400,  951868800,   1709164800,   4107542399, 4107542400,
                             4102444800, 13574563200, 253402300799, 1767225599, 1764670000};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        expect_utc(known[i]);
    /* Every day from 1970 to 2370, each at another second of the day. */
    for (int64_t seconds = 0; seconds < INT64_C(12622780800); seconds += 86400 + 7)
        expect_utc(seconds);
}

static void test_utc_text_known_dates(void **state) {
    (void)state;
    char text[TL_UTC_TEXT_SIZE];
    tl_json_utc_text(0, text);
    assert_string_equal(text, "1970-01-01T00:00:00Z");
    tl_json_utc_text(951782400, text);
    assert_string_equal(text, "2000-02-29T00:00:00Z");
    tl_json_utc_text(4107542399, text);
    assert_string_equal(text, "2100-02-28T23:59:59Z");
}

int run_results_json_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_text_matches_gmtime),
        cmocka_unit_test(test_utc_text_known_dates),
    };
    return cmocka_run_group_tests_name("results_json", tests, NULL, NULL);
}
