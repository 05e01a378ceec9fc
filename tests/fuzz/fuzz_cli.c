/* Fuzz target: the native command line (tl_cli_parse) with the environment it reads.
 *
 * Input: byte 0's low three bits say which of DISABLE_MALLOC_TRIM, BUCKET_MODEL and
 * ENABLE_CUSTOM_BUCKETS are set; the rest is split at NUL bytes into fields: first the values of
 * the variables that are set (in that order), then argv[1], argv[2], ... (at most MAX_ARGS).
 *
 * Invariants: an independent walk of the same argv and environment (the documented rules of
 * src/cli/cli_options.h and the README) predicts the status; accepted: action, --quiet, --json (the
 * very argv string), and every run (scenario, trim, parameters: defaults, then BUCKET_MODEL,
 * then each --set in order) are what the walk predicts, every parameter is inside its bounds;
 * refused: a one-line message naming the offending value(s) as src/shared/message.h quotes them (a
 * repeated option: both values); argv and the environment untouched; parsing twice gives the
 * same answer. The rules: a single-valued option (--scenario, --json, --trim) at most once,
 * --no-trim not with --trim, --help wins, then --version, --list takes no other option, and the
 * switches DISABLE_MALLOC_TRIM and ENABLE_CUSTOM_BUCKETS take 1/true/yes/on or 0/false/no/off/
 * empty in any case (read for a run only). */
#include "fuzz_common.h"

#include "cli/cli_options.h"
#include "scenarios/scenarios.h"

#define MAX_ARGS 128
#define MAX_SETS 32 /* cli_options.c's TL_CLI_MAX_SETS */
#define KEY_MAX 64  /* params.c's TL_KEY_MAX */

static const char *const env_names[] = {"DISABLE_MALLOC_TRIM", "BUCKET_MODEL",
                                        "ENABLE_CUSTOM_BUCKETS"};
#define ENV_COUNT 3

/* putenv with buffers of our own: setenv would keep every distinct value forever. */
static char *env_strings[ENV_COUNT];
static size_t env_capacity[ENV_COUNT];

static void set_env(size_t i, const char *value) {
    unsetenv(env_names[i]);
    if (value == NULL)
        return;
    size_t need = strlen(env_names[i]) + strlen(value) + 2;
    if (need > env_capacity[i]) {
        free(env_strings[i]);
        env_strings[i] = malloc(need);
        if (env_strings[i] == NULL)
            abort();
        env_capacity[i] = need;
    }
    snprintf(env_strings[i], need, "%s=%s", env_names[i], value);
    putenv(env_strings[i]);
}

