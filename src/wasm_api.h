/* The C API the WebAssembly module exports for ccall/cwrap (web/trimlab-api.js wraps it).
 *
 * Nothing here aborts: every failure is a code (enum tl_status) plus a message that
 * tl_wasm_error_code/tl_wasm_error_message report. Strings returned point into one static
 * buffer that the next string-returning call overwrites (ccall copies them at once). Byte counts
 * are returned as double: exact below 2^53, and no 64-bit integer crosses the JS boundary.
 * The code is platform-neutral; only src/platform.c knows it runs as WebAssembly. */
#ifndef TL_WASM_API_H
#define TL_WASM_API_H

/* Last error: a tl_status code (0 = none), its name ("bad_value", "oom", ...) and message. */
int tl_wasm_error_code(void);
const char *tl_wasm_error_name(void);
const char *tl_wasm_error_message(void);

/* "wasm", "dlmalloc" or "emmalloc", and the page size touching counts in. */
const char *tl_wasm_platform(void);
const char *tl_wasm_allocator(void);
double tl_wasm_page_bytes(void);
/* Linear memory size now (pages x 64 KiB). */
double tl_wasm_memory_bytes(void);

/* Every scenario with its parameters (unit, kind, default, bounds, description) as JSON,
 * generated from the registry in scenarios.c. */
const char *tl_wasm_scenarios_json(void);
/* The native CLI's `--list` and `--help` texts, byte for byte. */
const char *tl_wasm_list_text(void);
const char *tl_wasm_usage_text(void);

/* Validates one KEY=VALUE for a scenario without running anything: 0 or an error code. */
int tl_wasm_check_param(const char *scenario, const char *assignment);

/* The native command line parser: tl_wasm_cli_reset, one tl_wasm_cli_arg per argument (argv[1]
 * onwards), optionally tl_wasm_setenv, then tl_wasm_cli_parse (0 or an error code with the native
 * CLI's message) and tl_wasm_cli_json for what it decided:
 * {"action": "run"|"list"|"help", "json": null|PATH, "quiet": BOOL,
 *  "runs": [{"scenario": NAME, "params": "k=v;k=v", "trim": BOOL}, ...]}. */
void tl_wasm_cli_reset(void);
int tl_wasm_cli_arg(const char *arg);
/* Sets (value not NULL) or unsets a variable of the module's own environment. */
int tl_wasm_setenv(const char *name, const char *value);
int tl_wasm_cli_parse(void);
const char *tl_wasm_cli_json(void);

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
 * {"scenario", "params", "trim", "outcome", "error", "summary"}. */
const char *tl_wasm_run_json(void);

#endif
