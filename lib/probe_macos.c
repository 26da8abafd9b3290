/* The local memory probe on macOS: sysctl. A proc_root in the options still
 * reads Linux-style files (lib/probe.c), so the fixture trees test the
 * parsers here too. */

/* The project-wide _POSIX_C_SOURCE hides the BSD types (u_int, boolean_t)
 * that <sys/sysctl.h> needs on Darwin. Must precede every include. */
#define _DARWIN_C_SOURCE
#include "probe.h"

#include "error.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <sys/sysctl.h>
#include <sys/types.h>

static exoplace_status sysctl_read(const char *name, void *dst, size_t size, exoplace_error *err)
{
    size_t got = size;
    if (sysctlbyname(name, dst, &got, NULL, 0) != 0) {
        char text[128];
        int e = errno;
        return exoplace__fail(err, EXOPLACE_E_PROBE, name, "sysctl %s: %s", name,
                              exoplace__probe_errno_text(e, text, sizeof text));
    }
    /* A size we did not expect means a layout we cannot trust. */
    if (got != size)
        return exoplace__fail(err, EXOPLACE_E_PROBE, name, "sysctl %s: %zu bytes, expected %zu", name, got, size);
    return EXOPLACE_OK;
}

exoplace_status exoplace__probe_system_memory(exoplace_node_memory *mem, const exoplace_probe_options *options,
                                              exoplace_error *err)
{
    (void)options; /* the PSI thresholds are Linux's; macOS reports a level itself */
    uint64_t memsize = 0;
    struct xsw_usage swap;
    uint32_t level = 0; /* kern.memorystatus_level: percent available, unsigned int */
    int pressure = 0;   /* kern.memorystatus_vm_pressure_level: dispatch level, int */
    exoplace_status st;

    memset(&swap, 0, sizeof swap);
    if ((st = sysctl_read("hw.memsize", &memsize, sizeof memsize, err)) != EXOPLACE_OK ||
        (st = sysctl_read("vm.swapusage", &swap, sizeof swap, err)) != EXOPLACE_OK ||
        (st = sysctl_read("kern.memorystatus_level", &level, sizeof level, err)) != EXOPLACE_OK ||
        (st = sysctl_read("kern.memorystatus_vm_pressure_level", &pressure, sizeof pressure, err)) != EXOPLACE_OK)
        return st;

    if (memsize == 0 || memsize > (uint64_t)INT64_MAX)
        return exoplace__fail(err, EXOPLACE_E_PROBE, "hw.memsize", "sysctl hw.memsize: %llu",
                              (unsigned long long)memsize);
    if (swap.xsu_total > (uint64_t)INT64_MAX)
        return exoplace__fail(err, EXOPLACE_E_PROBE, "vm.swapusage", "sysctl vm.swapusage: %llu",
                              (unsigned long long)swap.xsu_total);
    if (level > 100)
        return exoplace__fail(err, EXOPLACE_E_PROBE, "kern.memorystatus_level",
                              "sysctl kern.memorystatus_level: %u is not a percentage", (unsigned)level);
    /* DISPATCH_MEMORYPRESSURE_NORMAL, _WARN and _CRITICAL. */
    switch (pressure) {
    case 1: mem->pressure_level = EXOPLACE_PRESSURE_NORMAL; break;
    case 2: mem->pressure_level = EXOPLACE_PRESSURE_WARN; break;
    case 4: mem->pressure_level = EXOPLACE_PRESSURE_CRITICAL; break;
    default:
        return exoplace__fail(err, EXOPLACE_E_PROBE, "kern.memorystatus_vm_pressure_level",
                              "sysctl kern.memorystatus_vm_pressure_level: unknown level %d", pressure);
    }

    mem->ram_total = memsize;
    /* total * level / 100 without the product overflowing. */
    mem->ram_available = memsize / 100u * level + memsize % 100u * level / 100u;
    mem->swap_total = swap.xsu_total;
    mem->swap_available = swap.xsu_avail < swap.xsu_total ? swap.xsu_avail : swap.xsu_total;
    mem->free_percent = (int32_t)level;
    return EXOPLACE_OK;
}
