/* Readable output of the CLI: the scenario list and a table per run. The table is written in
 * pieces (head, one row a sample, tail) so that the WebAssembly module can write a run whose
 * samples JavaScript holds, one piece at a time. */
#ifndef TL_REPORT_TABLE_H
#define TL_REPORT_TABLE_H

#include <stdio.h>

#include "run_record.h"

void tl_print_scenario_list(FILE *out);
void tl_print_run_table(FILE *out, const tl_run_record *run);

/* The run's title and the column names. */
void tl_print_table_head(FILE *out, const tl_run_record *run);
void tl_print_table_row(FILE *out, const tl_sample *sample);
/* The summary line, and why the run ended early when it did. */
void tl_print_table_tail(FILE *out, const tl_run_record *run);
/* The line under a replay's table: the trace `path` and what was replayed of it. */
void tl_print_trace_line(FILE *out, const char *path, const tl_trace_figures *trace);

#endif
