/* A step result and an error code must be different types to the compiler (src/engine/scenario.h):
 * `make test-c` compiles this file once without MIXUP, which must compile, and once with each
 * MIXUP from 1 to 4, each of which must fail (-Werror: -Wenum-conversion, -Wenum-compare). The
 * step's type is taken from tl_scenario itself, so the cases speak of whatever the interface is. */
#include "engine/scenario.h"

typedef __typeof__(((const tl_scenario *)0)->step(0, 0, 0)) step_result;

static step_result step(void *state, tl_step_desc *desc, tl_error *err) {
    (void)state;
    (void)desc;
#if MIXUP == 1 /* an error code where a step result is due */
    return tl_fail(err, TL_ERR_OOM, "out of memory");
#elif MIXUP == 2 /* "done" spelled as "no error" */
    (void)err;
    return TL_OK;
#elif MIXUP == 3 /* the error's code as the result */
    tl_fail(err, TL_ERR_OOM, "out of memory");
    return err->code;
#else
    (void)err;
    return TL_STEP_MORE;
#endif
}

int step_is_done(tl_step_desc *desc, tl_error *err);

int step_is_done(tl_step_desc *desc, tl_error *err) {
#if MIXUP == 4 /* a step result compared with an error code */
    return step(0, desc, err) == TL_OK;
#else
    return step(0, desc, err) == TL_STEP_DONE;
#endif
}
