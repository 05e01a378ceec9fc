#include "cli_options.h"

#include <stdlib.h>
#include <string.h>

#define TL_CLI_MAX_SETS 32

const char tl_cli_usage[] =
    "usage: trimlab --list\n"
    "       trimlab --scenario NAME [--set KEY=VALUE ...] [--no-trim | --trim on|off|both]\n"
    "               [--json FILE] [--quiet]\n"
    "       trimlab --all [--no-trim | --trim on|off|both] [--json FILE] [--quiet]\n"
    "environment: DISABLE_MALLOC_TRIM=1 (as --no-trim); BUCKET_MODEL=8M/8M/8M with\n"
    "             ENABLE_CUSTOM_BUCKETS=1 (model of the buckets scenario)\n";

enum trim_choice { TRIM_ON, TRIM_OFF, TRIM_BOTH };

typedef struct raw_args {
    const char *scenario;
    int all;
    enum trim_choice trim;
    unsigned set_count;
    const char *sets[TL_CLI_MAX_SETS];
} raw_args;

static int env_is_one(const char *name) {
    const char *value = getenv(name);
    return value != NULL && strcmp(value, "1") == 0;
}

static int parse_trim(const char *value, enum trim_choice *trim, tl_error *err) {
    if (strcmp(value, "on") == 0)
        *trim = TRIM_ON;
    else if (strcmp(value, "off") == 0)
        *trim = TRIM_OFF;
    else if (strcmp(value, "both") == 0)
        *trim = TRIM_BOTH;
    else
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "--trim '%.40s' is not allowed (allowed: on, off, both)", value);
    return TL_OK;
}

static int need_value(int argc, char **argv, int i, tl_error *err) {
    if (i + 1 >= argc)
        return tl_fail(err, TL_ERR_BAD_VALUE, "%s needs a value", argv[i]);
    return TL_OK;
}

static int parse_flag(int argc, char **argv, int *i, raw_args *raw, tl_cli_options *options,
                      tl_error *err) {
    const char *arg = argv[*i];
    if (strcmp(arg, "--list") == 0) {
        options->action = TL_CLI_LIST;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        options->action = TL_CLI_HELP;
    } else if (strcmp(arg, "--all") == 0) {
        raw->all = 1;
    } else if (strcmp(arg, "--quiet") == 0) {
        options->quiet = 1;
    } else if (strcmp(arg, "--no-trim") == 0) {
        raw->trim = TRIM_OFF;
    } else {
        if (strcmp(arg, "--scenario") != 0 && strcmp(arg, "--set") != 0 &&
            strcmp(arg, "--json") != 0 && strcmp(arg, "--trim") != 0)
            return tl_fail(err, TL_ERR_BAD_VALUE,
                           "unknown option '%.40s' (allowed: --list, --scenario, --set, --all, "
                           "--no-trim, --trim, --json, --quiet, --help)",
                           arg);
        if (need_value(argc, argv, *i, err) != TL_OK)
            return err->code;
        const char *value = argv[++*i];
        if (strcmp(arg, "--scenario") == 0) {
            if (raw->scenario != NULL)
                return tl_fail(err, TL_ERR_BAD_VALUE,
                               "--scenario given twice ('%.40s' and '%.40s')", raw->scenario,
                               value);
            raw->scenario = value;
        } else if (strcmp(arg, "--set") == 0) {
            if (raw->set_count == TL_CLI_MAX_SETS)
                return tl_fail(err, TL_ERR_BAD_VALUE, "too many --set options (allowed 0..%d)",
                               TL_CLI_MAX_SETS);
            raw->sets[raw->set_count++] = value;
        } else if (strcmp(arg, "--json") == 0) {
            options->json_path = value;
        } else {
            return parse_trim(value, &raw->trim, err);
        }
    }
    return TL_OK;
}

/* The seed's interface: BUCKET_MODEL counts only with ENABLE_CUSTOM_BUCKETS=1. */
static int apply_environment(const tl_scenario *scenario, tl_params *params, tl_error *err) {
    const char *model = getenv("BUCKET_MODEL");
    if (model == NULL || !env_is_one("ENABLE_CUSTOM_BUCKETS") || scenario != &tl_scenario_buckets)
        return TL_OK;
    tl_error model_err;
    if (tl_params_set(scenario->params, scenario->name, params, "model", model, &model_err) !=
        TL_OK)
        return tl_fail(err, model_err.code, "BUCKET_MODEL: %s", model_err.message);
    return TL_OK;
}

static int add_runs(tl_cli_options *options, const tl_scenario *scenario, const tl_params *params,
                    enum trim_choice trim) {
    for (int pass = 0; pass < 2; pass++) {
        int enabled = pass == 0;
        if ((trim == TRIM_ON && !enabled) || (trim == TRIM_OFF && enabled))
            continue;
        tl_cli_run *run = &options->runs[options->run_count++];
        run->scenario = scenario;
        run->params = *params;
        run->trim_enabled = enabled;
    }
    return TL_OK;
}

static int build_run(const raw_args *raw, const tl_scenario *scenario, tl_cli_options *options,
                     tl_error *err) {
    tl_params params;
    tl_params_defaults(scenario->params, &params);
    if (apply_environment(scenario, &params, err) != TL_OK)
        return err->code;
    for (unsigned i = 0; i < raw->set_count; i++)
        if (tl_params_assign(scenario->params, scenario->name, &params, raw->sets[i], err) != TL_OK)
            return err->code;
    return add_runs(options, scenario, &params, raw->trim);
}

static int check_combination(const raw_args *raw, tl_error *err) {
    if (raw->all && raw->scenario)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--all and --scenario '%.40s' exclude each other",
                       raw->scenario);
    if (raw->all && raw->set_count)
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "--set '%.40s' needs --scenario (with --all every scenario runs its "
                       "defaults)",
                       raw->sets[0]);
    if (!raw->all && !raw->scenario && raw->set_count)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--set '%.40s' needs --scenario NAME", raw->sets[0]);
    if (!raw->all && !raw->scenario)
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "nothing to do: give --list, --scenario NAME or --all");
    return TL_OK;
}

int tl_cli_parse(int argc, char **argv, tl_cli_options *options, tl_error *err) {
    raw_args raw = {0};
    memset(options, 0, sizeof *options);
    tl_error_clear(err);
    options->action = TL_CLI_RUN;
    raw.trim = env_is_one("DISABLE_MALLOC_TRIM") ? TRIM_OFF : TRIM_ON;
    for (int i = 1; i < argc; i++)
        if (parse_flag(argc, argv, &i, &raw, options, err) != TL_OK)
            return err->code;
    if (options->action != TL_CLI_RUN)
        return TL_OK;
    if (check_combination(&raw, err) != TL_OK)
        return err->code;
    if (raw.scenario) {
        const tl_scenario *scenario = tl_scenario_find(raw.scenario, err);
        return scenario ? build_run(&raw, scenario, options, err) : err->code;
    }
    for (size_t i = 0; i < tl_scenario_count(); i++)
        if (build_run(&raw, tl_scenario_at(i), options, err) != TL_OK)
            return err->code;
    return TL_OK;
}
