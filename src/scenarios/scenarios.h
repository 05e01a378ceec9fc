/* The registry of built-in scenarios (scenarios.c), the one list of them: the CLI, the module,
 * the page and the results validator all take the scenarios from here. */
#ifndef TL_SCENARIOS_H
#define TL_SCENARIOS_H

#include "engine/scenario.h"

size_t tl_scenario_count(void);
const tl_scenario *tl_scenario_at(size_t index);
/* NULL with err set (naming the known scenarios) when there is no such scenario. */
const tl_scenario *tl_scenario_find(const char *name, tl_error *err);

#endif
