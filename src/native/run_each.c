#include "run_each.h"

#include "child_signals.h"
#include "cli/results_json.h"
#include "engine/platform.h"

static int severity(int code) {
    return code == 0 ? 0 : code == EXIT_OUT_OF_MEMORY ? 1 : code == EXIT_BAD_INPUT ? 2 : 3;
}

int tl_worse_exit(int a, int b) {
    int worst = severity(a) >= severity(b) ? a : b;
    return severity(worst) == 3 ? EXIT_FAILED : worst;
}

int tl_run_each(const tl_cli_options *options, FILE *json, tl_run_one run_one, void *context) {
    int exit_code = 0;
    if (json)
        tl_json_begin_document(json, TL_NATIVE_GENERATOR, tl_allocator_name(),
                               tl_cli_document_trim(options));
    for (unsigned i = 0; i < options->run_count && !tl_child_stop_signal(); i++)
        exit_code = tl_worse_exit(exit_code, run_one(context, i, json));
    if (json)
        tl_json_end_document(json);
    return exit_code;
}
