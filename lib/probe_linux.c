/* The local memory probe on Linux, and on any system without a file of its
 * own that offers a Linux-style /proc: lib/probe.c reads and parses it. */
#include "probe.h"

exoplace_status exoplace__probe_system_memory(exoplace_node_memory *mem, const exoplace_probe_options *options,
                                              exoplace_error *err)
{
    return exoplace__probe_proc_memory(mem, "/proc", options, err);
}
