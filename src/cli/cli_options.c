#include "cli_options.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "results_json.h"
#include "shared/message.h"

#define TL_CLI_MAX_SETS 32

const char tl_cli_usage[] =
    "Usage: trimlab --list\n"
    "  or:  trimlab --scenario NAME [OPTION]...\n"
    "  or:  trimlab --all [OPTION]...\n"
    "  or:  " TL_SYNOPSIS_RECORD "\n"
    "  or:  " TL_SYNOPSIS_MEASURE "\n"
    "  or:  " TL_SYNOPSIS_TRACE_INFO "\n"
    "  or:  " TL_SYNOPSIS_REPLAY "\n"
    "  or:  trimlab --help | --version\n"
    "Runs allocation scenarios, each in a fresh child process, and prints the memory\n"
    "of every step (resident set, bytes in use, the allocator's free bytes), with\n"
    "malloc_trim(0) at the trim step or without it. The commands record, trace-info\n"
    "and replay do the same for a program's own allocation calls; measure reads a\n"
    "program's memory from outside while it runs.\n"
    "\n"
    "Options:\n"
    "  --list               print the scenarios, their parameters, defaults and\n"
    "                       bounds\n"
    "  --scenario NAME      run scenario NAME\n"
    "  --all                run every scenario with its defaults\n"
    "  --set KEY=VALUE      set a parameter of the scenario (repeatable)\n"
    "  --no-trim            skip malloc_trim(0): the \"WASM-equivalent\" measurement\n"
    "  --trim on|off|both   call malloc_trim(0) (on, the default), skip it (off), or\n"
    "                       run each scenario both ways\n"
    "  --json FILE          also write the results as JSON to FILE, replaced only\n"
    "                       when complete\n"
    "  --map                take a memory map of the heap after the work, after free\n"
    "                       and after trim: each page live, cached, free, above or\n"
    "                       static; print each map's classes and write them with\n"
    "                       --json\n"
    "  --quiet              print no tables (nor maps)\n"
    "  -h, --help           print this help and exit\n"
    "  --version            print the version and exit\n"
    "\n"
    "Environment:\n"
    "  DISABLE_MALLOC_TRIM  a switch: on is --no-trim, unless --trim is given\n"
    "  ENABLE_CUSTOM_BUCKETS\n"
    "                       a switch: on lets BUCKET_MODEL set the buckets model\n"
    "  BUCKET_MODEL         the buckets scenario's model, e.g. 8M/8M/8M\n"
    "A switch is on with 1, true, yes or on and off with 0, false, no, off or empty,\n"
    "in any case; anything else is refused.\n"
    "\n"
    "Exit status:\n"
    "  0      every run completed\n"
    "  1      a run failed (its child died) or an output file could not be written\n"
    "         completely\n"
    "  2      bad input (one line on stderr, nothing run)\n"
    "  3      a run ended out of memory\n"
    "  128+N  stopped by signal N (SIGINT, SIGTERM, SIGHUP), existing output files\n"
    "         untouched\n";

typedef struct raw_args {
    const char *scenario;
    const char *run_option; /* the first option that only a run takes (refused with --list) */
    int all, list, help, version;
    int custom_buckets; /* ENABLE_CUSTOM_BUCKETS */
    tl_cli_trim trim;
    unsigned set_count;
    const char *sets[TL_CLI_MAX_SETS];
} raw_args;

/* The usual spellings of a switch, in any case; anything else is refused naming the variable. */
static int env_switch(const char *name, int *on, tl_error *err) {
    static const char *const truthy[] = {"1", "true", "yes", "on"};
    static const char *const falsy[] = {"", "0", "false", "no", "off"};
    const char *value = getenv(name);
    *on = 0;
    if (value == NULL)
        return TL_OK;
    for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++)
        if (strcasecmp(value, truthy[i]) == 0)
            return *on = 1, TL_OK;
    for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++)
        if (strcasecmp(value, falsy[i]) == 0)
            return TL_OK;
    return tl_fail(err, TL_ERR_BAD_VALUE,
                   "%s='%s' is not allowed (allowed: 1, true, yes, on, 0, false, no, off or empty, "
                   "any case)",
                   name, tl_q(value));
}

