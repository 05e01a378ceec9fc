/* The solver pattern behind the reference measurement's bucket models
 * (docs/reference-measurement.md): a BFS builds a database of one robin-hood hash set per depth,
 * sized by the bucket model; frontier vectors and a batch buffer are created and destroyed at every
 * depth; the database stays live to the end, then trim. */
#include <stdio.h>
#include <stdlib.h>

#include "engine/block.h"
#include "engine/robin_set.h"
#include "engine/touch.h"
#include "engine/u64_vec.h"
#include "scenarios.h"

enum { P_MODEL, P_LOAD_PERCENT };

static const tl_param_def buckets_params[] = {
    {"model", "model", "bucket count per depth (K = 1024, M = 1048576), 1 to 8 powers of two",
     TL_PARAM_MODEL, 0, 0, 0, "1M/1M/1M"},
    {"load_percent", "%", "how full each depth's set gets", TL_PARAM_INT, 80, 10, 95, NULL},
};

/* States inserted per step: one step's worth of 8-byte keys. */
#define BATCH_SLOTS (TL_STEP_BYTES / sizeof(uint64_t))

enum buckets_stage { ALLOCATE, CLEAR, EXPAND, FREE_TEMPORARIES };

typedef struct buckets_state {
    tl_bucket_model model;
    uint64_t load_percent;
    tl_robin_set sets[TL_MODEL_MAX_DEPTHS];
    tl_u64_vec frontier; /* states of the previous depth */
    tl_u64_vec next;     /* states found at this depth */
    uint64_t *batch;     /* candidate successors, a per-depth temporary */
    unsigned depth;
    enum buckets_stage stage;
    uint64_t cleared; /* slots of the current set cleared so far */
    uint64_t cursor;  /* candidates generated at this depth */
    uint64_t target;  /* states to insert at this depth */
} buckets_state;

_Static_assert(sizeof(buckets_state) <= TL_STATE_MAX, "buckets state fits");

static uint64_t depth_target(uint64_t buckets, uint64_t load_percent) {
    return buckets * load_percent / 100;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) {
    return (a + b - 1) / b;
}

static uint32_t buckets_max_steps(const tl_params *params, const void *input) {
    (void)input;
    uint64_t steps = 0;
    for (unsigned d = 0; d < params->model.depths; d++) {
        uint64_t buckets = params->model.buckets[d];
        steps += 2 + ceil_div(buckets * sizeof(uint64_t), TL_STEP_BYTES) +
                 ceil_div(depth_target(buckets, params->value[P_LOAD_PERCENT]), BATCH_SLOTS);
    }
    return (uint32_t)steps;
}

static int buckets_begin(void *state, const tl_params *params, void *input, tl_error *err) {
    buckets_state *s = state;
    (void)input;
    (void)err;
    *s = (buckets_state){0};
    s->model = params->model;
    s->load_percent = params->value[P_LOAD_PERCENT];
    return TL_OK;
}

static tl_step_result depth_label(const buckets_state *s, tl_step_desc *desc, enum tl_phase phase,
                                  const char *what) {
    desc->phase = phase;
    snprintf(desc->label, sizeof desc->label, "depth %u/%u: %.60s", s->depth + 1, s->model.depths,
             what);
    return TL_STEP_MORE;
}

static tl_step_result allocate_depth(buckets_state *s, tl_step_desc *desc, tl_error *err) {
    uint64_t buckets = s->model.buckets[s->depth];
    char size[32], what[TL_LABEL_MAX];
    s->target = depth_target(buckets, s->load_percent);
    s->cleared = s->cursor = 0;
    tl_format_mib(buckets * sizeof(uint64_t), size, sizeof size);
    if (s->depth == 0 && !tl_u64_vec_push(&s->frontier, 1)) {
        tl_fail(err, TL_ERR_OOM, "no memory for the root state");
        return TL_STEP_FAILED;
    }
    if (!tl_robin_set_alloc(&s->sets[s->depth], buckets)) {
        tl_fail(err, TL_ERR_OOM, "depth %u: malloc of a %s set failed: out of memory", s->depth + 1,
                size);
        return TL_STEP_FAILED;
    }
    s->batch = malloc(BATCH_SLOTS * sizeof *s->batch);
    if (s->batch == NULL) {
        tl_fail(err, TL_ERR_OOM, "depth %u: no memory for the batch buffer", s->depth + 1);
        return TL_STEP_FAILED;
    }
    s->stage = CLEAR;
    snprintf(what, sizeof what, "malloc set of %llu buckets (%s) + batch buffer",
             (unsigned long long)buckets, size);
    return depth_label(s, desc, TL_PHASE_ALLOCATE, what);
}

