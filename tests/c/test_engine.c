/* The step engine (src/engine/engine.h) over every scenario, its state rules, and out of memory. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit_tests.h"

#include "engine/engine.h"
#include "scenarios/scenarios.h"

/* AddressSanitizer reserves its shadow and heap address space up front: a lowered RLIMIT_AS
 * cannot make its malloc fail (TL_UNDER_ASAN). */
#include "native/asan.h"

/* valgrind: RUNNING_ON_VALGRIND from its header (package valgrind), 0 where it is not installed. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* Room beyond the engine's stated capacity, to catch runs that produce more samples. */
#define SPARE_SAMPLES 16
/* Allocator headers and small bookkeeping (e.g. a chunk pointer table) on top of live data. */
#define LIVE_SLACK (4 * TL_KIB)
/* Between a summary figure and the test's own read of the footprint at the same point. */
#define FOOTPRINT_SLACK (256 * TL_KIB)

static uint64_t ceil_div(uint64_t a, uint64_t b) {
    return (a + b - 1) / b;
}

static uint64_t distance(uint64_t a, uint64_t b) {
    return a > b ? a - b : b - a;
}

typedef struct scenario_case {
    const tl_scenario *scenario;
    const char *sets[3];
    uint64_t size;             /* bytes the scenario holds at its peak, at least */
    uint64_t live_at_trim;     /* bytes it still holds at trim, at least (0: none) */
    uint32_t expected_samples; /* for TL_STEP_BYTES-sized steps */
} scenario_case;

/* The case of the scenario `name`: every registered scenario needs one. */
static scenario_case make_case(const char *name) {
    const uint64_t step = TL_STEP_BYTES;
    const tl_scenario *scenario = test_scenario(name);
    if (strcmp(name, "simple") == 0)
        return (scenario_case){scenario,
                               {"block_mib=8"},
                               8 * TL_MIB,
                               0,
                               (uint32_t)(3 + 2 + ceil_div(8 * TL_MIB, step))};
    if (strcmp(name, "vector") == 0)
        return (scenario_case){
            scenario, {"slots=100000"}, 800000, 0, (uint32_t)(3 + 2 + ceil_div(800000, step))};
    if (strcmp(name, "cycles") == 0)
        return (scenario_case){scenario,
                               {"cycles=3", "block_mib=2"},
                               2 * TL_MIB,
                               0,
                               (uint32_t)(3 + 3 * (2 + ceil_div(2 * TL_MIB, step)))};
    if (strcmp(name, "buckets") == 0) {
        /* Per depth: malloc, clear, insert (50% of the buckets), free the temporaries. */
        uint64_t samples = 3;
        for (uint64_t buckets = 1024; buckets <= 2048; buckets *= 2)
            samples += 2 + ceil_div(buckets * 8, step) + ceil_div(buckets / 2, step / 8);
        return (scenario_case){scenario,
                               {"model=1K/2K", "load_percent=50"},
                               3 * 1024 * 8,
                               3 * 1024 * 8,
                               (uint32_t)samples};
    }
    if (strcmp(name, "fragmented") == 0)
        /* 64 chunks of the default 4 KiB, one pinned chunk that stays live until the end. */
        return (scenario_case){scenario,
                               {"chunks=64", "chunk_kib=4"},
                               64 * 4 * TL_KIB,
                               4 * TL_KIB,
                               (uint32_t)(3 + 1 + 2 * ceil_div(64, step / (4 * TL_KIB)))};
    if (strcmp(name, "highwater") == 0)
        return (scenario_case){scenario,
                               {"total_mib=8", "chunk_kib=64"},
                               8 * TL_MIB,
                               0,
                               (uint32_t)(3 + 2 * ceil_div(128, step / (64 * TL_KIB)))};
    fail_msg("no test case for the scenario %s: add one to make_case", name);
    return (scenario_case){0};
}

static void case_params(const scenario_case *c, tl_params *params) {
    tl_error err = {0};
    tl_params_defaults(c->scenario->params, params);
    for (size_t i = 0; i < 3 && c->sets[i]; i++)
        if (tl_params_assign(c->scenario->params, c->scenario->name, params, c->sets[i], &err) !=
            TL_OK)
            fail_msg("%s: %s", c->sets[i], err.message);
}