/* 1 on, 0 off, -1 neither; unset is off. */
static int switch_value(const char *value) {
    static const char *const on[] = {"1", "true", "yes", "on"};
    static const char *const off[] = {"", "0", "false", "no", "off"};
    char lower[8];
    size_t n = value ? strlen(value) : 0;
    if (value == NULL)
        return 0;
    if (n >= sizeof lower)
        return -1;
    for (size_t i = 0; i <= n; i++)
        lower[i] = value[i] >= 'A' && value[i] <= 'Z' ? (char)(value[i] - 'A' + 'a') : value[i];
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++)
        if (strcmp(lower, on[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        if (strcmp(lower, off[i]) == 0)
            return 0;
    return -1;
}

static int params_equal(const tl_params *a, const tl_params *b) {
    if (memcmp(a->value, b->value, sizeof a->value) != 0 || a->model.depths != b->model.depths)
        return 0;
    return memcmp(a->model.buckets, b->model.buckets, sizeof a->model.buckets) == 0;
}

/* ---- the reference walk ---- */

enum trim { TRIM_ON, TRIM_OFF, TRIM_BOTH };

typedef struct expectation {
    int status;
    const char *culprit;  /* what the refusal message must name (NULL: nothing in particular) */
    const char *culprit2; /* and this too (the first value of a repeated option) */
    enum tl_cli_action action;
    int quiet;
    const char *json;
    unsigned run_count;
    tl_cli_run runs[TL_CLI_MAX_RUNS];
} expectation;

static int refuse(expectation *x, int status, const char *culprit) {
    x->status = status;
    x->culprit = culprit;
    return status;
}

static int refuse_repeat(expectation *x, const char *first, const char *second) {
    x->culprit2 = first;
    return refuse(x, TL_ERR_BAD_VALUE, second);
}

static int takes_value(const char *arg) {
    return strcmp(arg, "--scenario") == 0 || strcmp(arg, "--set") == 0 ||
           strcmp(arg, "--json") == 0 || strcmp(arg, "--trim") == 0;
}

/* Parameters of one scenario: defaults, BUCKET_MODEL (buckets only, with ENABLE_CUSTOM_BUCKETS=1),
 * then each --set in order. */
static int expect_params(expectation *x, const tl_scenario *scenario, const char **sets,
                         unsigned set_count, const char *const *env, tl_params *params) {
    tl_error err;
    tl_params_defaults(scenario->params, params);
    if (strcmp(scenario->name, "buckets") == 0 && env[1] != NULL && switch_value(env[2]) == 1) {
        int status = tl_params_set(scenario->params, scenario->name, params, "model", env[1], &err);
        if (status != TL_OK)
            return refuse(x, status, "BUCKET_MODEL");
    }
    for (unsigned i = 0; i < set_count; i++) {
        int status = tl_params_assign(scenario->params, scenario->name, params, sets[i], &err);
        if (status == TL_OK)
            continue;
        const char *eq = strchr(sets[i], '=');
        if (eq == NULL || eq == sets[i] || (size_t)(eq - sets[i]) >= KEY_MAX)
            return refuse(x, status, sets[i]);
        return refuse(x, status, NULL); /* names the key: checked by the params target */
    }
    return TL_OK;
}

static void add_runs(expectation *x, const tl_scenario *scenario, const tl_params *params,
                     enum trim trim) {
    if (trim != TRIM_OFF)
        x->runs[x->run_count++] = (tl_cli_run){scenario, *params, 1};
    if (trim != TRIM_ON)
        x->runs[x->run_count++] = (tl_cli_run){scenario, *params, 0};
}

/* One argument that takes a value; returns TL_OK or the refusal. */
typedef struct walk {
    const char *scenario, *trim, *sets[MAX_ARGS];
    unsigned set_count;
    int no_trim;
} walk;

static int expect_valued(const char *arg, const char *value, walk *w, expectation *x) {
    if (strcmp(arg, "--scenario") == 0) {
        if (w->scenario != NULL)
            return refuse_repeat(x, w->scenario, value);
        w->scenario = value;
    } else if (strcmp(arg, "--set") == 0) {
        if (w->set_count == MAX_SETS)
            return refuse(x, TL_ERR_BAD_VALUE, "--set");
        w->sets[w->set_count++] = value;
    } else if (strcmp(arg, "--json") == 0) {
        if (x->json != NULL)
            return refuse_repeat(x, x->json, value);
        x->json = value;
    } else {
        if (w->trim != NULL)
            return refuse_repeat(x, w->trim, value);
        w->trim = value;
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0 && strcmp(value, "both") != 0)
            return refuse(x, TL_ERR_BAD_VALUE, value);
        if (w->no_trim)
            return refuse(x, TL_ERR_BAD_VALUE, value);
    }
    return TL_OK;
}

static enum trim expect_trim(const walk *w, const char *const *env) {
    if (w->trim != NULL)
        return strcmp(w->trim, "on") == 0    ? TRIM_ON
               : strcmp(w->trim, "off") == 0 ? TRIM_OFF
                                             : TRIM_BOTH;
    return w->no_trim || switch_value(env[0]) == 1 ? TRIM_OFF : TRIM_ON;
}

static int expect(int argc, char **argv, const char *const *env, expectation *x) {
    memset(x, 0, sizeof *x);
    walk w;
    memset(&w, 0, sizeof w);
    const char *run_option = NULL;
    int all = 0, list = 0, help = 0, version = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--list") == 0) {
            list = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            help = 1;
            continue;
        }
        if (strcmp(arg, "--version") == 0) {
            version = 1;
            continue;
        }
        if (run_option == NULL)
            run_option = arg;
        if (strcmp(arg, "--all") == 0)
            all = 1;
        else if (strcmp(arg, "--quiet") == 0)
            x->quiet = 1;
        else if (strcmp(arg, "--no-trim") == 0) {
            w.no_trim = 1;
            if (w.trim != NULL)
                return refuse(x, TL_ERR_BAD_VALUE, w.trim);
        } else if (!takes_value(arg) || i + 1 == argc)
            return refuse(x, TL_ERR_BAD_VALUE, arg);
        else if (expect_valued(arg, argv[++i], &w, x) != TL_OK)
            return x->status;
    }
    x->action = help ? TL_CLI_HELP : version ? TL_CLI_VERSION : list ? TL_CLI_LIST : TL_CLI_RUN;
    if (x->action == TL_CLI_LIST && run_option != NULL)
        return refuse(x, TL_ERR_BAD_VALUE, run_option);
    if (x->action != TL_CLI_RUN)
        return TL_OK;
    if (all && w.scenario)
        return refuse(x, TL_ERR_BAD_VALUE, w.scenario);
    if (w.set_count && !w.scenario)
        return refuse(x, TL_ERR_BAD_VALUE, w.sets[0]);
    if (!all && !w.scenario)
        return refuse(x, TL_ERR_BAD_VALUE, "nothing to do");
    if (switch_value(env[0]) < 0)
        return refuse(x, TL_ERR_BAD_VALUE, "DISABLE_MALLOC_TRIM");
    if (switch_value(env[2]) < 0)
        return refuse(x, TL_ERR_BAD_VALUE, "ENABLE_CUSTOM_BUCKETS");
    enum trim trim = expect_trim(&w, env);
    tl_params params;
    for (size_t s = 0; s < tl_scenario_count(); s++) {
        const tl_scenario *scenario = tl_scenario_at(s);
        if (!all && strcmp(scenario->name, w.scenario) != 0)
            continue;
        if (expect_params(x, scenario, w.sets, w.set_count, env, &params) != TL_OK)
            return x->status;
        add_runs(x, scenario, &params, trim);
        if (!all)
            return TL_OK;
    }
    if (!all)
        return refuse(x, TL_ERR_UNKNOWN_SCENARIO, w.scenario);
    return TL_OK;
}

