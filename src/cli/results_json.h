/* Writes the shared results format (docs/results-format.md, docs/results.schema.json). A run is
 * written in pieces (head, one sample at a time, tail) so that the WebAssembly module can write a
 * run whose samples JavaScript holds, one piece at a time, in the same layout. */
#ifndef TL_RESULTS_JSON_H
#define TL_RESULTS_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "run_record.h"

#define TL_RESULTS_FORMAT "trimlab-results"
#define TL_RESULTS_VERSION 2

/* The document's "trim": "enabled", "disabled" or "mixed", from how many of its `runs` have trim
 * enabled. */
const char *tl_results_trim(unsigned enabled, unsigned runs);
/* "2026-11-29T11:25:19Z": the UTC time `seconds` after 1970 (not before), as "created" has it. */
#define TL_UTC_TEXT_SIZE 32
void tl_json_utc_text(int64_t seconds, char text[TL_UTC_TEXT_SIZE]);
/* The document's opening up to "runs": [, with this platform and page size; the generator is
 * "trimlab VERSION (program)". */
void tl_json_begin_document(FILE *out, const char *program, const char *allocator,
                            const char *trim);
/* What stands between the runs: before run `index`. */
void tl_json_next_run(FILE *out, unsigned index);
/* Run `index` of a document being written to `out` (NULL: none is), given as its text (what a
 * child wrote with tl_json_write_run) or as its record. */
void tl_json_add_run_text(FILE *out, unsigned index, const char *run_text);
void tl_json_add_run(FILE *out, unsigned index, const tl_run_record *run);
/* One element of "runs". Without samples (run->samples NULL) it leaves out "samples" and
 * "elapsed_ms" for a caller that collects them itself (the WebAssembly wrapper). */
void tl_json_write_run(FILE *out, const tl_run_record *run);
/* The run up to its samples, sample `index` of them, the rest after them up to its "maps" list
 * (or, without maps, its "after" list), map `index`, the end of the maps up to the "after" list,
 * event `index` of that list, and the run's end. */
void tl_json_write_run_head(FILE *out, const tl_run_record *run);
void tl_json_write_sample(FILE *out, const tl_sample *sample, uint32_t index);
void tl_json_write_run_tail(FILE *out, const tl_run_record *run);
void tl_json_write_map(FILE *out, const tl_map_snapshot *map, uint32_t index);
void tl_json_write_maps_end(FILE *out, const tl_run_record *run);
void tl_json_write_after(FILE *out, const tl_after_event *event, uint32_t index);
void tl_json_write_run_end(FILE *out, const tl_run_record *run);
/* The names an "after" event can have, and those of a host and of its way to read resident
 * memory; each list ends with NULL. */
extern const char *const tl_json_after_events[];
extern const char *const tl_json_host_names[];
extern const char *const tl_json_resident_methods[];
void tl_json_end_document(FILE *out);
/* A program run's scenario (docs/results-format.md, "Program runs"): not one the engine runs,
 * no parameters; what `trimlab measure` and the WebAssembly writer both name it by. */
extern const tl_scenario tl_program_scenario;
/* The results format's bounds on a program run's "program" (docs/results.schema.json): the
 * writers refuse more, so every document they write stays valid. */
#define TL_PROGRAM_NAME_MAX 256
#define TL_PROGRAM_ARGS_MAX 64
#define TL_PROGRAM_ARG_MAX 4096
/* "completed" for TL_OK, else the status name ("oom", "bad_trace", "failed"). */
const char *tl_json_outcome_name(int outcome);
/* A JSON string literal, escaped. */
void tl_json_write_string(FILE *out, const char *text);

#endif
