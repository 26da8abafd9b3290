/*
 * The local memory probe (placement.md section 7): describes this machine as
 * an exo node, its id, memory profile and network interfaces, in the structs
 * of exoplace.h (lib/probe_json.c writes them as exo's JSON).
 *
 * This file holds what every platform shares: the options, the parsers of a
 * Linux-style tree (<proc_root>/meminfo and <proc_root>/pressure/memory,
 * PSI), the host name and the interfaces (getifaddrs). The system's own
 * source when no proc_root is given lives in probe_linux.c (/proc) or
 * probe_macos.c (sysctl); a proc_root reads the tree on every platform, so
 * that the same fixture trees test the parsers everywhere.
 *
 * Choices a reader would otherwise have to guess:
 * - meminfo: the keys used must be "<digits> kB"; a duplicate, an overflow or
 *   a value past INT64_MAX bytes (JSON integers are int64) is E_PROBE naming
 *   the file and the key. MemTotal is required and non-zero; without
 *   MemAvailable, MemFree + Buffers + Cached (all three required); without
 *   SwapTotal/SwapFree, no swap. Available is clamped to total and swap free
 *   to swap total, since the old-kernel sum and container views can overshoot.
 * - PSI: absent (ENOENT, or EOPNOTSUPP from kernels where PSI is compiled in
 *   but disabled) means no pressure information, so the key is omitted.
 *   Present, it must be exactly a "some" and a "full" line, each of
 *   "name=number" tokens with avg10 among them and every avg* within 0..100;
 *   anything else is E_PROBE: a level guessed from a file we do not
 *   understand would steer placement silently.
 * - Network interfaces: every IPv4 and IPv6 address of every non-loopback
 *   interface, in getifaddrs() order, one {"name", "ipAddress"} per address
 *   as exo lists them. Loopback is left out because no other node can reach
 *   it. IPv6 addresses carry no "%scope": the name is already in the entry.
 *   Names that are not UTF-8 cannot become a node's text and are skipped.
 * - Options: struct_size must be this header's size; thresholds must be
 *   non-negative and not NaN (+inf switches a rule off); node_id, when set,
 *   must be non-empty UTF-8 of at most EXOPLACE_MAX_ID_BYTES, since the
 *   topology would refuse anything else. All E_INVALID_ARGUMENT.
 */
#ifdef __APPLE__
/* The project-wide _POSIX_C_SOURCE hides the BSD types (u_int) that
 * <net/if.h> needs on Darwin. Must precede every include. */
#define _DARWIN_C_SOURCE
#endif
#include "probe.h"

#include "error.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "alloc.h"

/* /proc files are a few KiB; the bound keeps a hostile proc_root from
 * making us read without end. */
#define PROBE_MAX_FILE_BYTES (64u * 1024u)
#define PROBE_MAX_PATH_BYTES 4096u
/* POSIX allows 255; a larger buffer costs nothing. */
#define PROBE_HOST_NAME_BYTES 1024u

void exoplace_probe_options_init(exoplace_probe_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = (uint32_t)sizeof *options;
    options->proc_root = NULL;
    options->node_id = NULL;
    options->warn_some_avg10 = 10.0;
    options->critical_some_avg10 = 25.0;
    options->critical_full_avg10 = 10.0;
}

/* ---- small helpers ---------------------------------------------------- */

const char *exoplace__probe_errno_text(int e, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, size);
#else
    if (strerror_r(e, buf, size) != 0)
        snprintf(buf, size, "error %d", e);
    return buf;
#endif
}

static exoplace_status join_path(char *dst, const char *root, const char *rel, exoplace_error *err)
{
    size_t n = strlen(root);
    const char *sep = (n > 0 && root[n - 1] == '/') ? "" : "/";
    int w = snprintf(dst, PROBE_MAX_PATH_BYTES, "%s%s%s", root, sep, rel);
    if (w < 0 || (size_t)w >= PROBE_MAX_PATH_BYTES)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.proc_root",
                              "proc_root is too long for a path of %u bytes", PROBE_MAX_PATH_BYTES);
    return EXOPLACE_OK;
}

/* Reads the whole file into buf (capacity PROBE_MAX_FILE_BYTES + 2) and
 * NUL-terminates it. Returns 0 or an errno value; EFBIG when too large. */
