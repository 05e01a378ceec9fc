/* Command line and environment parsing of the native CLI (src/cli/cli_options.h). */
#include <stdio.h>
#include <stdlib.h>

#include "unit_tests.h"

#include "cli/cli_options.h"
#include "cli/replay_cli.h"
#include "engine/bucket_model.h"
#include "scenarios/scenarios.h"
#include "shared/message.h"

static const char *const env_names[] = {"DISABLE_MALLOC_TRIM", "BUCKET_MODEL",
                                        "ENABLE_CUSTOM_BUCKETS"};
#define ENV_COUNT (sizeof env_names / sizeof env_names[0])
static char *saved_env[ENV_COUNT];

static void clear_env(void) {
    for (size_t i = 0; i < ENV_COUNT; i++)
        unsetenv(env_names[i]);
}

/* The caller's environment must not colour the tests: save it, clear it, restore it at the end. */
static int group_setup(void **state) {
    (void)state;
    for (size_t i = 0; i < ENV_COUNT; i++) {
        const char *value = getenv(env_names[i]);
        saved_env[i] = value ? strdup(value) : NULL;
    }
    clear_env();
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    for (size_t i = 0; i < ENV_COUNT; i++) {
        if (saved_env[i])
            setenv(env_names[i], saved_env[i], 1);
        else
            unsetenv(env_names[i]);
        free(saved_env[i]);
        saved_env[i] = NULL;
    }
    return 0;
}

static int test_teardown(void **state) {
    (void)state;
    clear_env();
    return 0;
}

static tl_cli_options options;
static tl_error err;

/* Parses {"trimlab", args..., NULL}. */
static int parse_argv(char **argv) {
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(&err, 0x5A, sizeof err);
    return tl_cli_parse(argc, argv, &options, &err);
}
#define PARSE(...) parse_argv((char *[]){"trimlab", __VA_ARGS__, NULL})
#define PARSE_NOTHING() parse_argv((char *[]){"trimlab", NULL})

#define assert_parse_ok(status)                                                                    \
    do {                                                                                           \
        int s_ = (status);                                                                         \
        if (s_ != TL_OK)                                                                           \
            fail_msg("expected TL_OK, got %d: %s", s_, err.message);                               \
        assert_int_equal(err.code, TL_OK);                                                         \
        assert_string_equal(err.message, "");                                                      \
    } while (0)

#define assert_parse_fails(status, expected)                                                       \
    do {                                                                                           \
        int s_ = (status);                                                                         \
        if (s_ != (expected))                                                                      \
            fail_msg("expected error %d, got %d: %s", (expected), s_, err.message);                \
        assert_int_equal(err.code, (expected));                                                    \
        assert_null(strchr(err.message, '\n'));                                                    \
    } while (0)

static void model_text(const tl_bucket_model *model, char *buf) {
    tl_bucket_model_format(model, buf, TL_MODEL_TEXT_MAX + 1);
}

static void assert_default_params(const tl_cli_run *run) {
    tl_params defaults;
    tl_params_defaults(run->scenario->params, &defaults);
    assert_memory_equal(&run->params, &defaults, sizeof defaults);
}

static void test_list_and_help(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--list"));
    assert_int_equal(options.action, TL_CLI_LIST);
    assert_int_equal(options.run_count, 0);
    assert_parse_ok(PARSE("--help"));
    assert_int_equal(options.action, TL_CLI_HELP);
    assert_parse_ok(PARSE("-h"));
    assert_int_equal(options.action, TL_CLI_HELP);
    assert_int_equal(options.run_count, 0);
    assert_contains(tl_cli_usage, "--scenario NAME");
}

/* --version prints the version and runs nothing, wherever it is and whatever else is given
 * (--help alone wins over it); every synopsis is in the --help help2man reads. */
