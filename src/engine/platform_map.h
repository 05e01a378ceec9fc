/* The platform layer's part of the memory map (memory_map.h): where the heap lies, and the
 * kernel's residency of its pages where the program can read it itself. */
#ifndef TL_PLATFORM_MAP_H
#define TL_PLATFORM_MAP_H

#include "memory_map.h"

/* WebAssembly: all of linear memory from address 0 in 64 KiB pages, static below the heap's
 * base (data and stack), above past sbrk's high-water mark. Natively: glibc's main arena, the
 * [heap] mapping from its start to sbrk(0), in the OS's pages, with nothing static or above (an
 * empty extent before the heap exists). 0, or an error code with err set. */
int tl_map_extent_here(tl_map_extent *extent, tl_error *err);

/* Natively: each free page of `classes` that /proc/self/pagemap says is present becomes cached;
 * returns 1. WebAssembly: 0, nothing changed: only the embedder can read the kernel's view
 * (web/memory-map.js combines it). -1 with err set when pagemap cannot be read. */
int tl_map_residency_here(const tl_map_extent *extent, unsigned char *classes, tl_error *err);

#endif
