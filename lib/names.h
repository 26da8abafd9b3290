/* Enumeration names, all generated from the tables in exoplace.h (internal). */
#ifndef EXOPLACE_NAMES_H
#define EXOPLACE_NAMES_H

#include <stddef.h>

#include "exoplace.h"

/* One enumeration: its values and their names, in table order. */
typedef struct exoplace__enum_info {
    size_t count;
    const int *values;
    const char *const *names;
} exoplace__enum_info;

#define EXOPLACE__ENUM_INFO_DECLARE_(type) extern const exoplace__enum_info exoplace__##type##_info;
EXOPLACE__ENUM_INFO_DECLARE_(rules)
EXOPLACE__ENUM_INFO_DECLARE_(sharding)
EXOPLACE__ENUM_INFO_DECLARE_(instance_meta)
EXOPLACE__ENUM_INFO_DECLARE_(memory_tier)
EXOPLACE__ENUM_INFO_DECLARE_(pressure_level)
EXOPLACE__ENUM_INFO_DECLARE_(layer_strategy)
EXOPLACE__ENUM_INFO_DECLARE_(interface_type)
EXOPLACE__ENUM_INFO_DECLARE_(backend)
EXOPLACE__ENUM_INFO_DECLARE_(task)
EXOPLACE__ENUM_INFO_DECLARE_(download_kind)
EXOPLACE__ENUM_INFO_DECLARE_(connection_kind)
EXOPLACE__ENUM_INFO_DECLARE_(shard_kind)
#undef EXOPLACE__ENUM_INFO_DECLARE_

/* exo's ReasoningDialect, a card member the library only checks and echoes
 * (no C enumeration): values 0.. in the order of its names. */
extern const exoplace__enum_info exoplace__reasoning_dialect_info;

/* The value named exactly `name` (len bytes): 1 and *out, or 0. */
int exoplace__enum_from_name(int *out, const exoplace__enum_info *info, const char *name, size_t len);

/* Whether value is one of the enumeration's. */
int exoplace__enum_is_valid(const exoplace__enum_info *info, int value);

/* "a, b or c" for error messages, cut to fit (always NUL-terminated). */
void exoplace__enum_expected(char *buf, size_t size, const exoplace__enum_info *info);

#endif