static tl_engine engine;

/* The allocator's figures come from glibc's mallinfo2. Where malloc is replaced (valgrind,
 * AddressSanitizer) glibc's arena is not the one in use and reads 0 in use whatever is allocated:
 * the in-use checks are skipped there (once announced), the rest of each test still runs. */
static int in_use_figures_work(void) {
    static int known = 0, works = 0;
    if (!known) {
        tl_memory before, during;
        tl_probe_memory(&before);
        unsigned char *volatile block = malloc(TL_MIB);
        assert_non_null(block);
        block[0] = 1;
        tl_probe_memory(&during);
        free(block);
        works = during.in_use_bytes >= before.in_use_bytes + TL_MIB;
        known = 1;
        if (!works)
            print_message("in-use checks skipped: mallinfo2 does not see this process's malloc "
                          "(replaced by valgrind or a sanitizer)\n");
    }
    return works;
}

/* Steps to the end into a buffer larger than the capacity; returns the sample count. */
static uint32_t run_all(tl_engine *e, tl_sample *samples, uint32_t room) {
    uint32_t n = 0;
    while (n < room && tl_engine_step(e, &samples[n]))
        n++;
    return n;
}

/* Fails unless a summary figure is within FOOTPRINT_SLACK of the test's own read. */
static void expect_near(const char *scenario, const char *what, uint64_t figure, uint64_t own) {
    if (distance(figure, own) > FOOTPRINT_SLACK)
        fail_msg("%s: %s %" PRIu64 ", the test read %" PRIu64, scenario, what, figure, own);
}