static int read_small_file(const char *path, char *buf, size_t *len_out)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errno;

    /* One byte past the limit tells "exactly the limit" from "too large". */
    size_t want = (size_t)PROBE_MAX_FILE_BYTES + 1;
    size_t len = 0;
    int rc = 0;
    while (len < want) {
        ssize_t got = read(fd, buf + len, want - len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = errno;
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    if (rc == 0 && len > PROBE_MAX_FILE_BYTES)
        rc = EFBIG;
    if (rc != 0)
        return rc;
    buf[len] = '\0';
    *len_out = len;
    return 0;
}

static exoplace_status fail_read(exoplace_error *err, const char *path, int e)
{
    char text[128];
    if (e == EFBIG)
        return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: larger than %u bytes", path,
                              PROBE_MAX_FILE_BYTES);
    if (e == ENOMEM)
        return exoplace__fail_no_memory(err);
    return exoplace__fail(err, EXOPLACE_E_PROBE, path, "cannot read %s: %s", path,
                          exoplace__probe_errno_text(e, text, sizeof text));
}

/* Files are text: an embedded NUL would hide the rest from the parsers. */
static exoplace_status check_text(const char *buf, size_t len, const char *path,
                                  exoplace_error *err)
{
    if (memchr(buf, '\0', len))
        return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: contains a NUL byte", path);
    return EXOPLACE_OK;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- meminfo ---------------------------------------------------------- */

enum meminfo_key {
    KEY_MEM_TOTAL,
    KEY_MEM_AVAILABLE,
    KEY_MEM_FREE,
    KEY_BUFFERS,
    KEY_CACHED,
    KEY_SWAP_TOTAL,
    KEY_SWAP_FREE,
    KEY_COUNT
};

static const char *const meminfo_names[KEY_COUNT] = {
    "MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached", "SwapTotal", "SwapFree",
};

/* Parses " <digits> kB" up to eol into bytes. Returns NULL on success, else
 * why it is malformed. Values stay below INT64_MAX bytes so they fit a JSON
 * integer and sums of two never wrap a uint64_t. */
static const char *parse_kb(const char *p, const char *eol, uint64_t *bytes_out)
{
    while (p < eol && is_blank(*p))
        p++;
    if (p == eol || !is_digit(*p))
        return "expected a number";
    uint64_t kb = 0;
    while (p < eol && is_digit(*p)) {
        unsigned d = (unsigned)(*p - '0');
        if (kb > (UINT64_MAX - d) / 10)
            return "value too large";
        kb = kb * 10 + d;
        p++;
    }
    if (p == eol || !is_blank(*p))
        return "expected the unit kB";
    while (p < eol && is_blank(*p))
        p++;
    if (eol - p < 2 || p[0] != 'k' || p[1] != 'B')
        return "expected the unit kB";
    p += 2;
    while (p < eol && is_blank(*p))
        p++;
    if (p != eol)
        return "unexpected text after kB";
    if (kb > (uint64_t)INT64_MAX / 1024u)
        return "value too large";
    *bytes_out = kb * 1024u;
    return NULL;
}

static exoplace_status parse_meminfo(exoplace_node_memory *mem, const char *buf, size_t len,
                                     const char *path, exoplace_error *err)
{
    uint64_t value[KEY_COUNT] = {0};
    int seen[KEY_COUNT] = {0};
    const char *p = buf;
    const char *end = buf + len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            size_t klen = (size_t)(colon - p);
            /* Keys we do not use are not checked: their format is not ours. */
            for (int k = 0; k < KEY_COUNT; k++) {
                if (strlen(meminfo_names[k]) != klen || memcmp(p, meminfo_names[k], klen) != 0)
                    continue;
                if (seen[k])
                    return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: %s appears twice", path,
                                          meminfo_names[k]);
                const char *why = parse_kb(colon + 1, eol, &value[k]);
                if (why)
                    return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: malformed %s: %s", path,
                                          meminfo_names[k], why);
                seen[k] = 1;
                break;
            }
        }
        p = eol + 1;
    }

    if (!seen[KEY_MEM_TOTAL])
        return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: no MemTotal", path);
    if (value[KEY_MEM_TOTAL] == 0)
        return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: MemTotal is 0", path);

    uint64_t available;
    if (seen[KEY_MEM_AVAILABLE]) {
        available = value[KEY_MEM_AVAILABLE];
    } else {
        /* Kernels before 3.14: the classic estimate. */
        static const enum meminfo_key parts[] = {KEY_MEM_FREE, KEY_BUFFERS, KEY_CACHED};
        available = 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            if (!seen[parts[i]])
                return exoplace__fail(err, EXOPLACE_E_PROBE, path,
                                      "%s: neither MemAvailable nor %s", path,
                                      meminfo_names[parts[i]]);
            /* Each part is below INT64_MAX, so the sum cannot wrap before
             * the check. */
            available += value[parts[i]];
            if (available > (uint64_t)INT64_MAX)
                return exoplace__fail(err, EXOPLACE_E_PROBE, path,
                                      "%s: MemFree + Buffers + Cached too large", path);
        }
    }

    mem->ram_total = value[KEY_MEM_TOTAL];
    mem->ram_available = available < mem->ram_total ? available : mem->ram_total;
    mem->swap_total = value[KEY_SWAP_TOTAL];
    mem->swap_available =
        value[KEY_SWAP_FREE] < mem->swap_total ? value[KEY_SWAP_FREE] : mem->swap_total;
    return EXOPLACE_OK;
}

