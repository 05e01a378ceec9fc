#include "touch.h"

#include "platform.h"

void tl_touch_pages(void *start, size_t length) {
    volatile unsigned char *bytes = start;
    size_t page = (size_t)tl_page_bytes();
    for (size_t offset = 0; offset < length; offset += page)
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
