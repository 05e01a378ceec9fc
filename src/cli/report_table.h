/* Readable output of the CLI: the scenario list and a table per run. */
#ifndef TL_REPORT_TABLE_H
#define TL_REPORT_TABLE_H

#include <stdio.h>

#include "run_record.h"

void tl_print_scenario_list(FILE *out);
void tl_print_run_table(FILE *out, const tl_run_record *run);

#endif