/* ---- PSI -------------------------------------------------------------- */

/* A non-negative decimal "123" or "12.34", parsed by hand because strtod
 * follows the host's LC_NUMERIC and the kernel always writes '.'. */
static int parse_decimal(const char *p, const char *q, double *out)
{
    const char *dot = memchr(p, '.', (size_t)(q - p));
    const char *int_end = dot ? dot : q;
    size_t int_digits = (size_t)(int_end - p);
    /* 20 digits hold any uint64 (PSI's total); more is not a PSI file. */
    if (int_digits == 0 || int_digits > 20)
        return 0;
    double v = 0.0;
    for (const char *c = p; c < int_end; c++) {
        if (!is_digit(*c))
            return 0;
        v = v * 10.0 + (*c - '0');
    }
    if (dot) {
        size_t frac_digits = (size_t)(q - dot - 1);
        if (frac_digits == 0 || frac_digits > 20)
            return 0;
        double scale = 1.0;
        for (const char *c = dot + 1; c < q; c++) {
            if (!is_digit(*c))
                return 0;
            scale /= 10.0;
            v += (*c - '0') * scale;
        }
    }
    *out = v;
    return 1;
}

/* Parses one "some ..." / "full ..." line after its first word into avg10.
 * Returns NULL or why the line is malformed. */
static const char *parse_psi_fields(const char *p, const char *eol, double *avg10_out)
{
    int have_avg10 = 0;
    while (p < eol) {
        if (!is_blank(*p))
            return "expected a space between fields";
        while (p < eol && is_blank(*p))
            p++;
        if (p == eol)
            break;
        const char *tok_end = p;
        while (tok_end < eol && !is_blank(*tok_end))
            tok_end++;
        const char *eq = memchr(p, '=', (size_t)(tok_end - p));
        if (!eq || eq == p)
            return "expected name=value";
        for (const char *c = p; c < eq; c++)
            if (!((*c >= 'a' && *c <= 'z') || is_digit(*c) || *c == '_'))
                return "bad field name";
        double v;
        if (!parse_decimal(eq + 1, tok_end, &v))
            return "bad number";
        size_t nlen = (size_t)(eq - p);
        if (nlen >= 3 && memcmp(p, "avg", 3) == 0 && v > 100.0)
            return "average above 100";
        if (nlen == 5 && memcmp(p, "avg10", 5) == 0) {
            if (have_avg10)
                return "avg10 appears twice";
            have_avg10 = 1;
            *avg10_out = v;
        }
        p = tok_end;
    }
    return have_avg10 ? NULL : "no avg10";
}

static exoplace_status parse_psi(double *some_out, double *full_out, const char *buf, size_t len,
                                 const char *path, exoplace_error *err)
{
    int have_some = 0, have_full = 0;
    unsigned line = 0;
    const char *p = buf;
    const char *end = buf + len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *why;
        if (eol - p >= 4 && memcmp(p, "some", 4) == 0) {
            why = have_some ? "a second some line" : parse_psi_fields(p + 4, eol, some_out);
            have_some = 1;
        } else if (eol - p >= 4 && memcmp(p, "full", 4) == 0) {
            why = have_full ? "a second full line" : parse_psi_fields(p + 4, eol, full_out);
            have_full = 1;
        } else {
            why = "expected a some or full line";
        }
        if (why)
            return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: malformed PSI, line %u: %s",
                                  path, line, why);
        p = eol + 1;
    }
    if (!have_some || !have_full)
        return exoplace__fail(err, EXOPLACE_E_PROBE, path, "%s: malformed PSI: no %s line", path,
                              have_some ? "full" : "some");
    return EXOPLACE_OK;
}

