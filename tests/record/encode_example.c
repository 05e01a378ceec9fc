/* Prints the example trace of docs/trace-format.md as hex (offset, then 16 bytes a line), built
 * with src/shared/trace_writer.c, the recorder's own encoder; the Node test checks that the
 * document shows exactly these bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shared/trace_writer.h"

int main(void) {
    unsigned char trace[256];
    const char name[] = "demo";
    tl_trace_header header;
    tl_trace_header_init(&header, (uint32_t)strlen(name), 4242);
    tl_trace_header_set_recorder_version(&header, "0.1.0");
    header.flags = TL_TRACE_COMPLETE | TL_TRACE_MMAP_RECORDED; /* as the recorder writes it */
    header.event_count = 5;
    header.max_live_blocks = 1;
    tl_trace_header_pack(&header, trace);
    size_t n = TL_TRACE_HEADER_BYTES;
    memcpy(trace + n, name, strlen(name));
    n += strlen(name);
    n += tl_trace_put_event2(trace + n, TL_TRACE_MALLOC, 0x55d0c0a012a0, 100);
    n += tl_trace_put_event3(trace + n, TL_TRACE_REALLOC, 0x55d0c0a012a0, 0x55d0c0a01310, 300);
    n += tl_trace_put_free(trace + n, 0x55d0c0a01310);
    n += tl_trace_put_event2(trace + n, TL_TRACE_CALLOC, 0, UINT64_MAX);
    n += tl_trace_put_event3(trace + n, TL_TRACE_MEMALIGN, 0x55d0c0a01400, 64, 64);
    for (size_t line = 0; line < n; line += 16) {
        printf("%04zx:", line);
        for (size_t i = line; i < n && i < line + 16; i++)
            printf(" %02x", trace[i]);
        putchar('\n');
    }
    return 0;
}