/* ---- checks ---- */

static void check_params_in_bounds(const tl_cli_run *run) {
    tl_param_set set = run->scenario->params;
    for (size_t i = 0; i < set.count; i++) {
        const tl_param_def *def = &set.defs[i];
        if (def->kind == TL_PARAM_INT) {
            FUZZ_CHECK(run->params.value[i] >= def->min && run->params.value[i] <= def->max,
                       "%s.%s = %llu out of bounds", run->scenario->name, def->name,
                       (unsigned long long)run->params.value[i]);
            continue;
        }
        const tl_bucket_model *model = &run->params.model;
        FUZZ_CHECK(model->depths >= 1 && model->depths <= TL_MODEL_MAX_DEPTHS, "%u depths",
                   model->depths);
        for (unsigned d = 0; d < model->depths; d++) {
            uint64_t b = model->buckets[d];
            FUZZ_CHECK(b >= TL_MODEL_MIN_BUCKETS && b <= TL_MODEL_MAX_BUCKETS && (b & (b - 1)) == 0,
                       "depth %u has %llu buckets", d + 1, (unsigned long long)b);
        }
    }
}

static void check_accepted(const tl_cli_options *options, const expectation *x,
                           const tl_error *err) {
    FUZZ_CHECK(err->code == TL_OK && err->message[0] == '\0', "accepted with an error: %s",
               err->message);
    FUZZ_CHECK(options->action == x->action, "action %d, expected %d", options->action, x->action);
    if (options->action != TL_CLI_RUN) {
        FUZZ_CHECK(options->run_count == 0, "%u runs for --list/--help/--version",
                   options->run_count);
        return;
    }
    FUZZ_CHECK(options->quiet == x->quiet, "quiet %d, expected %d", options->quiet, x->quiet);
    FUZZ_CHECK(options->json_path == x->json, "--json is not the --json argument");
    FUZZ_CHECK(options->run_count == x->run_count && options->run_count >= 1 &&
                   options->run_count <= TL_CLI_MAX_RUNS,
               "%u runs, expected %u", options->run_count, x->run_count);
    for (unsigned i = 0; i < options->run_count; i++) {
        const tl_cli_run *run = &options->runs[i], *want = &x->runs[i];
        FUZZ_CHECK(run->scenario == want->scenario, "run %u: scenario %s, expected %s", i,
                   run->scenario ? run->scenario->name : "NULL", want->scenario->name);
        FUZZ_CHECK(run->trim_enabled == want->trim_enabled, "run %u (%s): trim %d, expected %d", i,
                   run->scenario->name, run->trim_enabled, want->trim_enabled);
        FUZZ_CHECK(params_equal(&run->params, &want->params), "run %u (%s): other parameters", i,
                   run->scenario->name);
        check_params_in_bounds(run);
    }
}

