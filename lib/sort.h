/* Stable sort of index arrays with a caller context (qsort has none). */
#ifndef EXOPLACE_SORT_H
#define EXOPLACE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* Returns nonzero when a must come before b. */
typedef int (*exoplace__before_fn)(const void *ctx, uint32_t a, uint32_t b);

/* Merge sort of items[0..n) using tmp (n entries) as scratch. */
void exoplace__sort(uint32_t *items, uint32_t *tmp, size_t n, exoplace__before_fn before, const void *ctx);

#endif
