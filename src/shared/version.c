#include "version.h"

/* Given by the Makefile (and build_wasm.sh) to this file alone, so a new version rebuilds one
 * object. */
#ifndef TL_VERSION
#error "TL_VERSION is not defined: build with make (tools/version.sh makes it)"
#endif

const char *tl_version(void) {
    return TL_VERSION;
}