static void test_version(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--version"));
    assert_int_equal(options.action, TL_CLI_VERSION);
    assert_int_equal(options.run_count, 0);
    assert_parse_ok(PARSE("--scenario", "nope", "--version", "--set", "x=1"));
    assert_int_equal(options.action, TL_CLI_VERSION);
    assert_parse_ok(PARSE("--list", "--version"));
    assert_int_equal(options.action, TL_CLI_VERSION);
    assert_parse_ok(PARSE("--version", "--help"));
    assert_int_equal(options.action, TL_CLI_HELP);
    assert_parse_fails(PARSE("--versions"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "--help, --version)");
    assert_starts_with(tl_cli_usage, "Usage: trimlab --list\n");
    assert_contains(tl_cli_usage, "\n  or:  " TL_SYNOPSIS_RECORD "\n");
    assert_contains(tl_cli_usage, "\n  or:  " TL_SYNOPSIS_REPLAY "\n");
    assert_contains(tl_cli_usage, "\n  --version            print the version and exit\n");
}

static void test_scenario_with_sets(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--scenario", "cycles", "--set", "cycles=3", "--set", "block_mib=2",
                          "--json", "out.json", "--quiet"));
    assert_int_equal(options.action, TL_CLI_RUN);
    assert_int_equal(options.run_count, 1);
    assert_ptr_equal(options.runs[0].scenario, test_scenario("cycles"));
    assert_int_equal(options.runs[0].params.value[0], 3);
    assert_int_equal(options.runs[0].params.value[1], 2);
    assert_int_equal(options.runs[0].trim_enabled, 1);
    assert_string_equal(options.json_path, "out.json");
    assert_int_equal(options.quiet, 1);

    assert_parse_ok(PARSE("--scenario", "simple"));
    assert_int_equal(options.run_count, 1);
    assert_ptr_equal(options.runs[0].scenario, test_scenario("simple"));
    assert_default_params(&options.runs[0]);
    assert_null(options.json_path);
    assert_int_equal(options.quiet, 0);

    /* Later --set of the same key wins. */
    assert_parse_ok(PARSE("--scenario", "simple", "--set", "block_mib=8", "--set", "block_mib=9"));
    assert_int_equal(options.runs[0].params.value[0], 9);
}

static void test_bad_set_is_refused(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--scenario", "simple", "--set", "nope=1"), TL_ERR_UNKNOWN_PARAM);
    assert_contains(err.message, "'nope'");
    assert_contains(err.message, "allowed: block_mib");
    assert_parse_fails(PARSE("--scenario", "simple", "--set", "block_mib=0"), TL_ERR_OUT_OF_RANGE);
    assert_contains(err.message, "allowed 1..1024");
    assert_parse_fails(PARSE("--scenario", "simple", "--set", "block_mib"), TL_ERR_BAD_VALUE);
}

static void test_all(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--all"));
    assert_int_equal(options.run_count, tl_scenario_count());
    for (unsigned i = 0; i < tl_scenario_count(); i++) {
        assert_ptr_equal(options.runs[i].scenario, tl_scenario_at(i));
        assert_int_equal(options.runs[i].trim_enabled, 1);
        assert_default_params(&options.runs[i]);
    }
}

/* --all --trim both makes two runs of every scenario: the registry must fit the runs array. */
static void test_every_scenario_fits(void **state) {
    (void)state;
    assert_true(2 * tl_scenario_count() <= TL_CLI_MAX_RUNS);
}

static void test_trim_both_doubles_runs(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--all", "--trim", "both"));
    assert_int_equal(options.run_count, 2 * tl_scenario_count());
    for (unsigned i = 0; i < tl_scenario_count(); i++) {
        assert_ptr_equal(options.runs[2 * i].scenario, tl_scenario_at(i));
        assert_ptr_equal(options.runs[2 * i + 1].scenario, tl_scenario_at(i));
        assert_int_equal(options.runs[2 * i].trim_enabled, 1);
        assert_int_equal(options.runs[2 * i + 1].trim_enabled, 0);
        assert_memory_equal(&options.runs[2 * i].params, &options.runs[2 * i + 1].params,
                            sizeof(tl_params));
    }
    assert_parse_ok(PARSE("--scenario", "vector", "--set", "slots=100", "--trim", "both"));
    assert_int_equal(options.run_count, 2);
    assert_int_equal(options.runs[0].trim_enabled, 1);
    assert_int_equal(options.runs[1].trim_enabled, 0);
    assert_int_equal(options.runs[0].params.value[0], 100);
    assert_int_equal(options.runs[1].params.value[0], 100);
}

