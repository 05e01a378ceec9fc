/* The allocation trace format (docs/trace-format.md): what the recorder writes and every
 * reader (trace-info, the native and the WebAssembly replay) reads. Little-endian throughout. */
#ifndef TL_TRACE_FORMAT_H
#define TL_TRACE_FORMAT_H

#include <stdint.h>

#define TL_TRACE_MAGIC "TLTRACE\0" /* 8 bytes */
#define TL_TRACE_VERSION 1
#define TL_TRACE_NAME_MAX 256
#define TL_TRACE_RECORDER_VERSION_BYTES 16

/* Header flags. */
#define TL_TRACE_COMPLETE 1u /* the recorder flushed at a normal exit; absent: cut short */
/* The recorder recorded the program's own anonymous mmap, munmap and mremap (MMAP, MUNMAP
 * events); absent in traces of recorders that did not, which may hold memory they never saw. */
#define TL_TRACE_MMAP_RECORDED 2u
#define TL_TRACE_FLAGS_KNOWN (TL_TRACE_COMPLETE | TL_TRACE_MMAP_RECORDED)

/* The fixed header, 64 bytes, followed by `name_length` bytes of program name (no NUL). */
typedef struct tl_trace_header {
    char magic[8];
    uint32_t version;
    uint32_t pointer_bytes; /* sizeof(void *) of the recorded program */
    uint32_t flags;
    uint32_t name_length;     /* at most TL_TRACE_NAME_MAX */
    uint64_t event_count;     /* events that follow the name (without COMPLETE, bytes after
                                 them are a flush the header never counted: ignore them) */
    uint64_t max_live_blocks; /* most blocks live at once, for sizing a replay's address map */
    uint64_t recorder_pid;    /* the recorded process */
    /* The recorder's version (`trimlab --version`'s) in printable ASCII, cut at 16 bytes, the
     * rest NUL; all NUL in traces written before it was recorded (once reserved, always 0). */
    char recorder_version[TL_TRACE_RECORDER_VERSION_BYTES];
} tl_trace_header;

_Static_assert(sizeof(tl_trace_header) == 64, "the header is 64 bytes");

/* One event: a one-byte op, then the op's fields as unsigned LEB128 varints:
 *   MALLOC   result size                 (result 0: the call returned NULL)
 *   CALLOC   result size                 (size = nmemb * size; the replay zeroes it; an
 *                                          overflowing product is 2^64 - 1, the call failed)
 *   REALLOC  old result size             (old 0: acts as malloc; result 0 with size > 0: failed,
 *                                          the old block stays live; old != 0, result 0, size 0:
 *                                          glibc's realloc(p, 0) freed old; reallocarray too)
 *   FREE     old                          (old 0 is not recorded)
 *   MEMALIGN result size alignment       (posix_memalign, aligned_alloc, memalign, valloc, and
 *                                          pvalloc with its size rounded up to whole pages)
 *   MMAP     result size                 (an anonymous mapping the program made itself, size
 *                                          rounded up to whole pages; result 0: it failed)
 *   MUNMAP   old result size             (the program's munmap or mremap changed the recorded
 *                                          mapping at old: it now starts at result with size
 *                                          bytes; result 0, size 0: it is gone. A hole punched
 *                                          in the middle is this for the head, then an MMAP of
 *                                          the tail)
 * Pointers are the recorded program's addresses: a replay maps them to its own blocks. */
enum tl_trace_op {
    TL_TRACE_MALLOC = 1,
    TL_TRACE_CALLOC = 2,
    TL_TRACE_REALLOC = 3,
    TL_TRACE_FREE = 4,
    TL_TRACE_MEMALIGN = 5,
    TL_TRACE_MMAP = 6,
    TL_TRACE_MUNMAP = 7,
};

#define TL_TRACE_OP_LAST TL_TRACE_MUNMAP

/* The longest encoded event: op + 3 varints of at most 10 bytes. */
#define TL_TRACE_EVENT_MAX 31

#endif
