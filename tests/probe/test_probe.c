/*
 * Tests of the local memory probe: exoplace_probe_memory(),
 * exoplace_probe_node(), exoplace_probe_result_json() and
 * exoplace_probe_local().
 *
 * Usage: test_probe FIXTURES_DIR
 *
 * Every directory under FIXTURES_DIR is one case, a /proc tree (meminfo and,
 * optionally, pressure/memory) plus what the probe must make of it:
 * - expected.json: the "memory" object of exo's node document; the probe's
 *   exoplace_node_memory must hold exactly those values, and the JSON the
 *   library writes for the result must contain exactly that object;
 * - error: three lines, the status name, a piece of the message, and the
 *   file (relative to the case) that must be named in err.field.
 * Adding a case is adding a directory. The tests after the table check what
 * data cannot: options, thresholds, the host name, interfaces and the real
 * /proc of the machine running the tests.
 */
#ifdef __APPLE__
/* The project-wide _POSIX_C_SOURCE hides the BSD types (u_int, boolean_t)
 * that <sys/sysctl.h> and <net/if.h> need on Darwin. Must precede every include. */
#define _DARWIN_C_SOURCE
#endif
#include "exoplace.h"

#include <check.h>
#include <jansson.h>

/* The internal library is built with the allocation seam; this file's own
 * allocations stay the C library's. */
#define EXOPLACE_ALLOC_SEAM
#include "alloc.h"
#undef malloc
#undef calloc
#undef realloc

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CASES 128

/* Set once in main() before any test runs, read-only afterwards. */
static const char *fixtures;
static char *cases[MAX_CASES];
static int n_cases;

static char *case_path(const char *name, const char *rel)
{
    size_t n = strlen(fixtures) + strlen(name) + (rel ? strlen(rel) : 0) + 3;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s%s%s", fixtures, name, rel ? "/" : "", rel ? rel : "");
    return p;
}

/* Whole file, NUL-terminated; NULL when it does not exist. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* The options of a fixture case: `opts` (NULL: defaults with a fixed id)
 * with proc_root set to the case's tree, which *root_out owns. */
static exoplace_probe_options case_options(char **root_out, const char *name, const exoplace_probe_options *opts)
{
    exoplace_probe_options o;
    if (opts) {
        o = *opts;
    } else {
        exoplace_probe_options_init(&o);
        o.node_id = "test-node";
    }
    *root_out = case_path(name, NULL);
    o.proc_root = *root_out;
    return o;
}

/* Probes a fixture case into a result. */
static exoplace_status probe_case(exoplace_probe_result *out, const char *name, const exoplace_probe_options *opts,
                                  exoplace_error *err)
{
    char *root;
    exoplace_probe_options o = case_options(&root, name, opts);
    exoplace_status st = exoplace_probe_node(out, &o, err);
    free(root);
    return st;
}

/* Probes a fixture case's memory only. */
static exoplace_status probe_case_memory(exoplace_node_memory *out, const char *name,
                                         const exoplace_probe_options *opts, exoplace_error *err)
{
    char *root;
    exoplace_probe_options o = case_options(&root, name, opts);
    exoplace_status st = exoplace_probe_memory(out, &o, err);
    free(root);
    return st;
}

