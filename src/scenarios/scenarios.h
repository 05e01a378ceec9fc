/* The registry of built-in scenarios. */
#ifndef TL_SCENARIOS_H
#define TL_SCENARIOS_H

#include "engine/scenario.h"

extern const tl_scenario tl_scenario_simple;
extern const tl_scenario tl_scenario_vector;
extern const tl_scenario tl_scenario_cycles;
extern const tl_scenario tl_scenario_buckets;
extern const tl_scenario tl_scenario_fragmented;
extern const tl_scenario tl_scenario_highwater;

size_t tl_scenario_count(void);
const tl_scenario *tl_scenario_at(size_t index);
/* NULL with err set (naming the known scenarios) when there is no such scenario. */
const tl_scenario *tl_scenario_find(const char *name, tl_error *err);

#endif