static void check_run(const scenario_case *c, int trim_enabled) {
    tl_params params;
    case_params(c, &params);
    const char *name = c->scenario->name;
    uint32_t capacity = tl_engine_sample_capacity(c->scenario, &params, NULL);
    uint32_t room = capacity + SPARE_SAMPLES;
    tl_sample *samples = calloc(room, sizeof *samples);
    tl_memory *own = calloc(room, sizeof *own); /* the test's own probe after each step */
    assert_non_null(samples);
    assert_non_null(own);

    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, c->scenario, &params, NULL, trim_enabled), TL_OK);
    assert_false(tl_engine_done(&engine));
    uint32_t n = 0;
    while (n < room && tl_engine_step(&engine, &samples[n]))
        tl_probe_memory(&own[n++]);
    if (n > capacity)
        fail_msg("%s: %u samples, capacity %u", name, n, capacity);
    assert_int_equal(n, c->expected_samples);
    assert_true(tl_engine_done(&engine));
    assert_int_equal(engine.outcome, TL_OK);

    /* Over: no more samples, the buffer is left alone. */
    tl_sample sentinel;
    memset(&sentinel, 0x77, sizeof sentinel);
    tl_sample probe = sentinel;
    assert_int_equal(tl_engine_step(&engine, &probe), 0);
    assert_int_equal(tl_engine_step(&engine, &probe), 0);
    assert_memory_equal(&probe, &sentinel, sizeof probe);

    const tl_memory *base = &samples[0].memory, *trim = &samples[n - 2].memory;
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(samples[i].step, i);
        assert_true(samples[i].label[0] != '\0');
        assert_true(samples[i].memory.footprint_bytes > 0);
        enum tl_phase phase = samples[i].phase;
        if (i == 0)
            assert_int_equal(phase, TL_PHASE_BASELINE);
        else if (i == n - 2)
            assert_int_equal(phase, TL_PHASE_TRIM);
        else if (i == n - 1)
            assert_int_equal(phase, TL_PHASE_FINAL);
        else if (phase != TL_PHASE_ALLOCATE && phase != TL_PHASE_FILL && phase != TL_PHASE_FREE)
            fail_msg("%s: sample %u has phase %s (%s)", name, i, tl_phase_name(phase),
                     samples[i].label);
    }
    assert_int_equal(samples[1].phase, TL_PHASE_ALLOCATE);
    assert_int_equal(samples[n - 3].phase, TL_PHASE_FREE);

    /* The summary against the test's own probes, taken as each step returned (nothing ran in
     * between): the engine's baseline, peaks, figures around the trim call (the call is the trim
     * step's first work, after the last scenario step), and final. */
    const tl_summary *summary = &engine.summary;
    assert_int_equal(summary->trim.called, trim_enabled);
    if (!trim_enabled)
        assert_int_equal(summary->trim.returned, 0);
    assert_string_equal(samples[n - 2].label,
                        trim_enabled ? "malloc_trim(0)" : "trim skipped (disabled)");
    uint64_t own_peak = 0, own_peak_in_use = 0;
    for (uint32_t i = 0; i < n; i++) {
        own_peak = own[i].footprint_bytes > own_peak ? own[i].footprint_bytes : own_peak;
        if (own[i].in_use_bytes > own_peak_in_use)
            own_peak_in_use = own[i].in_use_bytes;
    }
    expect_near(name, "baseline", summary->baseline_footprint_bytes, own[0].footprint_bytes);
    expect_near(name, "peak", summary->peak_footprint_bytes, own_peak);
    expect_near(name, "before trim", summary->before_trim_bytes, own[n - 3].footprint_bytes);
    expect_near(name, "after trim", summary->after_trim_bytes, own[n - 2].footprint_bytes);
    expect_near(name, "final", summary->final_footprint_bytes, own[n - 1].footprint_bytes);
    /* The allocator's figure in the same state is the same to the byte. */
    if (in_use_figures_work() && summary->peak_in_use_bytes != own_peak_in_use)
        fail_msg("%s: peak in use %" PRIu64 ", the test read %" PRIu64, name,
                 summary->peak_in_use_bytes, own_peak_in_use);

    if (!in_use_figures_work()) {
        /* nothing to compare: see in_use_figures_work */
    } else if (summary->peak_in_use_bytes < base->in_use_bytes + c->size)
        fail_msg("%s: peak in use %" PRIu64 " < baseline %" PRIu64 " + size %" PRIu64, name,
                 summary->peak_in_use_bytes, base->in_use_bytes, c->size);
    if (!in_use_figures_work()) {
        /* as above */
    } else if (c->live_at_trim == 0) {
        if (distance(trim->in_use_bytes, base->in_use_bytes) > TL_MIB)
            fail_msg("%s: in use at trim %" PRIu64 ", baseline %" PRIu64, name, trim->in_use_bytes,
                     base->in_use_bytes);
    } else if (trim->in_use_bytes < base->in_use_bytes + c->live_at_trim ||
               trim->in_use_bytes > base->in_use_bytes + c->live_at_trim + LIVE_SLACK) {
        /* What stays live is the data itself: temporaries were freed, live data was not. */
        fail_msg("%s: in use at trim %" PRIu64 ", baseline %" PRIu64 " + live %" PRIu64, name,
                 trim->in_use_bytes, base->in_use_bytes, c->live_at_trim);
    }

    /* Ending frees whatever the scenario still held. */
    tl_engine_end(&engine);
    assert_false(tl_engine_done(&engine));
    assert_int_equal(tl_engine_step(&engine, &probe), 0);
    tl_memory after;
    tl_probe_memory(&after);
    if (in_use_figures_work() && distance(after.in_use_bytes, base->in_use_bytes) > TL_MIB)
        fail_msg("%s: in use after end %" PRIu64 ", baseline %" PRIu64, name, after.in_use_bytes,
                 base->in_use_bytes);
    free(own);
    free(samples);
}

static void test_every_scenario_trim_on(void **state) {
    (void)state;
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        scenario_case c = make_case(tl_scenario_at(i)->name);
        check_run(&c, 1);
    }
}

static void test_every_scenario_trim_off(void **state) {
    (void)state;
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        scenario_case c = make_case(tl_scenario_at(i)->name);
        check_run(&c, 0);
    }
}

