/* The canonical cycle list for the library's own callers (internal, not
 * installed). */
#ifndef EXOPLACE_CYCLES_H
#define EXOPLACE_CYCLES_H

#include "exoplace.h"

/*
 * Lists every simple cycle once, in canonical order, into arrays the caller
 * frees: cycle c is nodes[starts[c] .. starts[c + 1]) (count + 1 starts).
 * max_cycles 0 is EXOPLACE_DEFAULT_MAX_CYCLES; past it E_TOO_MANY_CYCLES.
 * exoplace_cycle_list() copies this into the caller's buffers.
 */
exoplace_status exoplace__cycles_list_new(size_t **starts_out, size_t **nodes_out, size_t *count_out,
                                          const exoplace_topology *topology, size_t max_cycles, exoplace_error *err);

#endif
