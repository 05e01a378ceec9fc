/* The memory map's classifier, its run-length text and its moments (src/engine/memory_map.h). */
#include "unit_tests.h"

#include <stdlib.h>

#include "engine/engine.h"
#include "engine/memory_map.h"

/* 10 pages of 100 bytes from address 1000: 2 static (below 1200), 3 above (from 1700). */
static const tl_map_extent extent = {1000, 100, 10, 1200, 1700};

static void test_base_classes(void **state) {
    (void)state;
    unsigned char classes[10];
    char text[64];
    tl_map_base(&extent, classes);
    assert_int_equal(tl_map_encode(classes, 10, text, sizeof text), 6);
    assert_string_equal(text, "2s5f3a");
}

static void test_mark_overlapping_pages(void **state) {
    (void)state;
    unsigned char classes[10];
    char text[64];
    tl_map_base(&extent, classes);
    /* 1250..1350 touches pages 2 and 3; one byte at 1499 page 4 only. */
    assert_int_equal(tl_map_mark(&extent, classes, 1250, 100), 0);
    assert_int_equal(tl_map_mark(&extent, classes, 1499, 1), 0);
    tl_map_encode(classes, 10, text, sizeof text);
    assert_string_equal(text, "2s3l2f3a");
    /* A block past the extent's end: all of it outside; one across the end: the part past it. */
    assert_int_equal(tl_map_mark(&extent, classes, 5000, 64), 64);
    assert_int_equal(tl_map_mark(&extent, classes, 1950, 100), 50);
    assert_int_equal(classes[9], TL_PAGE_LIVE);
    /* An empty block marks nothing. */
    tl_map_base(&extent, classes);
    assert_int_equal(tl_map_mark(&extent, classes, 1500, 0), 0);
    assert_int_equal(classes[5], TL_PAGE_FREE);
}

static void test_encode_sizes_and_counts(void **state) {
    (void)state;
    unsigned char classes[1200];
    uint64_t counts[TL_PAGE_CLASSES];
    for (int i = 0; i < 1200; i++)
        classes[i] = (unsigned char)(i < 1000 ? TL_PAGE_CACHED : i % 2 ? TL_PAGE_LIVE : 9);
    char small[4];
    size_t needed = tl_map_encode(classes, 1200, small, sizeof small);
    assert_string_equal(small, ""); /* never a cut text */
    char *text = malloc(needed + 1);
    assert_int_equal(tl_map_encode(classes, 1200, text, needed + 1), needed);
    assert_starts_with(text, "1000c1f1l1f"); /* class 9 (out of range) is written as free */
    assert_int_equal(tl_map_decode_counts(text, counts), 0);
    assert_int_equal(counts[TL_PAGE_CACHED], 1000);
    assert_int_equal(counts[TL_PAGE_LIVE], 100);
    assert_int_equal(counts[TL_PAGE_FREE], 100);
    free(text);
    assert_int_equal(tl_map_decode_counts("0c", counts), -1);
    assert_int_equal(tl_map_decode_counts("12", counts), -1);
    assert_int_equal(tl_map_decode_counts("3x", counts), -1);
    assert_int_equal(tl_map_decode_counts("", counts), 0);
}

static void test_kept(void **state) {
    (void)state;
    uint64_t counts[TL_PAGE_CLASSES] = {3, 5, 7, 0, 1};
    tl_map_kept kept = tl_map_kept_of(counts, 65536, 100000);
    assert_int_equal(kept.in_use_bytes, 100000);
    assert_int_equal(kept.fragmentation_bytes, 3 * 65536 - 100000);
    assert_int_equal(kept.retention_bytes, 5 * 65536);
}

static void test_moments(void **state) {
    (void)state;
    tl_map_moments moments = {0};
    /* cycles: allocate, fill, free, allocate, fill, free, trim, final */
    const enum tl_phase phases[] = {TL_PHASE_BASELINE, TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                    TL_PHASE_FREE,     TL_PHASE_ALLOCATE, TL_PHASE_FILL,
                                    TL_PHASE_FREE,     TL_PHASE_TRIM,     TL_PHASE_FINAL};
    const unsigned expected[] = {
        0, 0, 0, 1u << TL_MAP_WORK, 0, 0, 0, (1u << TL_MAP_FREE) | (1u << TL_MAP_TRIM), 0};
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
        assert_int_equal(tl_map_moments_next(&moments, phases[i]), expected[i]);
}

/* The engine's blocks: a highwater run's chunks are live pages of a map over the whole address
 * space; after its frees only the chunk table is left. */
typedef struct found_blocks {
    uint64_t count, bytes;
} found_blocks;

static void test_engine_blocks(void **state) {
    (void)state;
    static tl_engine engine;
    tl_params params;
    tl_sample sample;
    const tl_scenario *scenario = test_scenario("highwater");
    tl_params_defaults(scenario->params, &params);
    params.value[0] = 4; /* total_mib */
    assert_int_equal(tl_engine_begin(&engine, scenario, &params, NULL, 1), TL_OK);
    tl_map_extent nowhere = {0, 4096, 0, 0, 0};
    tl_map_blocks blocks = {0, 0, 0};
    while (tl_engine_step(&engine, &sample) && sample.phase != TL_PHASE_FREE)
        blocks = tl_map_mark_engine(&nowhere, NULL, &engine);
    /* 64 chunks of 64 KiB and their table of 64 pointers, all outside an empty extent. */
    assert_int_equal(blocks.blocks, 65);
    assert_int_equal(blocks.held_bytes, 4 * TL_MIB + 64 * sizeof(void *));
    assert_int_equal(blocks.outside_bytes, blocks.held_bytes);
    while (tl_engine_step(&engine, &sample))
        ;
    blocks = tl_map_mark_engine(&nowhere, NULL, &engine);
    assert_int_equal(blocks.blocks, 1);
    tl_engine_end(&engine);
    blocks = tl_map_mark_engine(&nowhere, NULL, &engine);
    assert_int_equal(blocks.blocks, 0);
}

int run_memory_map_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_classes),
        cmocka_unit_test(test_mark_overlapping_pages),
        cmocka_unit_test(test_encode_sizes_and_counts),
        cmocka_unit_test(test_kept),
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_engine_blocks),
    };
    return cmocka_run_group_tests_name("memory_map", tests, NULL, NULL);
}