static void expect_phases(const scenario_case *c, const enum tl_phase *phases, uint32_t count) {
    tl_params params;
    tl_sample samples[32];
    case_params(c, &params);
    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, c->scenario, &params, NULL, 1), TL_OK);
    assert_int_equal(run_all(&engine, samples, 32), count);
    for (uint32_t i = 0; i < count; i++)
        if (samples[i].phase != phases[i])
            fail_msg("%s sample %u: phase %s, expected %s (%s)", c->scenario->name, i,
                     tl_phase_name(samples[i].phase), tl_phase_name(phases[i]), samples[i].label);
    tl_engine_end(&engine);
}

/* The exact life of one block: malloc, touch TL_STEP_BYTES at a time, free. */
static void test_block_phases(void **state) {
    (void)state;
    if (TL_STEP_BYTES != 4 * TL_MIB)
        skip();
    scenario_case simple = make_case("simple"), cycles = make_case("cycles");
    const enum tl_phase simple_phases[] = {TL_PHASE_BASELINE, TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                           TL_PHASE_FILL,     TL_PHASE_FREE,     TL_PHASE_TRIM,
                                           TL_PHASE_FINAL};
    const enum tl_phase cycles_phases[] = {TL_PHASE_BASELINE, TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                           TL_PHASE_FREE,     TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                           TL_PHASE_FREE,     TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                           TL_PHASE_FREE,     TL_PHASE_TRIM,     TL_PHASE_FINAL};
    expect_phases(&simple, simple_phases, 7);
    expect_phases(&cycles, cycles_phases, 12);
}

static void test_begin_while_running_fails(void **state) {
    (void)state;
    scenario_case c = make_case("simple");
    tl_params params;
    tl_sample samples[16 + SPARE_SAMPLES];
    case_params(&c, &params);
    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, c.scenario, &params, NULL, 1), TL_OK);
    assert_int_equal(tl_engine_step(&engine, &samples[0]), 1);
    assert_int_equal(tl_engine_step(&engine, &samples[1]), 1);

    assert_int_equal(tl_engine_begin(&engine, test_scenario("vector"), &params, NULL, 0),
                     TL_ERR_STATE);
    assert_int_equal(engine.error.code, TL_ERR_STATE);
    assert_contains(engine.error.message, "simple");
    assert_contains(engine.error.message, "in progress");
    /* The refused begin left the run alone: it carries on where it was. */
    assert_ptr_equal(engine.scenario, test_scenario("simple"));
    uint32_t n = 2 + run_all(&engine, samples + 2, 16 + SPARE_SAMPLES - 2);
    assert_int_equal(n, c.expected_samples);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(samples[i].step, i);
    assert_int_equal(samples[n - 1].phase, TL_PHASE_FINAL);
    assert_int_equal(engine.summary.trim.called, 1);
    tl_engine_end(&engine);

    /* A second run after tl_engine_end starts from step 0 with a fresh summary. */
    assert_int_equal(tl_engine_begin(&engine, c.scenario, &params, NULL, 0), TL_OK);
    assert_int_equal(engine.summary.peak_in_use_bytes, 0);
    n = run_all(&engine, samples, 16 + SPARE_SAMPLES);
    assert_int_equal(n, c.expected_samples);
    assert_int_equal(samples[0].step, 0);
    assert_int_equal(samples[0].phase, TL_PHASE_BASELINE);
    assert_int_equal(engine.outcome, TL_OK);
    assert_int_equal(engine.summary.trim.called, 0);

    /* A finished run may be followed directly by another. */
    assert_int_equal(tl_engine_begin(&engine, c.scenario, &params, NULL, 1), TL_OK);
    assert_int_equal(run_all(&engine, samples, 16 + SPARE_SAMPLES), c.expected_samples);
    tl_engine_end(&engine);
    tl_engine_end(&engine); /* idle: nothing to do */
}

static void test_end_mid_run_frees(void **state) {
    (void)state;
    scenario_case c = make_case("simple");
    tl_params params;
    tl_sample samples[3];
    case_params(&c, &params);
    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, c.scenario, &params, NULL, 1), TL_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tl_engine_step(&engine, &samples[i]), 1);
    assert_int_equal(samples[2].phase, TL_PHASE_FILL);
    if (in_use_figures_work())
        assert_true(samples[2].memory.in_use_bytes >= samples[0].memory.in_use_bytes + 8 * TL_MIB);
    tl_engine_end(&engine);
    tl_memory after;
    tl_probe_memory(&after);
    /* Under valgrind mallinfo2 reads 0 before and after: skipped, as above. */
    if (in_use_figures_work())
        assert_true(distance(after.in_use_bytes, samples[0].memory.in_use_bytes) <= TL_MIB);
    assert_int_equal(tl_engine_step(&engine, &samples[0]), 0);
}