static void test_trim_choices(void **state) {
    (void)state;
    assert_parse_ok(PARSE("--scenario", "simple", "--no-trim"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 0);
    assert_parse_ok(PARSE("--scenario", "simple", "--trim", "off"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 0);
    assert_parse_ok(PARSE("--scenario", "simple", "--trim", "on"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 1);
    assert_parse_ok(PARSE("--all", "--no-trim"));
    assert_int_equal(options.run_count, tl_scenario_count());
    for (unsigned i = 0; i < tl_scenario_count(); i++)
        assert_int_equal(options.runs[i].trim_enabled, 0);
}

static void test_disable_malloc_trim_env(void **state) {
    (void)state;
    setenv("DISABLE_MALLOC_TRIM", "1", 1);
    assert_parse_ok(PARSE("--scenario", "simple"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 0);
    assert_parse_ok(PARSE("--all"));
    for (unsigned i = 0; i < options.run_count; i++)
        assert_int_equal(options.runs[i].trim_enabled, 0);
    /* An explicit --trim overrides the environment. */
    assert_parse_ok(PARSE("--scenario", "simple", "--trim", "on"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 1);
    assert_parse_ok(PARSE("--scenario", "simple", "--trim", "both"));
    assert_int_equal(options.run_count, 2);
    /* The falsy spellings leave trim on. */
    static const char *const falsy[] = {"0", "", "false", "FALSE", "no", "No", "off", "OFF"};
    for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++) {
        setenv("DISABLE_MALLOC_TRIM", falsy[i], 1);
        assert_parse_ok(PARSE("--scenario", "simple"));
        assert_int_equal(options.runs[0].trim_enabled, 1);
    }
}

static void test_bucket_model_env(void **state) {
    (void)state;
    char buf[TL_MODEL_TEXT_MAX + 1];
    tl_params defaults;
    tl_params_defaults(test_scenario("buckets")->params, &defaults);

    /* Without ENABLE_CUSTOM_BUCKETS=1 the model is ignored. */
    setenv("BUCKET_MODEL", "2K/4K", 1);
    assert_parse_ok(PARSE("--scenario", "buckets"));
    assert_default_params(&options.runs[0]);
    static const char *const falsy[] = {"0", "", "false", "No", "OFF"};
    for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++) {
        setenv("ENABLE_CUSTOM_BUCKETS", falsy[i], 1);
        assert_parse_ok(PARSE("--scenario", "buckets"));
        assert_default_params(&options.runs[0]);
    }

    setenv("ENABLE_CUSTOM_BUCKETS", "1", 1);
    assert_parse_ok(PARSE("--scenario", "buckets"));
    model_text(&options.runs[0].params.model, buf);
    assert_string_equal(buf, "2K/4K");
    assert_int_equal(options.runs[0].params.value[1], defaults.value[1]);

    /* Only the buckets scenario takes it. */
    assert_parse_ok(PARSE("--all"));
    assert_int_equal(options.run_count, tl_scenario_count());
    for (unsigned i = 0; i < tl_scenario_count(); i++) {
        if (options.runs[i].scenario != test_scenario("buckets")) {
            assert_default_params(&options.runs[i]);
            continue;
        }
        model_text(&options.runs[i].params.model, buf);
        assert_string_equal(buf, "2K/4K");
    }
    /* --set is applied after the environment. */
    assert_parse_ok(PARSE("--scenario", "buckets", "--set", "model=8K"));
    model_text(&options.runs[0].params.model, buf);
    assert_string_equal(buf, "8K");
}

static void test_bad_bucket_model_env(void **state) {
    (void)state;
    setenv("BUCKET_MODEL", "3M", 1);
    /* Ignored while not enabled, and by other scenarios. */
    assert_parse_ok(PARSE("--scenario", "buckets"));
    setenv("ENABLE_CUSTOM_BUCKETS", "1", 1);
    assert_parse_ok(PARSE("--scenario", "simple"));

    assert_parse_fails(PARSE("--all"), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "BUCKET_MODEL:");
    assert_parse_fails(PARSE("--scenario", "buckets"), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "BUCKET_MODEL:");
    /* Regression: the message once lost the value (tl_fail reading the buffer it wrote). */
    assert_starts_with(err.message, "BUCKET_MODEL: model='3M' is not a bucket model");
    assert_contains(err.message, "power of two");
    assert_contains(err.message, TL_MODEL_ALLOWED);
    /* Still one message when the value is refused for another reason. */
    setenv("BUCKET_MODEL", "8M/", 1);
    assert_parse_fails(PARSE("--scenario", "buckets", "--trim", "both"), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "BUCKET_MODEL: model='8M/'");
    assert_contains(err.message, "depth 2 is empty");
    assert_int_equal(options.run_count, 0);
}

/* A longer bad BUCKET_MODEL: the prefixed message must still hold the whole allowed text. */
static void test_bad_long_bucket_model_env(void **state) {
    (void)state;
    const char *text = "1024/1024/1024/1024/1024/1024/1024/1024/00000000000000000000001K";
    setenv("BUCKET_MODEL", text, 1);
    setenv("ENABLE_CUSTOM_BUCKETS", "1", 1);
    assert_parse_fails(PARSE("--scenario", "buckets"), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "BUCKET_MODEL: model='");
    assert_contains(err.message, text);
    assert_contains(err.message, "more than 8 depths");
    assert_contains(err.message, TL_MODEL_ALLOWED);

    text = "00000000000000000000000000000000000000000000000000000000001K/3";
    setenv("BUCKET_MODEL", text, 1);
    assert_parse_fails(PARSE("--scenario", "buckets"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, text);
    assert_contains(err.message, "depth 2 is not a power of two");
    assert_contains(err.message, TL_MODEL_ALLOWED);
}

static void test_unknown_scenario(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--scenario", "bogus"), TL_ERR_UNKNOWN_SCENARIO);
    assert_contains(err.message, "'bogus'");
    assert_contains(err.message, "simple, vector, cycles, buckets, fragmented, highwater");
}

static void test_unknown_option(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--scenario", "simple", "--bogus"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "'--bogus'");
    assert_contains(err.message, "allowed: --list");
    assert_parse_fails(PARSE("simple"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "'simple'");
    assert_parse_fails(PARSE("--list", "--lis"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "'--lis'");
}

static void test_set_without_scenario(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--all", "--set", "block_mib=8"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "--set 'block_mib=8' needs --scenario");
    assert_parse_fails(PARSE("--set", "block_mib=8"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "--scenario");
}

static void test_all_with_scenario(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--all", "--scenario", "simple"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "--all and --scenario 'simple' exclude each other");
    assert_parse_fails(PARSE("--scenario", "simple", "--all"), TL_ERR_BAD_VALUE);
    assert_parse_fails(PARSE("--scenario", "simple", "--scenario", "vector"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "'simple' and 'vector'");
}

static void test_nothing_to_do(void **state) {
    (void)state;
    assert_parse_fails(PARSE_NOTHING(), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "nothing to do");
    assert_contains(err.message, "--list, --scenario NAME or --all");
    assert_parse_fails(PARSE("--quiet", "--trim", "both"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "nothing to do");
}

static void test_option_missing_value(void **state) {
    (void)state;
    static const char *const needing[] = {"--scenario", "--set", "--json", "--trim"};
    for (size_t i = 0; i < sizeof needing / sizeof needing[0]; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "%s needs a value", needing[i]);
        assert_parse_fails(PARSE("--all", (char *)needing[i]), TL_ERR_BAD_VALUE);
        assert_string_equal(err.message, expected);
    }
}

static void test_trim_bad_value(void **state) {
    (void)state;
    static const char *const bad[] = {"maybe", "ON", "", "1", "both "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "--trim '%s' is not allowed", bad[i]);
        assert_parse_fails(PARSE("--scenario", "simple", "--trim", (char *)bad[i]),
                           TL_ERR_BAD_VALUE);
        assert_contains(err.message, expected);
        assert_contains(err.message, "allowed: on, off, both");
    }
}

/* Regression: a repeated --trim or --json silently took the last value, --no-trim with --trim
 * the later one; --scenario was the only repeat refused. */
static void test_repeated_options_refused(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--scenario", "simple", "--trim", "on", "--trim", "off"),
                       TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--trim given twice ('on' and 'off')");
    assert_parse_fails(PARSE("--all", "--json", "a.json", "--json", "b.json"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--json given twice ('a.json' and 'b.json')");
    assert_parse_fails(PARSE("--no-trim", "--scenario", "simple", "--trim", "on"),
                       TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--no-trim and --trim 'on' exclude each other");
    assert_parse_fails(PARSE("--trim", "off", "--scenario", "simple", "--no-trim"),
                       TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--no-trim and --trim 'off' exclude each other");
    assert_int_equal(options.run_count, 0);
    /* Flags without a value say the same thing twice: harmless. */
    assert_parse_ok(PARSE("--all", "--all", "--quiet", "--quiet", "--no-trim", "--no-trim"));
    assert_int_equal(options.run_count, tl_scenario_count());
    assert_int_equal(options.runs[0].trim_enabled, 0);
    assert_int_equal(options.quiet, 1);
}

/* Regression: ENABLE_CUSTOM_BUCKETS=true ignored BUCKET_MODEL, and any value but "1" of either
 * switch was taken as off without a word. */
static void test_switch_spellings(void **state) {
    (void)state;
    static const char *const truthy[] = {"1", "true", "TRUE", "yes", "Yes", "on", "ON"};
    static const char *const refused[] = {"2", "maybe", " 1", "1 ", "truee", "y", "enabled"};
    char buf[TL_MODEL_TEXT_MAX + 1];
    setenv("BUCKET_MODEL", "2K/4K", 1);
    for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++) {
        setenv("ENABLE_CUSTOM_BUCKETS", truthy[i], 1);
        setenv("DISABLE_MALLOC_TRIM", truthy[i], 1);
        assert_parse_ok(PARSE("--scenario", "buckets"));
        model_text(&options.runs[0].params.model, buf);
        assert_string_equal(buf, "2K/4K");
        assert_int_equal(options.runs[0].trim_enabled, 0);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char expected[128];
        clear_env();
        setenv("ENABLE_CUSTOM_BUCKETS", refused[i], 1);
        assert_parse_fails(PARSE("--scenario", "simple"), TL_ERR_BAD_VALUE);
        snprintf(expected, sizeof expected,
                 "ENABLE_CUSTOM_BUCKETS='%s' is not allowed (allowed: 1, ", refused[i]);
        assert_starts_with(err.message, expected);
        assert_contains(err.message, "0, false, no, off or empty");
        clear_env();
        setenv("DISABLE_MALLOC_TRIM", refused[i], 1);
        assert_parse_fails(PARSE("--all", "--trim", "on"), TL_ERR_BAD_VALUE);
        snprintf(expected, sizeof expected, "DISABLE_MALLOC_TRIM='%s' is not allowed", refused[i]);
        assert_starts_with(err.message, expected);
    }
    /* --help and --list do not run anything, so they read no switch. */
    assert_parse_ok(PARSE("--help"));
    assert_parse_ok(PARSE("--list"));
}

/* Regression: `--list --scenario nope` listed and exited 0. */
static void test_list_takes_no_run_option(void **state) {
    (void)state;
    assert_parse_fails(PARSE("--list", "--scenario", "nope"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--list takes no other option ('--scenario' given)");
    assert_parse_fails(PARSE("--trim", "both", "--list"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--list takes no other option ('--trim' given)");
    assert_parse_fails(PARSE("--list", "--quiet"), TL_ERR_BAD_VALUE);
    assert_parse_fails(PARSE("--list", "--json", "x.json"), TL_ERR_BAD_VALUE);
    assert_parse_fails(PARSE("--all", "--list"), TL_ERR_BAD_VALUE);
    assert_parse_ok(PARSE("--list", "--list"));
    assert_int_equal(options.action, TL_CLI_LIST);
    /* --help wins wherever it is. */
    assert_parse_ok(PARSE("--help", "--list", "--scenario", "nope"));
    assert_int_equal(options.action, TL_CLI_HELP);
    assert_parse_ok(PARSE("--list", "-h"));
    assert_int_equal(options.action, TL_CLI_HELP);
}

static const char *trace_path;

static int parse_replay(char **argv) {
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(&err, 0x5A, sizeof err);
    return tl_replay_cli_parse(argc, argv, &options, &trace_path, &err);
}
#define PARSE_REPLAY(...) parse_replay((char *[]){"replay", __VA_ARGS__, NULL})

/* Regression: replay took the last of a repeated --trim or --json too. */
static void test_replay_repeats_refused(void **state) {
    (void)state;
    assert_parse_fails(PARSE_REPLAY("t.trace", "--trim", "both", "--trim", "on"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--trim given twice ('both' and 'on')");
    assert_parse_fails(PARSE_REPLAY("--json", "a", "t.trace", "--json", "b"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--json given twice ('a' and 'b')");
    assert_parse_fails(PARSE_REPLAY("--no-trim", "t.trace", "--trim", "on"), TL_ERR_BAD_VALUE);
    assert_string_equal(err.message, "--no-trim and --trim 'on' exclude each other");
    setenv("DISABLE_MALLOC_TRIM", "sometimes", 1);
    assert_parse_fails(PARSE_REPLAY("t.trace"), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "DISABLE_MALLOC_TRIM='sometimes' is not allowed");
    setenv("DISABLE_MALLOC_TRIM", "on", 1);
    assert_parse_ok(PARSE_REPLAY("t.trace", "--quiet", "--quiet", "--no-trim", "--no-trim"));
    assert_int_equal(options.run_count, 1);
    assert_int_equal(options.runs[0].trim_enabled, 0);
    assert_string_equal(trace_path, "t.trace");
    assert_parse_ok(PARSE_REPLAY("t.trace", "--trim", "both"));
    assert_int_equal(options.run_count, 2);
    assert_int_equal(options.runs[0].trim_enabled, 1);
    assert_int_equal(options.runs[1].trim_enabled, 0);
}

/* No byte a terminal obeys: C0, DEL, or C1 (U+0080..U+009F as UTF-8). */
static void assert_clean_line(const char *message) {
    for (const unsigned char *p = (const unsigned char *)message; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            fail_msg("byte 0x%02x at %td in: %s", *p, (const char *)p - message, message);
}

/* Command lines that echo a value: "@" stands for the value, "--@" for "--" and the value. */
static const char *const echoing[][6] = {
    {"trimlab", "--scenario", "@"},
    {"trimlab", "--scenario", "simple", "--set", "@"},
    {"trimlab", "--scenario", "simple", "--set", "block_mib=@"},
    {"trimlab", "--scenario", "buckets", "--set", "model=@"},
    {"trimlab", "--scenario", "simple", "--set", "@=1"},
    {"trimlab", "--scenario", "simple", "--trim", "@"},
    {"trimlab", "--all", "--scenario", "@"},
    {"trimlab", "--all", "--set", "@"},
    {"trimlab", "--all", "--json", "a", "--json", "@"},
    {"trimlab", "--scenario", "@", "--scenario", "simple"},
    {"trimlab", "--all", "--trim", "@", "--no-trim"},
    {"trimlab", "@"},
    {"trimlab", "--@"},
    {"trimlab", "--list", "--@"},
    {"replay", "t.trace", "--trim", "@"},
    {"replay", "t.trace", "@"},
    {"replay", "t.trace", "--set", "@"},
    {"replay", "--@"},
    {"replay", "t.trace", "--json", "@", "--json", "b"},
};

/* Every place the parsers echo a value: one clean line, the value quoted, a long one cut with
 * its length (independently: the value's own byte count). */
static void test_hostile_values_quoted(void **state) {
    (void)state;
    static char huge[128 * 1024 + 1];
    memset(huge, 'v', sizeof huge - 1);
    const char *hostile[] = {"a\nb",
                             "a\x1b"
                             "b",
                             "\x1b[2J",
                             "x\xc2\x9b"
                             "31m",
                             "d\x7f",
                             huge};
    static char with_value[sizeof huge + 16]; /* each line has one "@" */
    for (size_t h = 0; h < sizeof hostile / sizeof hostile[0]; h++) {
        for (size_t c = 0; c < sizeof echoing / sizeof echoing[0]; c++) {
            char *argv[7] = {NULL};
            int argc = 0;
            for (; argc < 6 && echoing[c][argc]; argc++) {
                const char *arg = echoing[c][argc], *at = strchr(arg, '@');
                argv[argc] = (char *)arg;
                if (at == NULL)
                    continue;
                snprintf(with_value, sizeof with_value, "%.*s%s%s", (int)(at - arg), arg,
                         hostile[h], at + 1);
                argv[argc] = with_value;
            }
            memset(&err, 0x5A, sizeof err);
            int status = strcmp(argv[0], "replay") == 0
                             ? tl_replay_cli_parse(argc, argv, &options, &trace_path, &err)
                             : tl_cli_parse(argc, argv, &options, &err);
            if (status == TL_OK)
                fail_msg("command line %zu with value %zu accepted", c, h);
            assert_clean_line(err.message);
            if (hostile[h] == huge) {
                assert_contains(err.message, "vvvv... (");
                assert_true(strlen(err.message) < 400);
            }
        }
    }
    /* The cut value names its length. */
    assert_parse_fails(PARSE("--scenario", huge), TL_ERR_UNKNOWN_SCENARIO);
    assert_contains(err.message, "... (131072 bytes)");
    assert_parse_fails(PARSE("--scenario", "simple", "--trim", "\x1b[2J"), TL_ERR_BAD_VALUE);
    assert_contains(err.message, "--trim '?[2J' is not allowed");
}

int run_cli_options_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_list_and_help, test_teardown),
        cmocka_unit_test_teardown(test_version, test_teardown),
        cmocka_unit_test_teardown(test_scenario_with_sets, test_teardown),
        cmocka_unit_test_teardown(test_bad_set_is_refused, test_teardown),
        cmocka_unit_test_teardown(test_all, test_teardown),
        cmocka_unit_test(test_every_scenario_fits),
        cmocka_unit_test_teardown(test_trim_both_doubles_runs, test_teardown),
        cmocka_unit_test_teardown(test_trim_choices, test_teardown),
        cmocka_unit_test_teardown(test_disable_malloc_trim_env, test_teardown),
        cmocka_unit_test_teardown(test_bucket_model_env, test_teardown),
        cmocka_unit_test_teardown(test_bad_bucket_model_env, test_teardown),
        cmocka_unit_test_teardown(test_bad_long_bucket_model_env, test_teardown),
        cmocka_unit_test_teardown(test_unknown_scenario, test_teardown),
        cmocka_unit_test_teardown(test_unknown_option, test_teardown),
        cmocka_unit_test_teardown(test_set_without_scenario, test_teardown),
        cmocka_unit_test_teardown(test_all_with_scenario, test_teardown),
        cmocka_unit_test_teardown(test_nothing_to_do, test_teardown),
        cmocka_unit_test_teardown(test_option_missing_value, test_teardown),
        cmocka_unit_test_teardown(test_trim_bad_value, test_teardown),
        cmocka_unit_test_teardown(test_repeated_options_refused, test_teardown),
        cmocka_unit_test_teardown(test_switch_spellings, test_teardown),
        cmocka_unit_test_teardown(test_list_takes_no_run_option, test_teardown),
        cmocka_unit_test_teardown(test_replay_repeats_refused, test_teardown),
        cmocka_unit_test_teardown(test_hostile_values_quoted, test_teardown),
    };
    return cmocka_run_group_tests_name("cli_options", tests, group_setup, group_teardown);
}
