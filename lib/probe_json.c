/* The probe's result as exo's JSON node, written by the library's writer
 * (compact, as exo's node documents are), and the probe-then-write call. */
#include "error.h"
#include "json_write.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

/* A string the result carries: present and UTF-8 (JSON text is UTF-8). */
static exoplace_status check_result_text(const char *text, const char *field, exoplace_error *err)
{
    if (!text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, field, "%s is NULL", field);
    if (!exoplace__utf8_valid(text))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, field, "%s is not UTF-8", field);
    return EXOPLACE_OK;
}

static exoplace_status check_result(const exoplace_probe_result *r, exoplace_error *err)
{
    exoplace_status st = check_result_text(r->node_id, "result.node_id", err);
    if (st != EXOPLACE_OK)
        return st;
    const exoplace_node_memory *m = &r->memory;
    if ((unsigned)m->pressure_level > EXOPLACE_PRESSURE_CRITICAL)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "result.memory.pressure_level",
                              "result.memory.pressure_level: unknown value %d", (int)m->pressure_level);
    if (m->free_percent < -1 || m->free_percent > 100)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "result.memory.free_percent",
                              "result.memory.free_percent: must be 0..100 (or -1 when not reported)");
    if (r->n_interfaces > 0 && !r->interfaces)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "result.interfaces",
                              "result.interfaces is NULL with n_interfaces %zu", r->n_interfaces);
    for (size_t i = 0; i < r->n_interfaces; i++) {
        char field[64];
        snprintf(field, sizeof field, "result.interfaces[%zu].name", i);
        if ((st = check_result_text(r->interfaces[i].name, field, err)) != EXOPLACE_OK)
            return st;
        snprintf(field, sizeof field, "result.interfaces[%zu].ip_address", i);
        if ((st = check_result_text(r->interfaces[i].ip_address, field, err)) != EXOPLACE_OK)
            return st;
    }
    return EXOPLACE_OK;
}

/* "key": {"inBytes": bytes} */
static void write_bytes(exoplace__json_writer *w, const char *key, uint64_t bytes)
{
    exoplace__jw_key(w, key);
    exoplace__jw_begin_object(w);
    exoplace__jw_key(w, "inBytes");
    exoplace__jw_u64(w, bytes);
    exoplace__jw_end_object(w);
}

static void write_memory(exoplace__json_writer *w, const exoplace_node_memory *m)
{
    exoplace__jw_begin_object(w);
    write_bytes(w, "ramTotal", m->ram_total);
    write_bytes(w, "ramAvailable", m->ram_available);
    write_bytes(w, "swapTotal", m->swap_total);
    write_bytes(w, "swapAvailable", m->swap_available);
    if (m->pressure_level != EXOPLACE_PRESSURE_UNREPORTED) {
        exoplace__jw_key(w, "pressureLevel");
        exoplace__jw_string(w, exoplace_pressure_level_name(m->pressure_level));
    }
    if (m->free_percent >= 0) {
        exoplace__jw_key(w, "freePercent");
        exoplace__jw_u64(w, (uint64_t)m->free_percent);
    }
    exoplace__jw_end_object(w);
}

exoplace_status exoplace_probe_result_json(char **out, const exoplace_probe_result *result, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !result)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, out ? "result" : "out", "%s is NULL",
                              out ? "result" : "out");
    *out = NULL;
    exoplace_status st = check_result(result, err);
    if (st != EXOPLACE_OK)
        return st;

    exoplace__json_writer w;
    exoplace__jw_init_compact(&w);
    exoplace__jw_begin_object(&w);
    exoplace__jw_key(&w, "nodeId");
    exoplace__jw_string(&w, result->node_id);
    exoplace__jw_key(&w, "nodeProfile");
    exoplace__jw_begin_object(&w);
    exoplace__jw_key(&w, "memory");
    write_memory(&w, &result->memory);
    exoplace__jw_key(&w, "networkInterfaces");
    exoplace__jw_begin_array(&w);
    for (size_t i = 0; i < result->n_interfaces; i++) {
        exoplace__jw_begin_object(&w);
        exoplace__jw_key(&w, "name");
        exoplace__jw_string(&w, result->interfaces[i].name);
        exoplace__jw_key(&w, "ipAddress");
        exoplace__jw_string(&w, result->interfaces[i].ip_address);
        exoplace__jw_end_object(&w);
    }
    exoplace__jw_end_array(&w);
    exoplace__jw_end_object(&w);
    exoplace__jw_end_object(&w);
    return exoplace__jw_finish(out, &w, err);
}

exoplace_status exoplace_probe_local(char **out, const exoplace_probe_options *options, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "out", "out is NULL");
    *out = NULL;
    exoplace_probe_result result;
    exoplace_status st = exoplace_probe_node(&result, options, err);
    if (st == EXOPLACE_OK)
        st = exoplace_probe_result_json(out, &result, err);
    exoplace_probe_result_dispose(&result);
    return st;
}