/* highwater with batch_mib below total_mib: the same total in batches, each allocated, touched and
 * freed before the next, so nothing holds more than one batch. 20 MiB in batches of 8: two of
 * 8 MiB and one of 4, each 64 KiB chunks, TL_STEP_BYTES (4 MiB) per step. */
static void test_highwater_batches(void **state) {
    (void)state;
    if (TL_STEP_BYTES != 4 * TL_MIB)
        skip();
    const uint64_t batch = 8 * TL_MIB;
    scenario_case c = {test_scenario("highwater"), {"total_mib=20", "batch_mib=8"}, 0, 0, 0};
    tl_params params;
    tl_sample samples[64];
    tl_memory own[64];
    case_params(&c, &params);
    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, c.scenario, &params, NULL, 1), TL_OK);
    uint32_t n = 0;
    while (n < 64 && tl_engine_step(&engine, &samples[n]))
        tl_probe_memory(&own[n++]);
    /* baseline; per batch of 8 MiB 2 allocate and 2 free steps, the last batch 1 and 1; trim,
     * final. */
    const enum tl_phase A = TL_PHASE_ALLOCATE, F = TL_PHASE_FREE;
    const enum tl_phase phases[] = {TL_PHASE_BASELINE, A, A, F, F, A, A, F, F, A, F, TL_PHASE_TRIM,
                                    TL_PHASE_FINAL};
    const uint32_t batch_ends[] = {4, 8, 10};
    assert_int_equal(n, sizeof phases / sizeof phases[0]);
    assert_true(n <= tl_engine_sample_capacity(c.scenario, &params, NULL));
    for (uint32_t i = 0; i < n; i++)
        if (samples[i].phase != phases[i])
            fail_msg("sample %u: phase %s (%s)", i, tl_phase_name(samples[i].phase),
                     samples[i].label);
    assert_string_equal(samples[1].label, "batch 1/3: malloc+touch chunks 1-64 of 128");
    assert_string_equal(samples[8].label, "batch 2/3: free chunks 65-128 of 128");
    assert_string_equal(samples[10].label, "batch 3/3: free chunks 1-64 of 64");
    if (in_use_figures_work()) {
        const tl_memory *base = &own[0];
        /* At most one batch held at once, and all of it at its peak. */
        assert_true(engine.summary.peak_in_use_bytes >= base->in_use_bytes + batch);
        assert_true(engine.summary.peak_in_use_bytes <= base->in_use_bytes + batch + TL_MIB);
        /* Each batch was freed before the next began. (The RSS after each batch depends on what
         * earlier tests left in this process's heap: tests/node/native-cli.test.mjs checks it in
         * a fresh process.) */
        for (size_t b = 0; b < 3; b++)
            if (distance(own[batch_ends[b]].in_use_bytes, base->in_use_bytes) > TL_MIB)
                fail_msg("after batch %zu: in use %" PRIu64 ", baseline %" PRIu64, b + 1,
                         own[batch_ends[b]].in_use_bytes, base->in_use_bytes);
    }
    tl_engine_end(&engine);
}

