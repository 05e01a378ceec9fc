/* Writes the shared results format (docs/results-format.md, docs/results.schema.json). */
#ifndef TL_RESULTS_JSON_H
#define TL_RESULTS_JSON_H

#include <stdio.h>

#include "run_record.h"

#define TL_RESULTS_FORMAT "trimlab-results"
#define TL_RESULTS_VERSION 1

/* The document's opening up to "runs": [; `trim` is "enabled", "disabled" or "mixed". */
void tl_json_begin_document(FILE *out, const char *trim);
/* One element of "runs". Without samples (run->samples NULL) it leaves out "samples" and
 * "elapsed_ms" for a caller that collects them itself (the WebAssembly wrapper). */
void tl_json_write_run(FILE *out, const tl_run_record *run);
void tl_json_end_document(FILE *out);
/* A JSON string literal, escaped. */
void tl_json_write_string(FILE *out, const char *text);

#endif
