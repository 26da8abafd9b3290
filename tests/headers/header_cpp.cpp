/*
 * The public header on its own, as C++11: extern "C" linkage, no C-only
 * constructs, strict warnings as errors.
 */
#include "exoplace.h"
#include "exoplace.h"

static_assert(EXOPLACE_OK == 0, "EXOPLACE_OK is 0");
static_assert(EXOPLACE_SHARDING_TENSOR == 1, "enum values are pinned");

int main()
{
    exoplace_topology *topology = nullptr;
    exoplace_error err;
    if (exoplace_topology_new(&topology, &err) != EXOPLACE_OK)
        return 1;
    exoplace_node_memory memory;
    exoplace_node_memory_init(&memory);
    exoplace_status st = exoplace_topology_add_node(topology, "a", &memory, &err);
    exoplace_topology_free(topology);
    const char *name = exoplace_status_name(st);
    return st == EXOPLACE_OK && name && exoplace_version()[0] ? 0 : 1;
}