static exoplace_probe_result probe_ok(const char *name, const exoplace_probe_options *opts)
{
    exoplace_probe_result result;
    exoplace_error err;
    exoplace_status st = probe_case(&result, name, opts, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s: %s", name, exoplace_status_name(st), err.message);
    ck_assert_int_eq(err.code, EXOPLACE_OK);
    ck_assert_ptr_nonnull(result.node_id);
    ck_assert(result.n_interfaces == 0 || result.interfaces != NULL);
    return result;
}

/* Asserts the probe's two memory calls agree, and returns the profile. */
static exoplace_node_memory memory_ok(const char *name, const exoplace_probe_options *opts)
{
    exoplace_probe_result result = probe_ok(name, opts);
    exoplace_node_memory memory;
    exoplace_error err;
    ck_assert_int_eq(probe_case_memory(&memory, name, opts, &err), EXOPLACE_OK);
    ck_assert(memcmp(&memory, &result.memory, sizeof memory) == 0);
    exoplace_probe_result_dispose(&result);
    return memory;
}

/* exo's node document for a result: the library's JSON, checked for shape,
 * and for being written exactly as jansson's compact dump of it would be
 * (the layout `exoplace probe --json` has always printed). */
static json_t *result_json(const exoplace_probe_result *result)
{
    char *text = NULL;
    exoplace_error err;
    exoplace_status st = exoplace_probe_result_json(&text, result, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s", exoplace_status_name(st), err.message);
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    ck_assert_msg(root != NULL, "probe output is not JSON: %s (%s)", jerr.text, text);
    char *again = json_dumps(root, JSON_COMPACT);
    ck_assert_str_eq(text, again);
    free(again);
    exoplace_free(text);
    ck_assert(json_is_object(root));
    ck_assert_int_eq(json_object_size(root), 2);
    ck_assert_str_eq(json_string_value(json_object_get(root, "nodeId")), result->node_id);
    json_t *profile = json_object_get(root, "nodeProfile");
    ck_assert(json_is_object(profile));
    ck_assert_int_eq(json_object_size(profile), 2);
    ck_assert(json_is_object(json_object_get(profile, "memory")));
    json_t *interfaces = json_object_get(profile, "networkInterfaces");
    ck_assert(json_is_array(interfaces));
    ck_assert_uint_eq(json_array_size(interfaces), result->n_interfaces);
    for (size_t i = 0; i < result->n_interfaces; i++) {
        json_t *entry = json_array_get(interfaces, i);
        ck_assert_int_eq(json_object_size(entry), 2);
        ck_assert_str_eq(json_string_value(json_object_get(entry, "name")), result->interfaces[i].name);
        ck_assert_str_eq(json_string_value(json_object_get(entry, "ipAddress")), result->interfaces[i].ip_address);
    }
    return root;
}

static json_t *memory_of(json_t *root)
{
    return json_object_get(json_object_get(root, "nodeProfile"), "memory");
}

/* The exoplace_node_memory an expected.json describes. */
static exoplace_node_memory memory_from_json(const char *name, json_t *memory)
{
    static const struct {
        const char *key;
        size_t offset;
    } bytes[] = {
        {"ramTotal", offsetof(exoplace_node_memory, ram_total)},
        {"ramAvailable", offsetof(exoplace_node_memory, ram_available)},
        {"swapTotal", offsetof(exoplace_node_memory, swap_total)},
        {"swapAvailable", offsetof(exoplace_node_memory, swap_available)},
    };
    exoplace_node_memory m;
    exoplace_node_memory_init(&m);
    for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
        json_t *v = json_object_get(json_object_get(memory, bytes[i].key), "inBytes");
        ck_assert_msg(json_is_integer(v) && json_integer_value(v) >= 0, "%s: %s.inBytes", name, bytes[i].key);
        uint64_t value = (uint64_t)json_integer_value(v);
        memcpy((char *)&m + bytes[i].offset, &value, sizeof value);
    }
    json_t *level = json_object_get(memory, "pressureLevel");
    if (level) {
        int known = 0;
        for (int l = EXOPLACE_PRESSURE_NORMAL; l <= EXOPLACE_PRESSURE_CRITICAL; l++)
            if (strcmp(json_string_value(level), exoplace_pressure_level_name((exoplace_pressure_level)l)) == 0) {
                m.pressure_level = (exoplace_pressure_level)l;
                known = 1;
            }
        ck_assert_msg(known, "%s: pressureLevel %s", name, json_string_value(level));
    }
    json_t *free_percent = json_object_get(memory, "freePercent");
    if (free_percent)
        m.free_percent = (int32_t)json_integer_value(free_percent);
    return m;
}

static void assert_memory_eq(const exoplace_node_memory *got, const exoplace_node_memory *want, const char *name)
{
    ck_assert_msg(got->ram_total == want->ram_total, "%s: ram_total %llu", name, (unsigned long long)got->ram_total);
    ck_assert_msg(got->ram_available == want->ram_available, "%s: ram_available %llu", name,
                  (unsigned long long)got->ram_available);
    ck_assert_msg(got->swap_total == want->swap_total, "%s: swap_total %llu", name,
                  (unsigned long long)got->swap_total);
    ck_assert_msg(got->swap_available == want->swap_available, "%s: swap_available %llu", name,
                  (unsigned long long)got->swap_available);
    ck_assert_msg(got->pressure_level == want->pressure_level, "%s: pressure_level %d", name, (int)got->pressure_level);
    ck_assert_msg(got->free_percent == want->free_percent, "%s: free_percent %d", name, (int)got->free_percent);
}

/* ---- the case table --------------------------------------------------- */

static void check_expected(const char *name, const char *expected_text)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_text, 0, &jerr);
    ck_assert_msg(expected != NULL, "%s/expected.json: %s", name, jerr.text);
    exoplace_node_memory want = memory_from_json(name, expected);
    exoplace_node_memory got = memory_ok(name, NULL);
    assert_memory_eq(&got, &want, name);

    exoplace_probe_result result = probe_ok(name, NULL);
    ck_assert_str_eq(result.node_id, "test-node");
    json_t *root = result_json(&result);
    char *text = json_dumps(memory_of(root), JSON_COMPACT);
    ck_assert_msg(json_equal(memory_of(root), expected), "%s: memory is %s", name, text);
    free(text);
    json_decref(root);
    exoplace_probe_result_dispose(&result);
    json_decref(expected);
}

