/* The C API the WebAssembly module exports for ccall/cwrap (web/trimlab-api.js wraps it).
 *
 * Nothing here aborts: every failure is a code (enum tl_status) plus a message that
 * tl_wasm_error_code/tl_wasm_error_message report. Strings returned point into one static
 * buffer that the next string-returning call overwrites (ccall copies them at once). Byte counts
 * are returned as double: exact below 2^53, and no 64-bit integer crosses the JS boundary.
 * The code is platform-neutral; only src/engine/platform.c knows it runs as WebAssembly. */
#ifndef TL_WASM_API_H
#define TL_WASM_API_H

/* Last error: a tl_status code (0 = none), its name ("bad_value", "oom", ...) and message. */
int tl_wasm_error_code(void);
const char *tl_wasm_error_name(void);
const char *tl_wasm_error_message(void);

/* The version `trimlab --version` prints (src/shared/version.h). */
const char *tl_wasm_version(void);

/* "wasm", "dlmalloc" or "emmalloc", and the page size touching counts in. */
const char *tl_wasm_platform(void);
const char *tl_wasm_allocator(void);
double tl_wasm_page_bytes(void);
/* Linear memory size now (pages x 64 KiB). */
double tl_wasm_memory_bytes(void);
/* The address in linear memory of the module's 16-byte tag, which the wrapper fills with random
 * bytes at load: a reader of /proc/PID/mem finds them at the mapping's start + this address and so
 * tells this module's memory from another of the same size. */
#define TL_WASM_TAG_BYTES 16
double tl_wasm_tag_ptr(void);
/* For the probe-cost benchmark (make bench): calls the platform probe `count` times (full: the
 * footprint plus the allocator's figures, the sample every engine step takes; else the footprint
 * only) and returns the sum of the footprints, so no call can be optimised away. */
double tl_wasm_probe_repeat(int count, int full);
/* The heap walks made so far in this instance (tl_heap_walks): a replay under dlmalloc walks at
 * its baseline, trim and final samples only, however many steps it has. */
double tl_wasm_heap_walks(void);

/* Every scenario with its parameters (unit, kind, default, bounds, description) as JSON,
 * generated from the registry in scenarios.c, with the names a results document's runs can have
 * ("result_scenarios": the registry's and the replay's) and the trace format's constants
 * ("trace": {"magic": [bytes], "header_max": N}, what tl_wasm_replay_begin's first chunk holds). */
const char *tl_wasm_scenarios_json(void);
/* The native CLI's `--list` and `--help` texts, byte for byte. */
const char *tl_wasm_list_text(void);
const char *tl_wasm_usage_text(void);

/* Validates one KEY=VALUE for a scenario without running anything: 0 or an error code. */
int tl_wasm_check_param(const char *scenario, const char *assignment);
/* A bucket model in the engine's canonical form ("1024K/1M" gives "1M/1M"), or "" with an error
 * when it is not a valid model. */
const char *tl_wasm_canonical_model(const char *model);

/* The native command line parser: tl_wasm_cli_reset, one tl_wasm_cli_arg per argument (argv[1]
 * onwards), optionally tl_wasm_setenv, then tl_wasm_cli_parse (0 or an error code with the native
 * CLI's message) and tl_wasm_cli_json for what it decided:
 * {"action": "run"|"list"|"help"|"version", "trace": BOOL, "json": BOOL, "quiet": BOOL, "map":
 * BOOL, "runs": [{"scenario": NAME, "params": "k=v;k=v", "trim": BOOL}, ...]}; "json"/"trace" say
 * whether a path was given, tl_wasm_cli_json_path/tl_wasm_cli_trace_path give it ("" when none),
 * whatever its length. Any number of arguments, as natively. */
void tl_wasm_cli_reset(void);
int tl_wasm_cli_arg(const char *arg);
/* Sets (value not NULL) or unsets a variable of the module's own environment. */
int tl_wasm_setenv(const char *name, const char *value);
int tl_wasm_cli_parse(void);
const char *tl_wasm_cli_json(void);
const char *tl_wasm_cli_json_path(void);
const char *tl_wasm_cli_trace_path(void);