static tl_step_result clear_set(buckets_state *s, tl_step_desc *desc) {
    tl_robin_set *set = &s->sets[s->depth];
    uint64_t slots = set->mask + 1, count = slots - s->cleared;
    char done[32], what[TL_LABEL_MAX];
    if (count > BATCH_SLOTS)
        count = BATCH_SLOTS;
    tl_robin_set_clear(set, s->cleared, count);
    s->cleared += count;
    if (s->cleared == slots)
        s->stage = EXPAND;
    tl_format_mib(s->cleared * sizeof(uint64_t), done, sizeof done);
    snprintf(what, sizeof what, "clear %s of buckets", done);
    return depth_label(s, desc, TL_PHASE_FILL, what);
}

static int seen_before(const buckets_state *s, uint64_t key) {
    for (unsigned d = 0; d < s->depth; d++)
        if (tl_robin_set_contains(&s->sets[d], key))
            return 1;
    return 0;
}

/* Successors of the previous depth's states, generated round-robin so they never run out. */
static void generate(buckets_state *s, uint64_t count) {
    for (uint64_t i = 0; i < count; i++, s->cursor++) {
        uint64_t parent = s->frontier.data[s->cursor % s->frontier.length];
        uint64_t key = tl_mix64(parent ^ tl_mix64(s->cursor));
        s->batch[i] = key ? key : 1;
    }
}

static tl_step_result expand(buckets_state *s, tl_step_desc *desc, tl_error *err) {
    tl_robin_set *set = &s->sets[s->depth];
    uint64_t want = s->target - set->count;
    char what[TL_LABEL_MAX];
    if (want > BATCH_SLOTS)
        want = BATCH_SLOTS;
    for (uint64_t inserted = 0; inserted < want;) {
        uint64_t count = want - inserted;
        generate(s, count);
        for (uint64_t i = 0; i < count; i++) {
            if (seen_before(s, s->batch[i]) || !tl_robin_set_insert(set, s->batch[i]))
                continue;
            inserted++;
            if (!tl_u64_vec_push(&s->next, s->batch[i])) {
                tl_fail(err, TL_ERR_OOM,
                        "depth %u: growing the frontier past %llu states failed: out of memory",
                        s->depth + 1, (unsigned long long)s->next.length);
                return TL_STEP_FAILED;
            }
        }
    }
    if (set->count >= s->target)
        s->stage = FREE_TEMPORARIES;
    snprintf(what, sizeof what, "insert states, %llu of %llu", (unsigned long long)set->count,
             (unsigned long long)s->target);
    return depth_label(s, desc, TL_PHASE_FILL, what);
}

static tl_step_result free_temporaries(buckets_state *s, tl_step_desc *desc) {
    int last = s->depth + 1 == s->model.depths;
    depth_label(s, desc, TL_PHASE_FREE,
                last ? "free both frontiers and the batch buffer; sets stay live"
                     : "free the old frontier and the batch buffer");
    free(s->batch);
    s->batch = NULL;
    tl_u64_vec_free(&s->frontier);
    s->frontier = s->next;
    s->next = (tl_u64_vec){0};
    if (last)
        tl_u64_vec_free(&s->frontier);
    s->depth++;
    s->stage = ALLOCATE;
    return TL_STEP_MORE;
}

static tl_step_result buckets_step(void *state, tl_step_desc *desc, tl_error *err) {
    buckets_state *s = state;
    if (s->depth == s->model.depths)
        return TL_STEP_DONE;
    switch (s->stage) {
    case ALLOCATE:
        return allocate_depth(s, desc, err);
    case CLEAR:
        return clear_set(s, desc);
    case EXPAND:
        return expand(s, desc, err);
    default:
        return free_temporaries(s, desc);
    }
}

static void buckets_release(void *state) {
    buckets_state *s = state;
    for (unsigned d = 0; d < TL_MODEL_MAX_DEPTHS; d++)
        tl_robin_set_free(&s->sets[d]);
    tl_u64_vec_free(&s->frontier);
    tl_u64_vec_free(&s->next);
    free(s->batch);
    s->batch = NULL;
}

static void visit_vec(const tl_u64_vec *vec, tl_block_visit visit, void *context) {
    if (vec->data != NULL)
        visit(context, vec->data, vec->capacity * sizeof *vec->data);
}

static void buckets_each_block(const void *state, tl_block_visit visit, void *context) {
    const buckets_state *s = state;
    for (unsigned d = 0; d < TL_MODEL_MAX_DEPTHS; d++)
        if (s->sets[d].slots != NULL)
            visit(context, s->sets[d].slots, (s->sets[d].mask + 1) * sizeof *s->sets[d].slots);
    visit_vec(&s->frontier, visit, context);
    visit_vec(&s->next, visit, context);
    if (s->batch != NULL)
        visit(context, s->batch, BATCH_SLOTS * sizeof *s->batch);
}

const tl_scenario tl_scenario_buckets = {
    "buckets",
    "BFS database of robin-hood sets sized by a bucket model; temporaries freed per depth; trim",
    {buckets_params, sizeof buckets_params / sizeof buckets_params[0]},
    buckets_max_steps,
    buckets_begin,
    buckets_step,
    buckets_release,
    NULL,
    buckets_each_block,
};
