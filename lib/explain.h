/* Explanations (exoplace_explain()), internal. */
#ifndef EXOPLACE_EXPLAIN_H
#define EXOPLACE_EXPLAIN_H

#include "search.h"

/* The public 128-bit amount and the library's own. */
static inline exoplace_amount exoplace__amount_of(exoplace__u128 x)
{
    exoplace_amount a = {(uint64_t)(x >> 64), (uint64_t)x};
    return a;
}

static inline exoplace__u128 exoplace__amount_value(exoplace_amount a)
{
    return ((exoplace__u128)a.hi << 64) | a.lo;
}

/* exoplace_explain() of a checked request (resolved options) over a search
 * context the call already used: the attempts it repeats reuse what that
 * context remembers (the views, the lengths searched, exo's start sequence). */
exoplace_status exoplace__explain_in(exoplace_explanation *out, exoplace__search *search, const exoplace_model *model,
                                     const exoplace_place_options *resolved, exoplace_error *err);

#endif
