/* A memory map in one line of the CLI's report: the memory in each class and what is kept. */
#ifndef TL_MAP_REPORT_H
#define TL_MAP_REPORT_H

#include <stdio.h>

#include "run_record.h"

/* "map after trim (step 9): live 0.00, cached 10.00, free 0.00, above 0.00, static 0.00 MiB;
 * kept 10.00 MiB: in use 0.00, fragmentation 0.00, retention 10.00" */
void tl_print_map(FILE *out, const tl_map_snapshot *map);

#endif