static exoplace_pressure_level psi_level(double some, double full, const exoplace_probe_options *o)
{
    if (full > o->critical_full_avg10 || some > o->critical_some_avg10)
        return EXOPLACE_PRESSURE_CRITICAL;
    if (some > o->warn_some_avg10)
        return EXOPLACE_PRESSURE_WARN;
    return EXOPLACE_PRESSURE_NORMAL;
}

exoplace_status exoplace__probe_proc_memory(exoplace_node_memory *mem, const char *root,
                                            const exoplace_probe_options *o, exoplace_error *err)
{
    char path[PROBE_MAX_PATH_BYTES];
    size_t len = 0;
    exoplace_status st = join_path(path, root, "meminfo", err);
    if (st != EXOPLACE_OK)
        return st;

    char *buf = malloc((size_t)PROBE_MAX_FILE_BYTES + 2);
    if (!buf)
        return exoplace__fail_no_memory(err);

    int e = read_small_file(path, buf, &len);
    if (e != 0) {
        st = fail_read(err, path, e);
        goto done;
    }
    if ((st = check_text(buf, len, path, err)) != EXOPLACE_OK ||
        (st = parse_meminfo(mem, buf, len, path, err)) != EXOPLACE_OK)
        goto done;

    if ((st = join_path(path, root, "pressure/memory", err)) != EXOPLACE_OK)
        goto done;
    e = read_small_file(path, buf, &len);
    if (e == ENOENT || e == EOPNOTSUPP) {
        mem->pressure_level = EXOPLACE_PRESSURE_UNREPORTED;
        goto done;
    }
    if (e != 0) {
        st = fail_read(err, path, e);
        goto done;
    }
    double some = 0.0, full = 0.0;
    if ((st = check_text(buf, len, path, err)) != EXOPLACE_OK ||
        (st = parse_psi(&some, &full, buf, len, path, err)) != EXOPLACE_OK)
        goto done;
    mem->pressure_level = psi_level(some, full, o);

done:
    free(buf);
    return st;
}

/* ---- host name and interfaces ------------------------------------------ */

/* options->node_id, else the host name, as an owned copy. */
static exoplace_status node_id_copy(char **out, const exoplace_probe_options *o, exoplace_error *err)
{
    char host[PROBE_HOST_NAME_BYTES + 1];
    const char *node_id = o->node_id;
    if (!node_id) {
        if (gethostname(host, sizeof host - 1) != 0) {
            int e = errno;
            char text[128];
            return exoplace__fail(err, EXOPLACE_E_PROBE, NULL, "gethostname: %s",
                                  exoplace__probe_errno_text(e, text, sizeof text));
        }
        /* POSIX leaves a truncated name unterminated. */
        host[sizeof host - 1] = '\0';
        if (host[0] == '\0' || !exoplace__utf8_valid(host))
            return exoplace__fail(err, EXOPLACE_E_PROBE, NULL,
                                  "the host name is empty or not UTF-8; set options.node_id");
        node_id = host;
    }
    *out = exoplace__copy_string(node_id);
    return *out ? EXOPLACE_OK : exoplace__fail_no_memory(err);
}

/* Appends one entry to result->interfaces (grown by doubling); 0 when out of memory. */
static int append_interface(exoplace_probe_result *result, size_t *capacity, const char *name, const char *address)
{
    if (result->n_interfaces == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        exoplace_probe_interface *p = realloc(result->interfaces, grown * sizeof *p);
        if (!p)
            return 0;
        result->interfaces = p;
        *capacity = grown;
    }
    exoplace_probe_interface *entry = &result->interfaces[result->n_interfaces];
    entry->name = exoplace__copy_string(name);
    entry->ip_address = exoplace__copy_string(address);
    if (!entry->name || !entry->ip_address) {
        free(entry->name);
        free(entry->ip_address);
        return 0;
    }
    result->n_interfaces++;
    return 1;
}