static void check_error(const char *name, char *spec)
{
    /* Lines: status name, message piece, offending file. */
    char *code = strtok(spec, "\n");
    char *piece = strtok(NULL, "\n");
    char *file = strtok(NULL, "\n");
    ck_assert_msg(code && piece && file, "%s/error needs three lines", name);
    char *path = case_path(name, file);

    exoplace_probe_result result;
    memset(&result, 0x5a, sizeof result); /* must come back zeroed */
    exoplace_error err;
    exoplace_status st = probe_case(&result, name, NULL, &err);
    ck_assert_msg(st != EXOPLACE_OK, "%s: probe succeeded", name);
    ck_assert_ptr_null(result.node_id);
    ck_assert_ptr_null(result.interfaces);
    ck_assert_uint_eq(result.n_interfaces, 0);
    ck_assert_int_eq(err.code, st);
    ck_assert_str_eq(exoplace_status_name(st), code);
    ck_assert_msg(strstr(err.message, piece) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.message, piece);
    ck_assert_str_eq(err.field, path);
    ck_assert_msg(strstr(err.message, path) != NULL, "%s: message \"%s\" does not name %s", name, err.message, path);

    /* The memory call fails the same way and leaves no half-read profile. */
    exoplace_node_memory memory, untouched;
    memset(&memory, 0x5a, sizeof memory);
    exoplace_node_memory_init(&untouched);
    exoplace_error err2;
    ck_assert_int_eq(probe_case_memory(&memory, name, NULL, &err2), st);
    ck_assert_str_eq(err2.message, err.message);
    ck_assert_str_eq(err2.field, err.field);
    ck_assert(memcmp(&memory, &untouched, sizeof memory) == 0);
    free(path);
}

START_TEST(fixture_case_gives_expected_memory_or_error)
{
    const char *name = cases[_i];
    char *exp_path = case_path(name, "expected.json");
    char *err_path = case_path(name, "error");
    char *expected = slurp(exp_path);
    char *error = slurp(err_path);
    ck_assert_msg((expected != NULL) != (error != NULL),
                  "%s: needs exactly one of expected.json and error", name);
    if (expected)
        check_expected(name, expected);
    else
        check_error(name, error);
    free(expected);
    free(error);
    free(exp_path);
    free(err_path);
}
END_TEST

/* ---- thresholds ------------------------------------------------------- */

START_TEST(raised_warn_threshold_makes_warn_case_normal)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.warn_some_avg10 = 20.0; /* the case's some avg10 is 15.25 */
    ck_assert_int_eq(memory_ok("psi_warn", &o).pressure_level, EXOPLACE_PRESSURE_NORMAL);
}
END_TEST

START_TEST(lowered_critical_some_threshold_makes_warn_case_critical)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.critical_some_avg10 = 15.0;
    ck_assert_int_eq(memory_ok("psi_warn", &o).pressure_level, EXOPLACE_PRESSURE_CRITICAL);
}
END_TEST

START_TEST(lowered_critical_full_threshold_makes_normal_case_critical)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.critical_full_avg10 = 0.25; /* full avg10 is 0.50 */
    ck_assert_int_eq(memory_ok("psi_normal", &o).pressure_level, EXOPLACE_PRESSURE_CRITICAL);
}
END_TEST

START_TEST(infinite_critical_thresholds_switch_critical_off)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.critical_some_avg10 = INFINITY;
    o.critical_full_avg10 = INFINITY;
    ck_assert_int_eq(memory_ok("psi_critical_some", &o).pressure_level, EXOPLACE_PRESSURE_WARN);
    ck_assert_int_eq(memory_ok("psi_critical_full", &o).pressure_level, EXOPLACE_PRESSURE_NORMAL);
}
END_TEST

START_TEST(zero_thresholds_make_any_pressure_count)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.warn_some_avg10 = 0.0;
    o.critical_some_avg10 = 100.0;
    o.critical_full_avg10 = 100.0;
    ck_assert_int_eq(memory_ok("psi_normal", &o).pressure_level, EXOPLACE_PRESSURE_WARN);
}
END_TEST

static const struct {
    size_t offset;
    const char *field;
} thresholds[] = {
    {offsetof(exoplace_probe_options, warn_some_avg10), "options.warn_some_avg10"},
    {offsetof(exoplace_probe_options, critical_some_avg10), "options.critical_some_avg10"},
    {offsetof(exoplace_probe_options, critical_full_avg10), "options.critical_full_avg10"},
};

