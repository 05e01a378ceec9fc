/* The module's tag: 16 bytes of static data that the wrapper fills with random bytes at load, so
 * that a reader of /proc/PID/mem can tell this module's linear memory from another mapping of the
 * same size (docs/results-format.md, "Finding the module's mapping"). */
#include <stdint.h>

#include "wasm_api.h"

/* volatile: only JavaScript writes it and only /proc readers look at it. */
static _Alignas(16) volatile unsigned char tag[TL_WASM_TAG_BYTES];

double tl_wasm_tag_ptr(void) {
    return (double)(uintptr_t)tag;
}