/* A batch at or above the total is one batch: the run is the unbatched one, labels and all. */
static void test_highwater_batch_above_total(void **state) {
    (void)state;
    scenario_case plain = make_case("highwater");
    scenario_case above = {plain.scenario, {"total_mib=8", "chunk_kib=64", "batch_mib=9"}, 0, 0, 0};
    tl_params params;
    tl_sample a[32], b[32];
    case_params(&plain, &params);
    memset(&engine, 0, sizeof engine);
    assert_int_equal(tl_engine_begin(&engine, plain.scenario, &params, NULL, 1), TL_OK);
    uint32_t n = run_all(&engine, a, 32);
    tl_engine_end(&engine);
    case_params(&above, &params);
    assert_int_equal(tl_engine_begin(&engine, above.scenario, &params, NULL, 1), TL_OK);
    assert_int_equal(run_all(&engine, b, 32), n);
    assert_int_equal(n, plain.expected_samples);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(a[i].phase, b[i].phase);
        assert_string_equal(a[i].label, b[i].label);
    }
    assert_string_equal(b[1].label, "malloc+touch chunks 1-64 of 128");
    tl_engine_end(&engine);
}

/* ---- out of memory, in a child with a lowered address-space limit ---- */

enum oom_result {
    OOM_PASS = 0,
    OOM_SETUP = 10,
    OOM_SETRLIMIT,
    OOM_BEGIN,
    OOM_TOO_MANY_SAMPLES,
    OOM_OUTCOME,
    OOM_MESSAGE,
    OOM_LAST_PHASE,
    OOM_NOT_FREED,
    OOM_STEP_ORDER,
    OOM_TRIM_CALLED,
    OOM_SECOND_RUN,
};

static const char *oom_reason(int code) {
    switch (code) {
    case OOM_SETUP:
        return "could not prepare (parameters, sample buffers, /proc/self/statm)";
    case OOM_SETRLIMIT:
        return "setrlimit(RLIMIT_AS) failed";
    case OOM_BEGIN:
        return "tl_engine_begin failed";
    case OOM_TOO_MANY_SAMPLES:
        return "more samples than tl_engine_sample_capacity";
    case OOM_OUTCOME:
        return "outcome is not TL_ERR_OOM";
    case OOM_MESSAGE:
        return "error message lacks 'out of memory'";
    case OOM_LAST_PHASE:
        return "last sample is not phase final";
    case OOM_NOT_FREED:
        return "in_use_bytes at the last sample not back near the baseline";
    case OOM_STEP_ORDER:
        return "step numbers not 0..n-1";
    case OOM_TRIM_CALLED:
        return "trim ran although the run failed";
    case OOM_SECOND_RUN:
        return "the small run after the failed one did not complete OK";
    default:
        return "unexpected exit";
    }
}

#define CHILD_CHECK(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "oom child: %s failed (%s)\n", #cond, engine.error.message);           \
            return (code);                                                                         \
        }                                                                                          \
    } while (0)