START_TEST(negative_or_nan_threshold_is_invalid_argument)
{
    const double bad[] = {-1.0, -INFINITY, NAN, -0.001};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        exoplace_probe_options o;
        exoplace_probe_options_init(&o);
        o.node_id = "n";
        double value = bad[b];
        memcpy((char *)&o + thresholds[_i].offset, &value, sizeof value);
        exoplace_probe_result result;
        exoplace_error err;
        ck_assert_int_eq(probe_case(&result, "psi_normal", &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_ptr_null(result.node_id);
        ck_assert_str_eq(err.field, thresholds[_i].field);
        exoplace_node_memory memory;
        ck_assert_int_eq(probe_case_memory(&memory, "psi_normal", &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_str_eq(err.field, thresholds[_i].field);
    }
}
END_TEST

/* ---- options and arguments -------------------------------------------- */

START_TEST(options_init_sets_documented_defaults)
{
    exoplace_probe_options o;
    memset(&o, 0xAB, sizeof o);
    exoplace_probe_options_init(&o);
    ck_assert_uint_eq(o.struct_size, sizeof o);
    ck_assert_ptr_null(o.proc_root);
    ck_assert_ptr_null(o.node_id);
    ck_assert(o.warn_some_avg10 == 10.0);
    ck_assert(o.critical_some_avg10 == 25.0);
    ck_assert(o.critical_full_avg10 == 10.0);
    exoplace_probe_options_init(NULL); /* accepted, does nothing */
}
END_TEST

START_TEST(null_out_is_invalid_argument)
{
    exoplace_error err;
    ck_assert_int_eq(exoplace_probe_local(NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "out");
    ck_assert_int_eq(exoplace_probe_local(NULL, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_probe_memory(NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "out");
    ck_assert_int_eq(exoplace_probe_node(NULL, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "out");
    exoplace_probe_result result;
    memset(&result, 0, sizeof result);
    result.node_id = "n";
    ck_assert_int_eq(exoplace_probe_result_json(NULL, &result, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "out");
    char *text = NULL;
    ck_assert_int_eq(exoplace_probe_result_json(&text, NULL, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "result");
    ck_assert_ptr_null(text);
}
END_TEST

START_TEST(options_not_from_init_are_invalid_argument)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.struct_size = 0;
    exoplace_probe_result result;
    exoplace_error err;
    ck_assert_int_eq(probe_case(&result, "psi_normal", &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "options.struct_size");
    ck_assert_ptr_null(result.node_id);
}
END_TEST

START_TEST(empty_proc_root_is_invalid_argument)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.proc_root = "";
    char *out = NULL;
    exoplace_error err;
    ck_assert_int_eq(exoplace_probe_local(&out, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "options.proc_root");
    ck_assert_ptr_null(out);
    exoplace_node_memory memory;
    ck_assert_int_eq(exoplace_probe_memory(&memory, &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_str_eq(err.field, "options.proc_root");
}
END_TEST

START_TEST(bad_node_id_is_invalid_argument)
{
    static char long_id[EXOPLACE_MAX_ID_BYTES + 2];
    memset(long_id, 'x', EXOPLACE_MAX_ID_BYTES + 1);
    const char *bad[] = {"", "\xff", "a\xc0\x80", "\xed\xa0\x80", long_id};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exoplace_probe_options o;
        exoplace_probe_options_init(&o);
        o.node_id = bad[i];
        exoplace_probe_result result;
        exoplace_error err;
        ck_assert_int_eq(probe_case(&result, "psi_normal", &o, &err), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_str_eq(err.field, "options.node_id");
        ck_assert_ptr_null(result.node_id);
    }
}
END_TEST

START_TEST(node_id_is_escaped_in_json)
{
    const char *id = "a\"b\\c\nd \xc3\xa9 \xf0\x9f\x98\x80";
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = id;
    exoplace_probe_result result = probe_ok("psi_normal", &o);
    ck_assert_str_eq(result.node_id, id);
    ck_assert_ptr_ne(result.node_id, id); /* a copy the result owns */
    json_decref(result_json(&result)); /* nodeId read back equal to the id */
    exoplace_probe_result_dispose(&result);

    static char max_id[EXOPLACE_MAX_ID_BYTES + 1];
    memset(max_id, 'y', EXOPLACE_MAX_ID_BYTES);
    o.node_id = max_id;
    result = probe_ok("psi_normal", &o);
    ck_assert_str_eq(result.node_id, max_id);
    json_decref(result_json(&result));
    exoplace_probe_result_dispose(&result);
}
END_TEST

START_TEST(node_id_defaults_to_host_name)
{
    char host[1025] = {0};
    ck_assert_int_eq(gethostname(host, sizeof host - 1), 0);
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    exoplace_probe_result result = probe_ok("psi_normal", &o);
    ck_assert_str_eq(result.node_id, host);
    exoplace_probe_result_dispose(&result);
}
END_TEST

START_TEST(missing_meminfo_is_probe_error_naming_file)
{
    exoplace_probe_result result;
    exoplace_error err;
    ck_assert_int_eq(probe_case(&result, "no_such_case", NULL, &err), EXOPLACE_E_PROBE);
    ck_assert_ptr_null(result.node_id);
    ck_assert_msg(strstr(err.message, "no_such_case/meminfo") != NULL, "%s", err.message);
    /* NULL err is accepted on failure too. */
    ck_assert_int_eq(probe_case(&result, "no_such_case", NULL, NULL), EXOPLACE_E_PROBE);
    char *root = case_path("no_such_case", NULL);
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.proc_root = root;
    char *out = NULL;
    ck_assert_int_eq(exoplace_probe_local(&out, &o, &err), EXOPLACE_E_PROBE);
    ck_assert_ptr_null(out);
    free(root);
}
END_TEST

START_TEST(success_clears_a_stale_error)
{
    exoplace_error err;
    err.code = EXOPLACE_E_LIMIT;
    strcpy(err.message, "stale");
    strcpy(err.field, "stale");
    exoplace_probe_result result;
    ck_assert_int_eq(probe_case(&result, "psi_normal", NULL, &err), EXOPLACE_OK);
    ck_assert_int_eq(err.code, EXOPLACE_OK);
    ck_assert_str_eq(err.message, "");
    ck_assert_str_eq(err.field, "");
    strcpy(err.message, "stale");
    char *text = NULL;
    ck_assert_int_eq(exoplace_probe_result_json(&text, &result, &err), EXOPLACE_OK);
    ck_assert_str_eq(err.message, "");
    exoplace_free(text);
    exoplace_probe_result_dispose(&result);
}
END_TEST

START_TEST(trailing_slash_in_proc_root_is_accepted)
{
    char *root = case_path("psi_warn", NULL);
    size_t n = strlen(root);
    char *slashed = malloc(n + 2);
    ck_assert_ptr_nonnull(slashed);
    memcpy(slashed, root, n);
    memcpy(slashed + n, "/", 2);
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.proc_root = slashed;
    exoplace_node_memory memory;
    exoplace_error err;
    ck_assert_int_eq(exoplace_probe_memory(&memory, &o, &err), EXOPLACE_OK);
    ck_assert_int_eq(memory.pressure_level, EXOPLACE_PRESSURE_WARN);
    free(slashed);
    free(root);
}
END_TEST

/* ---- files the fixture tree cannot hold -------------------------------- */

/* A scratch /proc tree, removed by the test that made it. */
static char *scratch_tree(void)
{
    const char *tmp = getenv("TMPDIR");
    size_t n = strlen(tmp ? tmp : "/tmp") + 32;
    char *dir = malloc(n);
    ck_assert_ptr_nonnull(dir);
    snprintf(dir, n, "%s/exoplace-probe-XXXXXX", tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static char *scratch_file(const char *dir, const char *rel, const char *text, size_t len)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return p;
}

static const char small_meminfo[] = "MemTotal: 1000 kB\nMemAvailable: 500 kB\n";

static exoplace_status probe_dir(const char *dir, exoplace_error *err)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.proc_root = dir;
    exoplace_node_memory memory;
    return exoplace_probe_memory(&memory, &o, err);
}

START_TEST(meminfo_larger_than_64k_is_probe_error)
{
    char *dir = scratch_tree();
    size_t len = 64u * 1024u + 1u;
    char *big = malloc(len);
    ck_assert_ptr_nonnull(big);
    memset(big, '\n', len);
    memcpy(big, small_meminfo, sizeof small_meminfo - 1);
    char *file = scratch_file(dir, "meminfo", big, len);
    exoplace_error err;
    ck_assert_int_eq(probe_dir(dir, &err), EXOPLACE_E_PROBE);
    ck_assert_msg(strstr(err.message, "larger than") != NULL, "%s", err.message);
    ck_assert_str_eq(err.field, file);

    /* Exactly at the limit is still read. */
    free(file);
    file = scratch_file(dir, "meminfo", big, len - 1);
    ck_assert_int_eq(probe_dir(dir, &err), EXOPLACE_OK);

    unlink(file);
    rmdir(dir);
    free(file);
    free(big);
    free(dir);
}
END_TEST

START_TEST(nul_byte_in_meminfo_is_probe_error)
{
    char *dir = scratch_tree();
    static const char text[] = "MemTotal: 1000 kB\n\0MemAvailable: 500 kB\n";
    char *file = scratch_file(dir, "meminfo", text, sizeof text - 1);
    exoplace_error err;
    ck_assert_int_eq(probe_dir(dir, &err), EXOPLACE_E_PROBE);
    ck_assert_msg(strstr(err.message, "NUL") != NULL, "%s", err.message);
    unlink(file);
    rmdir(dir);
    free(file);
    free(dir);
}
END_TEST

START_TEST(unreadable_psi_other_than_absent_is_probe_error)
{
    /* pressure/memory is a directory: read() fails with EISDIR, which is
     * not "PSI absent". */
    char *dir = scratch_tree();
    char *file = scratch_file(dir, "meminfo", small_meminfo, sizeof small_meminfo - 1);
    size_t n = strlen(dir) + 32;
    char *pdir = malloc(n), *mdir = malloc(n);
    ck_assert(pdir && mdir);
    snprintf(pdir, n, "%s/pressure", dir);
    snprintf(mdir, n, "%s/pressure/memory", dir);
    ck_assert_int_eq(mkdir(pdir, 0700), 0);
    ck_assert_int_eq(mkdir(mdir, 0700), 0);
    exoplace_error err;
    ck_assert_int_eq(probe_dir(dir, &err), EXOPLACE_E_PROBE);
    ck_assert_str_eq(err.field, mdir);
    rmdir(mdir);
    rmdir(pdir);
    unlink(file);
    rmdir(dir);
    free(mdir);
    free(pdir);
    free(file);
    free(dir);
}
END_TEST

START_TEST(psi_without_trailing_newline_is_accepted)
{
    char *dir = scratch_tree();
    char *file = scratch_file(dir, "meminfo", small_meminfo, sizeof small_meminfo - 1);
    size_t n = strlen(dir) + 32;
    char *pdir = malloc(n);
    ck_assert_ptr_nonnull(pdir);
    snprintf(pdir, n, "%s/pressure", dir);
    ck_assert_int_eq(mkdir(pdir, 0700), 0);
    static const char psi[] = "some avg10=12.00 avg60=0.00 avg300=0.00 total=0\n"
                              "full avg10=0.00 avg60=0.00 avg300=0.00 total=0";
    char *pfile = scratch_file(dir, "pressure/memory", psi, sizeof psi - 1);
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.proc_root = dir;
    exoplace_node_memory memory;
    ck_assert_int_eq(exoplace_probe_memory(&memory, &o, NULL), EXOPLACE_OK);
    ck_assert_int_eq(memory.pressure_level, EXOPLACE_PRESSURE_WARN);
    ck_assert_uint_eq(memory.ram_total, 1024000u);
    ck_assert_uint_eq(memory.swap_total, 0u);
    unlink(pfile);
    rmdir(pdir);
    unlink(file);
    rmdir(dir);
    free(pfile);
    free(pdir);
    free(file);
    free(dir);
}
END_TEST

/* ---- interfaces ------------------------------------------------------- */

START_TEST(interfaces_are_the_non_loopback_ip_addresses)
{
    struct ifaddrs *list = NULL;
    ck_assert_int_eq(getifaddrs(&list), 0);
    size_t expected = 0;
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next)
        if (ifa->ifa_addr && !(ifa->ifa_flags & IFF_LOOPBACK) &&
            (ifa->ifa_addr->sa_family == AF_INET || ifa->ifa_addr->sa_family == AF_INET6))
            expected++;

    exoplace_probe_result result = probe_ok("psi_normal", NULL);
    ck_assert_uint_eq(result.n_interfaces, expected);
    /* The JSON lists the same entries in the same order. */
    json_decref(result_json(&result));
    for (size_t i = 0; i < result.n_interfaces; i++) {
        const char *name = result.interfaces[i].name;
        const char *ip = result.interfaces[i].ip_address;
        ck_assert(name && *name && ip);
        unsigned char buf[sizeof(struct in6_addr)];
        ck_assert_msg(inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1,
                      "not an address: %s", ip);
        ck_assert_str_ne(ip, "127.0.0.1");
        ck_assert_str_ne(ip, "::1");
        /* The entry names an interface that really has that address. */
        int found = 0;
        for (struct ifaddrs *ifa = list; ifa && !found; ifa = ifa->ifa_next) {
            char text[INET6_ADDRSTRLEN];
            const void *raw;
            if (!ifa->ifa_addr || strcmp(ifa->ifa_name, name) != 0)
                continue;
            if (ifa->ifa_addr->sa_family == AF_INET)
                raw = &((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr;
            else if (ifa->ifa_addr->sa_family == AF_INET6)
                raw = &((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->sin6_addr;
            else
                continue;
            found = inet_ntop(ifa->ifa_addr->sa_family, raw, text, sizeof text) &&
                    strcmp(text, ip) == 0;
        }
        ck_assert_msg(found, "%s %s is not an address of this machine", name, ip);
    }
    freeifaddrs(list);
    exoplace_probe_result_dispose(&result);
}
END_TEST

/* ---- the result and its JSON ------------------------------------------ */

static exoplace_probe_interface sample_interfaces[] = {
    {"en0", "192.0.2.7"},
    {"bridge\xc3\xa9", "fe80::1"},
};

static exoplace_probe_result sample_result(void)
{
    exoplace_probe_result r;
    memset(&r, 0, sizeof r);
    r.node_id = "mac-\xf0\x9f\x98\x80";
    exoplace_node_memory_init(&r.memory);
    r.memory.ram_total = (uint64_t)INT64_MAX;
    r.memory.ram_available = 1;
    r.memory.swap_total = 4096;
    r.memory.swap_available = 0;
    r.memory.pressure_level = EXOPLACE_PRESSURE_CRITICAL;
    r.memory.free_percent = 37;
    r.interfaces = sample_interfaces;
    r.n_interfaces = 2;
    return r;
}

START_TEST(result_json_carries_every_field)
{
    exoplace_probe_result r = sample_result();
    json_t *root = result_json(&r);
    exoplace_node_memory read_back = memory_from_json("sample", memory_of(root));
    assert_memory_eq(&read_back, &r.memory, "sample");
    ck_assert_int_eq(json_object_size(memory_of(root)), 6);
    json_decref(root);

    /* Unreported pressure and free percent leave their keys out. */
    r.memory.pressure_level = EXOPLACE_PRESSURE_UNREPORTED;
    r.memory.free_percent = -1;
    r.n_interfaces = 0;
    r.interfaces = NULL;
    root = result_json(&r);
    ck_assert_int_eq(json_object_size(memory_of(root)), 4);
    read_back = memory_from_json("sample", memory_of(root));
    assert_memory_eq(&read_back, &r.memory, "sample");
    json_decref(root);
}
END_TEST

START_TEST(result_json_refuses_what_is_not_a_node)
{
    static const struct {
        const char *field;
        int which;
    } bad[] = {
        {"result.node_id", 0},
        {"result.node_id", 1},
        {"result.memory.pressure_level", 2},
        {"result.memory.free_percent", 3},
        {"result.memory.free_percent", 4},
        {"result.interfaces", 5},
        {"result.interfaces[1].name", 6},
        {"result.interfaces[0].ip_address", 7},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        exoplace_probe_result r = sample_result();
        exoplace_probe_interface interfaces[2] = {sample_interfaces[0], sample_interfaces[1]};
        r.interfaces = interfaces;
        switch (bad[i].which) {
        case 0: r.node_id = NULL; break;
        case 1: r.node_id = "a\xc0\x80"; break;
        case 2: r.memory.pressure_level = (exoplace_pressure_level)9; break;
        case 3: r.memory.free_percent = 101; break;
        case 4: r.memory.free_percent = -2; break;
        case 5: r.interfaces = NULL; break;
        case 6: interfaces[1].name = "\xff"; break;
        case 7: interfaces[0].ip_address = NULL; break;
        }
        static char sentinel[] = "sentinel";
        char *text = sentinel;
        exoplace_error err;
        ck_assert_int_eq(exoplace_probe_result_json(&text, &r, &err), EXOPLACE_E_INVALID_ARGUMENT);
        ck_assert_ptr_null(text);
        ck_assert_str_eq(err.field, bad[i].field);
    }
}
END_TEST

START_TEST(probe_local_is_the_result_as_json)
{
    exoplace_probe_result result = probe_ok("psi_warn", NULL);
    char *from_result = NULL, *local = NULL;
    ck_assert_int_eq(exoplace_probe_result_json(&from_result, &result, NULL), EXOPLACE_OK);
    char *root;
    exoplace_probe_options o = case_options(&root, "psi_warn", NULL);
    ck_assert_int_eq(exoplace_probe_local(&local, &o, NULL), EXOPLACE_OK);
    ck_assert_str_eq(local, from_result);
    exoplace_free(local);
    exoplace_free(from_result);
    free(root);
    exoplace_probe_result_dispose(&result);
}
END_TEST

START_TEST(dispose_zeroes_and_accepts_null)
{
    exoplace_probe_result result = probe_ok("psi_normal", NULL);
    exoplace_probe_result_dispose(&result);
    ck_assert_ptr_null(result.node_id);
    ck_assert_ptr_null(result.interfaces);
    ck_assert_uint_eq(result.n_interfaces, 0);
    exoplace_probe_result_dispose(&result); /* a zeroed result: nothing to free */
    exoplace_probe_result_dispose(NULL);
}
END_TEST

START_TEST(probe_fails_cleanly_at_every_allocation)
{
    /* Each allocation in turn fails: E_NO_MEMORY, a zeroed result, nothing
     * leaked (the sanitizer and valgrind runs check that). */
    long failures = 0;
    for (long n = 0;; n++) {
        exoplace_probe_result result;
        char *text = NULL;
        exoplace__seam_fail_after(n);
        exoplace_status st = probe_case(&result, "psi_warn", NULL, NULL);
        if (st == EXOPLACE_OK) {
            st = exoplace_probe_result_json(&text, &result, NULL);
            exoplace_probe_result_dispose(&result);
        }
        long made = exoplace__seam_fail_after(-1);
        if (made <= n) {
            ck_assert_int_eq(st, EXOPLACE_OK);
            exoplace_free(text);
            break;
        }
        ck_assert_msg(st == EXOPLACE_E_NO_MEMORY, "allocation %ld: %s", n, exoplace_status_name(st));
        ck_assert_ptr_null(result.node_id);
        ck_assert_ptr_null(text);
        failures++;
    }
    ck_assert_int_gt(failures, 3);
}
END_TEST

/* ---- the real machine ------------------------------------------------- */

#ifdef __linux__
/* A key of /proc/meminfo in bytes, read independently of the library. */
static uint64_t proc_meminfo_bytes(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    unsigned long long kb = 0;
    int found = 0;
    size_t klen = strlen(key);
    while (!found && fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            found = sscanf(line + klen + 1, "%llu", &kb) == 1;
    fclose(f);
    ck_assert_msg(found, "no %s in /proc/meminfo", key);
    return (uint64_t)kb * 1024u;
}

static void check_real_machine(const exoplace_probe_options *o)
{
    exoplace_probe_result result;
    exoplace_error err;
    exoplace_status st = exoplace_probe_node(&result, o, &err);
    ck_assert_msg(st == EXOPLACE_OK, "%s: %s", exoplace_status_name(st), err.message);
    uint64_t total = proc_meminfo_bytes("MemTotal");
    uint64_t avail = proc_meminfo_bytes("MemAvailable");
    const exoplace_node_memory *m = &result.memory;

    ck_assert_uint_eq(m->ram_total, total);
    double got = (double)m->ram_available;
    ck_assert_msg(fabs(got - (double)avail) <= 0.05 * (double)avail, "ramAvailable %.0f vs MemAvailable %llu", got,
                  (unsigned long long)avail);
    ck_assert(m->swap_available <= m->swap_total);
    ck_assert_int_eq(m->free_percent, -1);

    /* A level exactly when the kernel offers PSI. */
    FILE *psi = fopen("/proc/pressure/memory", "r");
    char probe_line[8];
    int has_psi = psi && fgets(probe_line, sizeof probe_line, psi) != NULL;
    if (psi)
        fclose(psi);
    if (has_psi)
        ck_assert_msg(m->pressure_level >= EXOPLACE_PRESSURE_NORMAL && m->pressure_level <= EXOPLACE_PRESSURE_CRITICAL,
                      "pressure_level %d", (int)m->pressure_level);
    else
        ck_assert_int_eq(m->pressure_level, EXOPLACE_PRESSURE_UNREPORTED);
    exoplace_probe_result_dispose(&result);
}

START_TEST(real_proc_matches_meminfo)
{
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.proc_root = "/proc";
    check_real_machine(&o);
}
END_TEST

START_TEST(null_options_probe_real_proc)
{
    check_real_machine(NULL);
}
END_TEST
#endif

/* ---- threads ---------------------------------------------------------- */

struct worker {
    const char *expected;
    int mismatches;
};

static void *probe_repeatedly(void *arg)
{
    struct worker *w = arg;
    char *root = case_path("psi_critical_full", NULL);
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.proc_root = root;
    for (int i = 0; i < 50; i++) {
        char *out = NULL;
        if (exoplace_probe_local(&out, &o, NULL) != EXOPLACE_OK || strcmp(out, w->expected) != 0)
            w->mismatches++;
        exoplace_free(out);
    }
    free(root);
    return NULL;
}

START_TEST(concurrent_probes_agree)
{
    char *expected = NULL;
    exoplace_probe_options o;
    exoplace_probe_options_init(&o);
    o.node_id = "n";
    o.proc_root = case_path("psi_critical_full", NULL);
    ck_assert_int_eq(exoplace_probe_local(&expected, &o, NULL), EXOPLACE_OK);
    free((char *)o.proc_root);
    enum { N = 8 };
    pthread_t threads[N];
    struct worker workers[N];
    for (int i = 0; i < N; i++) {
        workers[i].expected = expected;
        workers[i].mismatches = 0;
        ck_assert_int_eq(pthread_create(&threads[i], NULL, probe_repeatedly, &workers[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
        ck_assert_int_eq(workers[i].mismatches, 0);
    }
    exoplace_free(expected);
}
END_TEST

/* ---- driver ----------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_cases(void)
{
    DIR *d = opendir(fixtures);
    if (!d) {
        fprintf(stderr, "test_probe: cannot open fixtures %s: %s\n", fixtures, strerror(errno));
        exit(2);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n_cases == MAX_CASES) {
            fprintf(stderr, "test_probe: more than %d cases\n", MAX_CASES);
            exit(2);
        }
        cases[n_cases] = strdup(e->d_name);
        if (!cases[n_cases])
            exit(2);
        n_cases++;
    }
    closedir(d);
    qsort(cases, (size_t)n_cases, sizeof cases[0], compare_names);
}

static Suite *probe_suite(void)
{
    Suite *s = suite_create("probe");

    TCase *tc = tcase_create("fixtures");
    tcase_add_loop_test(tc, fixture_case_gives_expected_memory_or_error, 0, n_cases);
    suite_add_tcase(s, tc);

    tc = tcase_create("thresholds");
    tcase_add_test(tc, raised_warn_threshold_makes_warn_case_normal);
    tcase_add_test(tc, lowered_critical_some_threshold_makes_warn_case_critical);
    tcase_add_test(tc, lowered_critical_full_threshold_makes_normal_case_critical);
    tcase_add_test(tc, infinite_critical_thresholds_switch_critical_off);
    tcase_add_test(tc, zero_thresholds_make_any_pressure_count);
    tcase_add_loop_test(tc, negative_or_nan_threshold_is_invalid_argument, 0,
                        (int)(sizeof thresholds / sizeof thresholds[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("arguments");
    tcase_add_test(tc, options_init_sets_documented_defaults);
    tcase_add_test(tc, null_out_is_invalid_argument);
    tcase_add_test(tc, options_not_from_init_are_invalid_argument);
    tcase_add_test(tc, empty_proc_root_is_invalid_argument);
    tcase_add_test(tc, bad_node_id_is_invalid_argument);
    tcase_add_test(tc, node_id_is_escaped_in_json);
    tcase_add_test(tc, node_id_defaults_to_host_name);
    tcase_add_test(tc, missing_meminfo_is_probe_error_naming_file);
    tcase_add_test(tc, success_clears_a_stale_error);
    tcase_add_test(tc, trailing_slash_in_proc_root_is_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, meminfo_larger_than_64k_is_probe_error);
    tcase_add_test(tc, nul_byte_in_meminfo_is_probe_error);
    tcase_add_test(tc, unreadable_psi_other_than_absent_is_probe_error);
    tcase_add_test(tc, psi_without_trailing_newline_is_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("result");
    tcase_add_test(tc, result_json_carries_every_field);
    tcase_add_test(tc, result_json_refuses_what_is_not_a_node);
    tcase_add_test(tc, probe_local_is_the_result_as_json);
    tcase_add_test(tc, dispose_zeroes_and_accepts_null);
    tcase_add_test(tc, probe_fails_cleanly_at_every_allocation);
    suite_add_tcase(s, tc);

    tc = tcase_create("machine");
    tcase_add_test(tc, interfaces_are_the_non_loopback_ip_addresses);
#ifdef __linux__
    tcase_add_test(tc, real_proc_matches_meminfo);
    tcase_add_test(tc, null_options_probe_real_proc);
#endif
    tcase_add_test(tc, concurrent_probes_agree);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
        return 2;
    }
    fixtures = argv[1];
    load_cases();
    SRunner *sr = srunner_create(probe_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    for (int i = 0; i < n_cases; i++)
        free(cases[i]);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