/* Starts a run: `params` is "" or "KEY=VALUE;KEY=VALUE" (each piece checked as by --set).
 * A run still in progress is an error (TL_ERR_STATE): tl_wasm_end it first. */
int tl_wasm_begin(const char *scenario, const char *params, int trim_enabled);
/* One engine step: 1 with a new current sample, 0 when the run is over (or none was begun). */
int tl_wasm_step(void);
int tl_wasm_done(void);
/* Frees whatever the run still holds; the module is ready for the next tl_wasm_begin. */
void tl_wasm_end(void);

/* The current sample (the one the last tl_wasm_step produced). */
double tl_wasm_sample_step(void);
const char *tl_wasm_sample_phase(void);
const char *tl_wasm_sample_label(void);
double tl_wasm_sample_footprint_bytes(void);
double tl_wasm_sample_sbrk_bytes(void);
double tl_wasm_sample_in_use_bytes(void);
double tl_wasm_sample_allocator_free_bytes(void);

/* The run so far as a results-format run object without samples and elapsed_ms:
 * {"scenario", "params", "trim", "outcome", "error", "summary"}, plus "trace" for a replay. */
const char *tl_wasm_run_json(void);

/* ---- the memory map (src/engine/memory_map.h): the allocator's view of every 64 KiB page ----
 *
 * tl_wasm_map fills the map buffer (tl_wasm_map_ptr: one byte per page of linear memory, at most
 * TL_WASM_MAP_PAGES) with each page's class by the run's own blocks (the engine knows each one
 * a scenario or replay holds): 0 live, 2 free (below sbrk's high-water mark, no live block), 3
 * above that mark, 4 static (data and stack, below the heap); returns the pages filled, or -1
 * with an error. The embedder, which alone can read the kernel's residency, makes each resident
 * free page 1 (cached): web/memory-map.js. O(pages + blocks). tl_wasm_map_held_bytes: the bytes
 * the run's blocks asked for at the last tl_wasm_map. tl_wasm_map_moments: the moments (bit
 * 1 << tl_map_moment: 1 work and 2 free, both the sample before; 4 trim, this sample) the current
 * sample completes. */
#define TL_WASM_MAP_PAGES 8192
double tl_wasm_map_ptr(void);
int tl_wasm_map(void);
double tl_wasm_map_held_bytes(void);
int tl_wasm_map_moments(void);

/* ---- replays of allocation traces (src/scenarios/scenario_replay.h), fed in chunks from JS ----
 *
 * tl_wasm_replay_begin takes the trace's first bytes: min(320, the trace's size), which hold the
 * header and program name; `at_end` says they are the whole trace. Bytes after the name are the
 * first events. `params` as for tl_wasm_begin ("events_per_step=N"); `live_blocks` > 0 sizes the
 * address map (else the header's max_live_blocks), `events` > 0 is the event count to expect
 * (else the header's); a check gives both. Then the usual tl_wasm_step loop, and before every
 * step: while tl_wasm_replay_room() > 0, copy at most that many next bytes of the trace to
 * tl_wasm_replay_input_ptr() (HEAPU8.set) and call tl_wasm_replay_input(count); count 0 says the
 * trace has ended. The trace is never held whole in linear memory: 1 MiB of it at most. */
int tl_wasm_replay_begin(const unsigned char *first, int length, int at_end, const char *params,
                         int trim_enabled, double live_blocks, double events);
double tl_wasm_replay_room(void);
double tl_wasm_replay_input_ptr(void);
int tl_wasm_replay_input(double count);

/* A check of a whole trace without allocating for it (what trace-info does): the same first
 * bytes and feeding, then tl_wasm_check() until it returns 0 (done: tl_wasm_trace_json has the
 * figures) or an error code; -1 asks for more input. tl_wasm_end abandons it. */
int tl_wasm_check_begin(const unsigned char *first, int length, int at_end);
int tl_wasm_check(void);
/* The trace's header and what was counted so far, as `trimlab trace-info --json` prints it. */
const char *tl_wasm_trace_json(void);

/* The native `trimlab replay` parser on the arguments given through tl_wasm_cli_arg (the trace
 * and its options); tl_wasm_cli_json then says what it decided, tl_wasm_cli_trace_path the
 * trace. */