static exoplace_status probe_interfaces(exoplace_probe_result *result, exoplace_error *err)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) {
        int e = errno;
        char text[128];
        if (e == ENOMEM)
            return exoplace__fail_no_memory(err);
        return exoplace__fail(err, EXOPLACE_E_PROBE, NULL, "getifaddrs: %s",
                              exoplace__probe_errno_text(e, text, sizeof text));
    }
    size_t capacity = 0;
    exoplace_status st = EXOPLACE_OK;
    for (const struct ifaddrs *ifa = list; ifa && st == EXOPLACE_OK; ifa = ifa->ifa_next) {
        char addr[INET6_ADDRSTRLEN];
        const void *raw;
        if (!ifa->ifa_addr || !ifa->ifa_name || (ifa->ifa_flags & IFF_LOOPBACK))
            continue;
        if (ifa->ifa_addr->sa_family == AF_INET)
            raw = &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
        else if (ifa->ifa_addr->sa_family == AF_INET6)
            raw = &((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;
        else
            continue;
        if (!inet_ntop(ifa->ifa_addr->sa_family, raw, addr, sizeof addr) || !exoplace__utf8_valid(ifa->ifa_name))
            continue;
        if (!append_interface(result, &capacity, ifa->ifa_name, addr))
            st = exoplace__fail_no_memory(err);
    }
    freeifaddrs(list);
    return st;
}

/* ---- entry points ------------------------------------------------------ */

static exoplace_status check_threshold(double v, const char *field, exoplace_error *err)
{
    /* +inf is allowed: it switches that rule off. */
    if (isnan(v) || v < 0.0)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, field,
                              "%s must be a non-negative number", field);
    return EXOPLACE_OK;
}

static exoplace_status check_options(const exoplace_probe_options *o, exoplace_error *err)
{
    exoplace_status st;
    if (o->struct_size != sizeof *o)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.struct_size",
                              "options not filled by exoplace_probe_options_init()");
    if (o->proc_root && o->proc_root[0] == '\0')
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.proc_root",
                              "proc_root is empty");
    if (o->node_id) {
        if (o->node_id[0] == '\0')
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.node_id",
                                  "node_id is empty");
        if (strlen(o->node_id) > EXOPLACE_MAX_ID_BYTES)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.node_id",
                                  "node_id is longer than %d bytes", EXOPLACE_MAX_ID_BYTES);
        if (!exoplace__utf8_valid(o->node_id))
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "options.node_id",
                                  "node_id is not UTF-8");
    }
    if ((st = check_threshold(o->warn_some_avg10, "options.warn_some_avg10", err)) != EXOPLACE_OK ||
        (st = check_threshold(o->critical_some_avg10, "options.critical_some_avg10", err)) !=
            EXOPLACE_OK ||
        (st = check_threshold(o->critical_full_avg10, "options.critical_full_avg10", err)) !=
            EXOPLACE_OK)
        return st;
    return EXOPLACE_OK;
}

/* The options to use (the defaults for NULL), checked. */
static exoplace_status options_or_defaults(const exoplace_probe_options **o, exoplace_probe_options *defaults,
                                           exoplace_error *err)
{
    if (!*o) {
        exoplace_probe_options_init(defaults);
        *o = defaults;
    }
    return check_options(*o, err);
}

static exoplace_status read_memory(exoplace_node_memory *mem, const exoplace_probe_options *o, exoplace_error *err)
{
    exoplace_node_memory_init(mem);
    exoplace_status st = o->proc_root ? exoplace__probe_proc_memory(mem, o->proc_root, o, err)
                                      : exoplace__probe_system_memory(mem, o, err);
    if (st != EXOPLACE_OK)
        exoplace_node_memory_init(mem); /* never a half-read profile */
    return st;
}

exoplace_status exoplace_probe_memory(exoplace_node_memory *out, const exoplace_probe_options *options,
                                      exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "out", "out is NULL");
    exoplace_node_memory_init(out);
    exoplace_probe_options defaults;
    exoplace_status st = options_or_defaults(&options, &defaults, err);
    return st != EXOPLACE_OK ? st : read_memory(out, options, err);
}

exoplace_status exoplace_probe_node(exoplace_probe_result *out, const exoplace_probe_options *options,
                                    exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "out", "out is NULL");
    memset(out, 0, sizeof *out);
    exoplace_probe_options defaults;
    exoplace_status st;
    if ((st = options_or_defaults(&options, &defaults, err)) != EXOPLACE_OK ||
        (st = read_memory(&out->memory, options, err)) != EXOPLACE_OK ||
        (st = node_id_copy(&out->node_id, options, err)) != EXOPLACE_OK ||
        (st = probe_interfaces(out, err)) != EXOPLACE_OK) {
        exoplace_probe_result_dispose(out);
        return st;
    }
    return EXOPLACE_OK;
}

void exoplace_probe_result_dispose(exoplace_probe_result *result)
{
    if (!result)
        return;
    free(result->node_id);
    for (size_t i = 0; i < result->n_interfaces; i++) {
        free(result->interfaces[i].name);
        free(result->interfaces[i].ip_address);
    }
    free(result->interfaces);
    memset(result, 0, sizeof *result);
}
