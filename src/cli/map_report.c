#include "map_report.h"

#include "engine/memory_map.h"

static double mib(uint64_t bytes) {
    return (double)bytes / (1024.0 * 1024.0);
}

void tl_print_map(FILE *out, const tl_map_snapshot *map) {
    uint64_t counts[TL_PAGE_CLASSES];
    if (tl_map_decode_counts(map->classes, counts) != 0)
        return;
    fprintf(out, "map after %s (step %u):", map->at, (unsigned)map->step);
    for (int c = 0; c < TL_PAGE_CLASSES; c++)
        fprintf(out, "%s %s %.2f", c ? "," : "", tl_page_class_names[c],
                mib(counts[c] * map->page_bytes));
    tl_map_kept kept =
        tl_map_kept_of(counts, map->page_bytes, map->held_bytes - map->outside_bytes);
    fprintf(out, " MiB; kept %.2f MiB: in use %.2f, fragmentation %.2f, retention %.2f\n",
            mib(kept.in_use_bytes + kept.fragmentation_bytes + kept.retention_bytes),
            mib(kept.in_use_bytes), mib(kept.fragmentation_bytes), mib(kept.retention_bytes));
    if (map->outside_bytes > 0)
        fprintf(out, "  and %.2f MiB of blocks outside the map (natively: mmapped by glibc)\n",
                mib(map->outside_bytes));
}
