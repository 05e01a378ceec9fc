#include "failed_run.h"

#include <stdio.h>
#include <string.h>

int tl_child_reported(const tl_child_output *child, int code) {
    return code >= 0 && child->length > 0;
}

void tl_failed_run_error(const tl_child_output *child, int code, char *text, size_t size) {
    const char *name = child->signal ? sigabbrev_np(child->signal) : NULL;
    if (child->signal && name)
        snprintf(text, size, "killed by signal %d (SIG%s)", child->signal, name);
    else if (child->signal)
        snprintf(text, size, "killed by signal %d", child->signal);
    else if (code >= 0)
        snprintf(text, size, "ended with exit code %d without reporting its run", code);
    else
        snprintf(text, size, "its process could not be started or followed");
}

tl_run_record tl_failed_run(const tl_cli_run *run, const char *error, double elapsed_ms) {
    static const tl_summary zeros;
    /* Not NULL: the run is written with its (empty) samples, not left for a caller to add. */
    static const tl_sample no_samples[1];
    tl_run_record record = {run->scenario,
                            &run->params,
                            run->trim_enabled,
                            no_samples,
                            0,
                            &zeros,
                            TL_ERR_RUN_FAILED,
                            error,
                            elapsed_ms,
                            NULL,
                            tl_platform_host(),
                            NULL,
                            0,
                            NULL,
                            NULL,
                            0};
    return record;
}
