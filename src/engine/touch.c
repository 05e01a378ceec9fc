#include "touch.h"

/* Linux's page size. Also used in WebAssembly: the engine backs linear memory with OS pages, so
 * touching at the same stride does the same work there (not one write per 64 KiB wasm page). */
#define TL_TOUCH_STRIDE 4096

void tl_touch_pages(void *start, size_t length) {
    volatile unsigned char *bytes = start;
    for (size_t offset = 0; offset < length; offset += TL_TOUCH_STRIDE)
        bytes[offset] = (unsigned char)(offset >> 12);
    if (length)
        bytes[length - 1] = 1;
}

void tl_fill_slots(uint64_t *slots, size_t first_index, size_t count) {
    volatile uint64_t *out = slots;
    for (size_t i = 0; i < count; i++)
        out[i] = tl_mix64((uint64_t)(first_index + i));
}

uint64_t tl_mix64(uint64_t x) {
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}