int tl_cli_single(const char *flag, const char **slot, const char *value, tl_error *err) {
    if (*slot != NULL)
        return tl_fail(err, TL_ERR_BAD_VALUE, "%s given twice ('%s' and '%s')", flag, tl_q(*slot),
                       tl_q(value));
    *slot = value;
    return TL_OK;
}

int tl_cli_trim_option(tl_cli_trim *trim, const char *value, tl_error *err) {
    if (value == NULL) {
        trim->no_trim = 1;
    } else if (tl_cli_single("--trim", &trim->value, value, err) != TL_OK) {
        return err->code;
    } else if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0 &&
               strcmp(value, "both") != 0) {
        return tl_fail(err, TL_ERR_BAD_VALUE, "--trim '%s' is not allowed (allowed: on, off, both)",
                       tl_q(value));
    }
    if (trim->no_trim && trim->value != NULL)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--no-trim and --trim '%s' exclude each other",
                       tl_q(trim->value));
    return TL_OK;
}

int tl_cli_trim_finish(tl_cli_trim *trim, tl_error *err) {
    int disabled;
    if (env_switch("DISABLE_MALLOC_TRIM", &disabled, err) != TL_OK)
        return err->code;
    if (trim->value != NULL) {
        trim->on = strcmp(trim->value, "off") != 0;
        trim->off = strcmp(trim->value, "on") != 0;
    } else {
        /* --no-trim, or else the environment: the reference measurement's switch
         * (docs/reference-measurement.md). */
        trim->on = !trim->no_trim && !disabled;
        trim->off = !trim->on;
    }
    return TL_OK;
}

static int need_value(int argc, char **argv, int i, tl_error *err) {
    if (i + 1 >= argc)
        return tl_fail(err, TL_ERR_BAD_VALUE, "%s needs a value", argv[i]);
    return TL_OK;
}

static int parse_valued(const char *arg, const char *value, raw_args *raw, tl_cli_options *options,
                        tl_error *err) {
    if (strcmp(arg, "--scenario") == 0)
        return tl_cli_single(arg, &raw->scenario, value, err);
    if (strcmp(arg, "--json") == 0)
        return tl_cli_single(arg, &options->json_path, value, err);
    if (strcmp(arg, "--trim") == 0)
        return tl_cli_trim_option(&raw->trim, value, err);
    if (raw->set_count == TL_CLI_MAX_SETS)
        return tl_fail(err, TL_ERR_BAD_VALUE, "too many --set options (allowed 0..%d)",
                       TL_CLI_MAX_SETS);
    raw->sets[raw->set_count++] = value;
    return TL_OK;
}

static int parse_flag(int argc, char **argv, int *i, raw_args *raw, tl_cli_options *options,
                      tl_error *err) {
    const char *arg = argv[*i];
    if (strcmp(arg, "--list") == 0) {
        raw->list = 1;
        return TL_OK;
    }
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        raw->help = 1;
        return TL_OK;
    }
    if (strcmp(arg, "--version") == 0) {
        raw->version = 1;
        return TL_OK;
    }
    if (raw->run_option == NULL)
        raw->run_option = arg;
    if (strcmp(arg, "--all") == 0) {
        raw->all = 1;
    } else if (strcmp(arg, "--quiet") == 0) {
        options->quiet = 1;
    } else if (strcmp(arg, "--map") == 0) {
        options->map = 1;
    } else if (strcmp(arg, "--no-trim") == 0) {
        return tl_cli_trim_option(&raw->trim, NULL, err);
    } else {
        if (strcmp(arg, "--scenario") != 0 && strcmp(arg, "--set") != 0 &&
            strcmp(arg, "--json") != 0 && strcmp(arg, "--trim") != 0)
            return tl_fail(err, TL_ERR_BAD_VALUE,
                           "unknown option '%s' (allowed: --list, --scenario, --set, --all, "
                           "--no-trim, --trim, --json, --map, --quiet, --help, --version)",
                           tl_q(arg));
        if (need_value(argc, argv, *i, err) != TL_OK)
            return err->code;
        return parse_valued(arg, argv[++*i], raw, options, err);
    }
    return TL_OK;
}

/* The reference measurement's interface (docs/reference-measurement.md): BUCKET_MODEL counts only
 * with ENABLE_CUSTOM_BUCKETS on. */
