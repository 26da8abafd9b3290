#include "sort.h"

#include <string.h>

void exoplace__sort(uint32_t *items, uint32_t *tmp, size_t n, exoplace__before_fn before, const void *ctx)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    exoplace__sort(items, tmp, half, before, ctx);
    exoplace__sort(items + half, tmp, n - half, before, ctx);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = before(ctx, items[j], items[i]) ? items[j++] : items[i++];
    while (i < half)
        tmp[k++] = items[i++];
    while (j < n)
        tmp[k++] = items[j++];
    memcpy(items, tmp, n * sizeof *items);
}
