/* What the files of the C API share (not exported): the one buffer strings are returned in, the
 * last error, and the parameter text every run takes. */
#ifndef TL_WASM_SHARED_H
#define TL_WASM_SHARED_H

#include <stdio.h>

#include "engine/engine.h"
#include "engine/scenario.h"

/* A stream whose text tl_api_text_close copies into the returned-string buffer: the text, or ""
 * with an error when it did not fit (never a truncated JSON document). */
FILE *tl_api_text_open(void);
const char *tl_api_text_close(FILE *out);
/* What tl_wasm_error_code and tl_wasm_error_message report. */
tl_error *tl_api_error(void);
/* Applies "KEY=VALUE;KEY=VALUE" over the scenario's defaults; empty pieces are skipped. */
int tl_api_parse_params(const tl_scenario *scenario, const char *params_text, tl_params *params,
                        tl_error *err);
/* The engine of the module's one run (wasm_api.c), for the memory map (wasm_map.c). */
const tl_engine *tl_api_engine(void);
/* The memory map buffer (wasm_map.c), as the embedder completed it, for the results' writers. */
const unsigned char *tl_api_map_classes(void);

#endif
