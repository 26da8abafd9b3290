/* Whether the request parser (lib/json_parse.c) and jansson's own parser
 * agree on a text: shared by test_json_parse and the fuzz_json_parse
 * harness. They must accept the same texts and build equal values, except
 * where the parser is documented to differ (json_read.h): big integers,
 * strings starting with NUL, and the nesting limit. */
#ifndef EXOPLACE_TEST_PARSE_AGREEMENT_H
#define EXOPLACE_TEST_PARSE_AGREEMENT_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "json_read.h"

/* Equal values, where a string of ours may be jansson's with '?' in front
 * when jansson's starts with NUL. */
static inline int parse_agreement_same(const json_t *ours, const json_t *theirs)
{
    if (json_typeof(ours) != json_typeof(theirs))
        return 0;
    switch (json_typeof(ours)) {
    case JSON_OBJECT: {
        if (json_object_size(ours) != json_object_size(theirs))
            return 0;
        const char *key;
        const json_t *value;
        json_object_foreach ((json_t *)ours, key, value) {
            const json_t *other = json_object_get(theirs, key);
            if (!other || !parse_agreement_same(value, other))
                return 0;
        }
        return 1;
    }
    case JSON_ARRAY:
        if (json_array_size(ours) != json_array_size(theirs))
            return 0;
        for (size_t i = 0; i < json_array_size(ours); i++)
            if (!parse_agreement_same(json_array_get(ours, i), json_array_get(theirs, i)))
                return 0;
        return 1;
    case JSON_STRING: {
        size_t n = json_string_length(theirs);
        const char *t = json_string_value(theirs);
        const char *o = json_string_value(ours);
        if (n > 0 && t[0] == '\0')
            return json_string_length(ours) == n + 1 && o[0] == '?' && memcmp(o + 1, t, n) == 0;
        return json_string_length(ours) == n && memcmp(o, t, n) == 0;
    }
    default:
        return json_equal((json_t *)ours, (json_t *)theirs);
    }
}

/* 1 when they agree; otherwise 0 with the reason in why. */
static inline int parse_agreement(const char *text, char *why, size_t why_size)
{
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    json_t *theirs = json_loadb(text, strlen(text), JSON_ALLOW_NUL, &jerr);
    json_t *ours = NULL;
    exoplace_error err; /* the parser, like every internal step, expects it clear */
    memset(&err, 0, sizeof err);
    exoplace_status status = exoplace__json_load(&ours, text, &err);
    int agree = 1;
    if (status == EXOPLACE_E_LIMIT || (!theirs && strstr(jerr.text, "too big"))) {
        /* Beyond jansson: only the parser can judge these. */
    } else if (status != EXOPLACE_OK && status != EXOPLACE_E_INVALID_JSON) {
        snprintf(why, why_size, "parser: %s: %.200s", exoplace_status_name(status), err.message);
        agree = 0;
    } else if ((status == EXOPLACE_OK) != (theirs != NULL)) {
        snprintf(why, why_size, "parser %s (%.200s), jansson %s (%.160s)", status == EXOPLACE_OK ? "accepts" : "refuses",
                 status == EXOPLACE_OK ? "" : err.message, theirs ? "accepts" : "refuses", jerr.text);
        agree = 0;
    } else if (status != EXOPLACE_OK && strncmp(err.message, "line ", 5) != 0) {
        snprintf(why, why_size, "error without a position: %.200s", err.message);
        agree = 0;
    } else if (status == EXOPLACE_OK && !parse_agreement_same(ours, theirs)) {
        snprintf(why, why_size, "different values");
        agree = 0;
    }
    json_decref(ours);
    json_decref(theirs);
    return agree;
}

#endif
