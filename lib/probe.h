/* The local memory probe, internal: what lib/probe.c shares with the
 * platform files (probe_linux.c, probe_macos.c), one of which is built. */
#ifndef EXOPLACE_PROBE_H
#define EXOPLACE_PROBE_H

#include "exoplace.h"

#include <stddef.h>

/* strerror_r()'s text for errno value e, in buf (strerror() may share a
 * static buffer between threads). */
const char *exoplace__probe_errno_text(int e, char *buf, size_t size);

/* Memory and pressure from a Linux-style tree: <root>/meminfo and
 * <root>/pressure/memory. *mem starts as exoplace_node_memory_init() leaves it. */
exoplace_status exoplace__probe_proc_memory(exoplace_node_memory *mem, const char *root,
                                            const exoplace_probe_options *options, exoplace_error *err);

/* This system's memory when the options name no proc_root: /proc on Linux,
 * sysctl on macOS. Same contract as exoplace__probe_proc_memory(). */
exoplace_status exoplace__probe_system_memory(exoplace_node_memory *mem, const exoplace_probe_options *options,
                                              exoplace_error *err);

#endif
