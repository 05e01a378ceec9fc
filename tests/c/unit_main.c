/* Runs every group of unit tests; the exit status is the number of failed tests (capped). */
#include "unit_tests.h"

#include "scenarios/scenarios.h"

const tl_scenario *test_scenario(const char *name) {
    tl_error err;
    const tl_scenario *scenario = tl_scenario_find(name, &err);
    if (scenario == NULL)
        fail_msg("%s", err.message);
    return scenario;
}

int main(void) {
    int failed = 0;
    failed += run_bucket_model_tests();
    failed += run_params_tests();
    failed += run_cli_options_tests();
    failed += run_engine_tests();
    failed += run_robin_set_tests();
    failed += run_u64_vec_tests();
    failed += run_trace_reader_tests();
    failed += run_output_file_tests();
    failed += run_results_json_tests();
    failed += run_measure_samples_tests();
    failed += run_memory_map_tests();
    return failed > 125 ? 125 : failed;
}