static int apply_environment(const raw_args *raw, const tl_scenario *scenario, tl_params *params,
                             tl_error *err) {
    const char *model = getenv("BUCKET_MODEL");
    if (model == NULL || !raw->custom_buckets || strcmp(scenario->name, "buckets") != 0)
        return TL_OK;
    tl_error model_err;
    if (tl_params_set(scenario->params, scenario->name, params, "model", model, &model_err) !=
        TL_OK)
        return tl_fail(err, model_err.code, "BUCKET_MODEL: %s", model_err.message);
    return TL_OK;
}

void tl_cli_add_runs(tl_cli_options *options, const tl_scenario *scenario, const tl_params *params,
                     const tl_cli_trim *trim) {
    for (int enabled = 1; enabled >= 0; enabled--) {
        if (enabled ? !trim->on : !trim->off)
            continue;
        tl_cli_run *run = &options->runs[options->run_count++];
        run->scenario = scenario;
        run->params = *params;
        run->trim_enabled = enabled;
    }
}

const char *tl_cli_document_trim(const tl_cli_options *options) {
    unsigned enabled = 0;
    for (unsigned i = 0; i < options->run_count; i++)
        enabled += options->runs[i].trim_enabled != 0;
    return tl_results_trim(enabled, options->run_count);
}

static int build_run(const raw_args *raw, const tl_scenario *scenario, tl_cli_options *options,
                     tl_error *err) {
    tl_params params;
    tl_params_defaults(scenario->params, &params);
    if (apply_environment(raw, scenario, &params, err) != TL_OK)
        return err->code;
    for (unsigned i = 0; i < raw->set_count; i++)
        if (tl_params_assign(scenario->params, scenario->name, &params, raw->sets[i], err) != TL_OK)
            return err->code;
    tl_cli_add_runs(options, scenario, &params, &raw->trim);
    return TL_OK;
}

static int check_combination(const raw_args *raw, tl_error *err) {
    if (raw->all && raw->scenario)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--all and --scenario '%s' exclude each other",
                       tl_q(raw->scenario));
    if (raw->all && raw->set_count)
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "--set '%s' needs --scenario (with --all every scenario runs its "
                       "defaults)",
                       tl_q(raw->sets[0]));
    if (!raw->all && !raw->scenario && raw->set_count)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--set '%s' needs --scenario NAME",
                       tl_q(raw->sets[0]));
    if (!raw->all && !raw->scenario)
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "nothing to do: give --list, --scenario NAME or --all");
    return TL_OK;
}

/* --help wins over everything, then --version; --list lists, and takes no option a run would. */
static int choose_action(const raw_args *raw, tl_cli_options *options, tl_error *err) {
    options->action = raw->help      ? TL_CLI_HELP
                      : raw->version ? TL_CLI_VERSION
                      : raw->list    ? TL_CLI_LIST
                                     : TL_CLI_RUN;
    if (options->action == TL_CLI_LIST && raw->run_option != NULL)
        return tl_fail(err, TL_ERR_BAD_VALUE, "--list takes no other option ('%s' given)",
                       tl_q(raw->run_option));
    return TL_OK;
}

int tl_cli_parse(int argc, char **argv, tl_cli_options *options, tl_error *err) {
    raw_args raw = {0};
    memset(options, 0, sizeof *options);
    tl_error_clear(err);
    for (int i = 1; i < argc; i++)
        if (parse_flag(argc, argv, &i, &raw, options, err) != TL_OK)
            return err->code;
    if (choose_action(&raw, options, err) != TL_OK || options->action != TL_CLI_RUN)
        return err->code;
    if (options->map && options->quiet && options->json_path == NULL)
        return tl_fail(err, TL_ERR_BAD_VALUE,
                       "--map with --quiet and no --json shows nothing: give --json FILE or leave "
                       "out --quiet");
    if (check_combination(&raw, err) != TL_OK || tl_cli_trim_finish(&raw.trim, err) != TL_OK ||
        env_switch("ENABLE_CUSTOM_BUCKETS", &raw.custom_buckets, err) != TL_OK)
        return err->code;
    if (raw.scenario) {
        const tl_scenario *scenario = tl_scenario_find(raw.scenario, err);
        if (scenario == NULL)
            return err->code;
        return build_run(&raw, scenario, options, err);
    }
    for (size_t i = 0; i < tl_scenario_count(); i++)
        if (build_run(&raw, tl_scenario_at(i), options, err) != TL_OK)
            return err->code;
    return TL_OK;
}
