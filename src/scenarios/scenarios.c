#include "scenarios.h"

#include <string.h>

#include "shared/message.h"

static const tl_scenario *const all_scenarios[] = {
    &tl_scenario_simple,  &tl_scenario_vector,     &tl_scenario_cycles,
    &tl_scenario_buckets, &tl_scenario_fragmented, &tl_scenario_highwater,
};

size_t tl_scenario_count(void) {
    return sizeof all_scenarios / sizeof all_scenarios[0];
}

const tl_scenario *tl_scenario_at(size_t index) {
    return index < tl_scenario_count() ? all_scenarios[index] : NULL;
}

const tl_scenario *tl_scenario_find(const char *name, tl_error *err) {
    for (size_t i = 0; i < tl_scenario_count(); i++)
        if (strcmp(all_scenarios[i]->name, name) == 0)
            return all_scenarios[i];
    tl_fail(err, TL_ERR_UNKNOWN_SCENARIO,
            "unknown scenario '%s' (allowed: simple, vector, cycles, buckets, fragmented, "
            "highwater)",
            tl_q(name));
    return NULL;
}

const char *tl_phase_name(enum tl_phase phase) {
    static const char *const names[] = {"baseline", "allocate", "fill", "free", "trim", "final"};
    return (unsigned)phase < sizeof names / sizeof names[0] ? names[phase] : "unknown";
}