static int oom_child(void) {
    tl_params big, small;
    tl_error err = {0};
    unsigned long long vm_pages = 0;
    tl_params_defaults(test_scenario("highwater")->params, &big);
    tl_params_defaults(test_scenario("highwater")->params, &small);
    CHILD_CHECK(tl_params_assign(test_scenario("highwater")->params, "highwater", &big,
                                 "total_mib=512", &err) == TL_OK,
                OOM_SETUP);
    CHILD_CHECK(tl_params_assign(test_scenario("highwater")->params, "highwater", &small,
                                 "total_mib=8", &err) == TL_OK,
                OOM_SETUP);
    uint32_t capacity = tl_engine_sample_capacity(test_scenario("highwater"), &big, NULL);
    uint32_t room = capacity + SPARE_SAMPLES;
    tl_sample *samples = calloc(room, sizeof *samples);
    CHILD_CHECK(samples != NULL, OOM_SETUP);

    FILE *statm = fopen("/proc/self/statm", "r");
    CHILD_CHECK(statm != NULL, OOM_SETUP);
    CHILD_CHECK(fscanf(statm, "%llu", &vm_pages) == 1, OOM_SETUP);
    fclose(statm);
    rlim_t limit = (rlim_t)(vm_pages * (unsigned long long)sysconf(_SC_PAGESIZE) + 64 * TL_MIB);
    struct rlimit rl = {limit, limit};
    CHILD_CHECK(setrlimit(RLIMIT_AS, &rl) == 0, OOM_SETRLIMIT);

    memset(&engine, 0, sizeof engine);
    CHILD_CHECK(tl_engine_begin(&engine, test_scenario("highwater"), &big, NULL, 1) == TL_OK,
                OOM_BEGIN);
    uint32_t n = run_all(&engine, samples, room);
    CHILD_CHECK(n <= capacity, OOM_TOO_MANY_SAMPLES);
    CHILD_CHECK(n >= 3, OOM_TOO_MANY_SAMPLES);
    CHILD_CHECK(tl_engine_done(&engine), OOM_OUTCOME);
    CHILD_CHECK(engine.outcome == TL_ERR_OOM, OOM_OUTCOME);
    CHILD_CHECK(engine.error.code == TL_ERR_OOM, OOM_OUTCOME);
    CHILD_CHECK(strstr(engine.error.message, "out of memory") != NULL, OOM_MESSAGE);
    CHILD_CHECK(samples[n - 1].phase == TL_PHASE_FINAL, OOM_LAST_PHASE);
    CHILD_CHECK(samples[0].phase == TL_PHASE_BASELINE, OOM_LAST_PHASE);
    for (uint32_t i = 0; i < n; i++)
        CHILD_CHECK(samples[i].step == i, OOM_STEP_ORDER);
    for (uint32_t i = 1; i + 1 < n; i++)
        CHILD_CHECK(samples[i].phase == TL_PHASE_ALLOCATE, OOM_LAST_PHASE);
    CHILD_CHECK(distance(samples[n - 1].memory.in_use_bytes, samples[0].memory.in_use_bytes) <=
                    TL_MIB,
                OOM_NOT_FREED);
    /* It did get somewhere before failing: most of the 64 MiB headroom was in use. */
    CHILD_CHECK(engine.summary.peak_in_use_bytes >= samples[0].memory.in_use_bytes + 32 * TL_MIB,
                OOM_NOT_FREED);
    CHILD_CHECK(!engine.summary.trim.called, OOM_TRIM_CALLED);
    CHILD_CHECK(tl_engine_step(&engine, &samples[0]) == 0, OOM_OUTCOME);
    tl_engine_end(&engine);

    /* The process is still usable: a small run under the same limit completes. */
    CHILD_CHECK(tl_engine_begin(&engine, test_scenario("highwater"), &small, NULL, 1) == TL_OK,
                OOM_SECOND_RUN);
    n = run_all(&engine, samples, room);
    CHILD_CHECK(n == tl_engine_sample_capacity(test_scenario("highwater"), &small, NULL),
                OOM_SECOND_RUN);
    CHILD_CHECK(engine.outcome == TL_OK, OOM_SECOND_RUN);
    CHILD_CHECK(samples[n - 2].phase == TL_PHASE_TRIM, OOM_SECOND_RUN);
    CHILD_CHECK(samples[n - 1].phase == TL_PHASE_FINAL, OOM_SECOND_RUN);
    CHILD_CHECK(engine.summary.trim.called, OOM_SECOND_RUN);
    tl_engine_end(&engine);
    free(samples);
    return OOM_PASS;
}

static void test_out_of_memory(void **state) {
    (void)state;
    if (TL_UNDER_ASAN) {
        print_message(
            "test_out_of_memory skipped: built with AddressSanitizer, whose allocator "
            "reserved its address space up front, so RLIMIT_AS cannot make malloc fail\n");
        skip();
    }
    if (RUNNING_ON_VALGRIND) {
        print_message("test_out_of_memory skipped: under valgrind, whose own allocations share "
                      "the lowered RLIMIT_AS (valgrind aborts when they fail)\n");
        skip();
    }
    int status = 0;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int code = oom_child();
        fflush(NULL);
        _exit(code);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("oom child died (signal %d)", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (WEXITSTATUS(status) != OOM_PASS)
        fail_msg("oom child: %s (exit %d)", oom_reason(WEXITSTATUS(status)), WEXITSTATUS(status));
}

int run_engine_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scenario_trim_on),
        cmocka_unit_test(test_every_scenario_trim_off),
        cmocka_unit_test(test_block_phases),
        cmocka_unit_test(test_begin_while_running_fails),
        cmocka_unit_test(test_end_mid_run_frees),
        cmocka_unit_test(test_highwater_batches),
        cmocka_unit_test(test_highwater_batch_above_total),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