static void check_names(const tl_error *err, const char *culprit) {
    char shown[FUZZ_QUOTED_SIZE];
    if (culprit == NULL)
        return;
    fuzz_quoted(culprit, shown);
    FUZZ_CHECK(strstr(err->message, shown) != NULL, "message does not name '%s': %s", shown,
               err->message);
}

static void check_refused(int status, const tl_error *err, const expectation *x) {
    fuzz_check_refusal(err, status);
    check_names(err, x->culprit);
    check_names(err, x->culprit2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    unsigned env_mask = data[0];
    char *text = fuzz_text(data + 1, size - 1);
    const char *end = text + (size - 1);

    /* Fields: NUL-separated (a trailing NUL ends the last field, it does not start an empty one).
     */
    const char *env[ENV_COUNT] = {NULL, NULL, NULL};
    char *argv[MAX_ARGS + 2];
    char *copies[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "trimlab";
    const char *field = text;
    for (size_t i = 0; i < ENV_COUNT; i++) {
        if (!(env_mask & (1u << i)))
            continue;
        env[i] = field < end ? field : "";
        field += strlen(env[i]) + 1;
    }
    while (field < end && argc <= MAX_ARGS) {
        argv[argc++] = (char *)field;
        field += strlen(field) + 1;
    }
    argv[argc] = NULL;
    for (int i = 0; i < argc; i++)
        copies[i] = strdup(argv[i]);
    for (size_t i = 0; i < ENV_COUNT; i++)
        set_env(i, env[i]);

    expectation x;
    int want = expect(argc, argv, env, &x);
    static tl_cli_options options, second;
    static tl_error err, err2;
    memset(&err, 0x5A, sizeof err);
    memset(&options, 0xA5, sizeof options);
    int status = tl_cli_parse(argc, argv, &options, &err);
    FUZZ_CHECK(status == want, "status %d, expected %d (%s)", status, want,
               status ? err.message : "accepted");
    if (status == TL_OK)
        check_accepted(&options, &x, &err);
    else
        check_refused(status, &err, &x);

    /* Nothing it read was changed, and a second parse says the same. */
    for (int i = 0; i < argc; i++)
        FUZZ_CHECK(strcmp(copies[i], argv[i]) == 0, "argv[%d] changed", i);
    for (size_t i = 0; i < ENV_COUNT; i++) {
        const char *now = getenv(env_names[i]);
        FUZZ_CHECK((now == NULL) == (env[i] == NULL) && (now == NULL || strcmp(now, env[i]) == 0),
                   "%s changed", env_names[i]);
    }
    int again = tl_cli_parse(argc, argv, &second, &err2);
    FUZZ_CHECK(again == status && strcmp(err.message, err2.message) == 0,
               "second parse differs: %d '%s' vs %d '%s'", status, err.message, again,
               err2.message);

    for (int i = 0; i < argc; i++)
        free(copies[i]);
    for (size_t i = 0; i < ENV_COUNT; i++)
        set_env(i, NULL);
    free(text);
    return 0;
}
