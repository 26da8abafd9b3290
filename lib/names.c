/* Enumeration names: every name function and lookup comes from the tables
 * in exoplace.h, so a value and its name are written once. */
#include "names.h"

#include <stdio.h>
#include <string.h>

#define VALUE_(name, value, text) value,
#define TEXT_(name, value, text) text,
#define NAME_CASE_(name, value, text) \
    case EXOPLACE_##name:             \
        return text;

/* The info table of an enumeration and its public name function. */
#define DEFINE_ENUM_(type, MAP)                                                              \
    static const int type##_values[] = {MAP(VALUE_)};                                        \
    static const char *const type##_names[] = {MAP(TEXT_)};                                  \
    const exoplace__enum_info exoplace__##type##_info = {                                    \
        sizeof type##_values / sizeof type##_values[0], type##_values, type##_names};        \
    const char *exoplace_##type##_name(exoplace_##type value)                                \
    {                                                                                        \
        switch (value) { MAP(NAME_CASE_) }                                                   \
        return NULL;                                                                         \
    }

DEFINE_ENUM_(rules, EXOPLACE_RULES_MAP)
DEFINE_ENUM_(sharding, EXOPLACE_SHARDING_MAP)
DEFINE_ENUM_(instance_meta, EXOPLACE_INSTANCE_META_MAP)
DEFINE_ENUM_(memory_tier, EXOPLACE_MEMORY_TIER_MAP)
DEFINE_ENUM_(pressure_level, EXOPLACE_PRESSURE_LEVEL_MAP)
DEFINE_ENUM_(layer_strategy, EXOPLACE_LAYER_STRATEGY_MAP)
DEFINE_ENUM_(interface_type, EXOPLACE_INTERFACE_TYPE_MAP)
DEFINE_ENUM_(backend, EXOPLACE_BACKEND_MAP)
DEFINE_ENUM_(task, EXOPLACE_TASK_MAP)
DEFINE_ENUM_(download_kind, EXOPLACE_DOWNLOAD_KIND_MAP)
DEFINE_ENUM_(connection_kind, EXOPLACE_CONNECTION_KIND_MAP)
DEFINE_ENUM_(shard_kind, EXOPLACE_SHARD_KIND_MAP)

static const int reasoning_dialect_values[] = {0, 1, 2, 3, 4};
static const char *const reasoning_dialect_names[] = {"none", "post_last_user", "suffix", "channel",
                                                      "tool_conditional"};
const exoplace__enum_info exoplace__reasoning_dialect_info = {5, reasoning_dialect_values, reasoning_dialect_names};

int exoplace__enum_from_name(int *out, const exoplace__enum_info *info, const char *name, size_t len)
{
    for (size_t i = 0; i < info->count; i++) {
        if (strlen(info->names[i]) == len && memcmp(info->names[i], name, len) == 0) {
            *out = info->values[i];
            return 1;
        }
    }
    return 0;
}

int exoplace__enum_is_valid(const exoplace__enum_info *info, int value)
{
    for (size_t i = 0; i < info->count; i++)
        if (info->values[i] == value)
            return 1;
    return 0;
}

void exoplace__enum_expected(char *buf, size_t size, const exoplace__enum_info *info)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < info->count && used < size; i++) {
        const char *separator = i == 0 ? "" : i + 1 == info->count ? " or " : ", ";
        int n = snprintf(buf + used, size - used, "%s%s", separator, info->names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