int tl_wasm_replay_cli_parse(void);
const char *tl_wasm_replay_usage_text(void);
/* 0, or the native error when events_per_step makes too many steps for `events` events. */
int tl_wasm_replay_check_steps(double events, double events_per_step);

/* ---- the results' formats, piece by piece (src/wasm/wasm_format.c) ----
 *
 * The table and results JSON of a finished run whose samples the wrapper holds, written by the
 * native CLI's writers one piece at a time. tl_wasm_format_run loads the run (its results-format
 * values; `params` as for tl_wasm_begin; its host: name, version and resident method, or "" for
 * none; how many "after" events it has; no trace), tl_wasm_format_summary its summary and, for a
 * replay, tl_wasm_format_trace its trace; tl_wasm_format_sample loads one sample and
 * tl_wasm_format_after one "after" event. Figures not read are given as -1 (an after event's
 * resident -1: null, the mapping is gone). Each returns 0 or an error code. Then the pieces: a
 * document is its head, each run's JSON head (with the separator before run `index`), each
 * sample's JSON (sample `index` of the run), the run's JSON tail, each after event's JSON (event
 * `index`), the run's end, and the document's end; a table is its head, a row per sample, its tail
 * and, for a replay, the trace line. */
int tl_wasm_format_run(const char *scenario, const char *params, int trim_enabled,
                       const char *outcome, const char *error, double elapsed_ms,
                       const char *host_name, const char *host_version, const char *host_resident,
                       int after_count);
int tl_wasm_format_summary(double baseline, double peak, double peak_in_use, double before_trim,
                           double after_trim, double final_footprint, int trim_called,
                           int trim_returned);
int tl_wasm_format_trace(const char *program, double event_count, double events_replayed,
                         int complete, double peak_requested, double replay_overhead);
int tl_wasm_format_sample(double step, const char *phase, const char *label, double footprint,
                          double sbrk, double in_use, double allocator_free, double resident,
                          double host_rss);
int tl_wasm_format_after(const char *event, double elapsed_ms, double resident, double host_rss);
/* A program run's program (docs/results-format.md, "Program runs"), after tl_wasm_format_run of
 * scenario "program" and before its pieces: its name, then each argument in order (the results
 * format's bounds: src/cli/results_json.h). A program run's samples may give -1 for sbrk, in_use
 * and allocator_free (not read: the allocator is the program's); its JSON tail, holding the
 * program, must fit in the returned-string buffer (20 KiB) or is refused whole. */
int tl_wasm_format_program(const char *name);
int tl_wasm_format_program_arg(const char *argument);
/* The document's head: the generator "trimlab VERSION (program)", `allocator`, and "trim" from
 * how many of `runs` have trim enabled. */
const char *tl_wasm_document_head(const char *program, const char *allocator, int enabled_runs,
                                  int runs);
const char *tl_wasm_document_end(void);
const char *tl_wasm_run_json_head(int index);
const char *tl_wasm_sample_json(int index);
const char *tl_wasm_run_json_tail(void);
const char *tl_wasm_after_json(int index);
const char *tl_wasm_run_json_end(void);
const char *tl_wasm_table_head(void);
const char *tl_wasm_table_row(void);
const char *tl_wasm_table_tail(void);
/* A run's maps, after tl_wasm_format_run (which sets none): how many (at most 3), then each one
 * from the map buffer's `pages` classes as the embedder completed them (tl_wasm_format_map: its
 * moment "work", "free" or "trim", the sample, the bytes its blocks asked for), written by
 * tl_wasm_map_json (map `index`) and, after the last, tl_wasm_maps_end; tl_wasm_map_line is the
 * loaded map's line under the CLI's table. */
int tl_wasm_format_maps(int count);
int tl_wasm_format_map(const char *at, double step, int pages, double held_bytes);
const char *tl_wasm_map_json(int index);
const char *tl_wasm_maps_end(void);
const char *tl_wasm_map_line(void);
/* The line under a replay's table, naming the trace `path`. */
const char *tl_wasm_trace_line(const char *path);

#endif
