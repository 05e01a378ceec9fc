#include "scenarios.h"

#include <stdio.h>
#include <string.h>

#include "shared/message.h"

/* Each is defined in its own scenario_NAME.c. */
extern const tl_scenario tl_scenario_simple;
extern const tl_scenario tl_scenario_vector;
extern const tl_scenario tl_scenario_cycles;
extern const tl_scenario tl_scenario_buckets;
extern const tl_scenario tl_scenario_fragmented;
extern const tl_scenario tl_scenario_highwater;

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
    char names[TL_MESSAGE_MAX / 2] = "";
    for (size_t i = 0; i < tl_scenario_count(); i++) {
        if (strcmp(all_scenarios[i]->name, name) == 0)
            return all_scenarios[i];
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", all_scenarios[i]->name);
    }
    tl_fail(err, TL_ERR_UNKNOWN_SCENARIO, "unknown scenario '%s' (allowed: %s)", tl_q(name), names);
    return NULL;
}

const char *tl_phase_name(enum tl_phase phase) {
    static const char *const names[] = {"baseline", "allocate", "fill", "free", "trim", "final"};
    return (unsigned)phase < sizeof names / sizeof names[0] ? names[phase] : "unknown";
}
