/* Explanations in words: why a placement fails, or needed a tier below
 * available, told from exoplace_explain()'s data on standard error. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A candidate's nodes named in one line: the rest are counted. */
#define SHOWN_NODES 8

double cli_amount_value(exoplace_amount amount)
{
    return (double)amount.hi * 18446744073709551616.0 + (double)amount.lo;
}

/* The decimal digits of a 128-bit amount: long division by ten over four
 * 32-bit limbs, most significant first. */
static void amount_digits(char *buf, size_t size, exoplace_amount amount)
{
    uint32_t limbs[4] = {(uint32_t)(amount.hi >> 32), (uint32_t)amount.hi, (uint32_t)(amount.lo >> 32),
                         (uint32_t)amount.lo};
    char reversed[48];
    size_t n = 0;
    do {
        uint64_t rest = 0;
        int nonzero = 0;
        for (size_t i = 0; i < 4; i++) {
            uint64_t part = (rest << 32) | limbs[i];
            limbs[i] = (uint32_t)(part / 10);
            rest = part % 10;
            nonzero |= limbs[i] != 0;
        }
        reversed[n++] = (char)('0' + rest);
        if (!nonzero)
            break;
    } while (n < sizeof reversed);
    size_t i = 0;
    for (; i < n && i + 1 < size; i++)
        buf[i] = reversed[n - 1 - i];
    if (size)
        buf[i] = '\0';
}

void cli_format_amount(char *buf, size_t size, exoplace_amount amount, int by_layers)
{
    if (!by_layers) {
        cli_format_bytes(buf, size, cli_amount_value(amount));
        return;
    }
    char digits[48];
    amount_digits(digits, sizeof digits, amount);
    snprintf(buf, size, "%s layer%s", digits, amount.hi == 0 && amount.lo == 1 ? "" : "s");
}

static int amount_is_zero(exoplace_amount amount)
{
    return amount.hi == 0 && amount.lo == 0;
}

static int amount_less(exoplace_amount a, exoplace_amount b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* Appends to a growing line; on running out of memory the line is freed
 * and stays NULL, and later appends do nothing. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void line_add(char **line, const char *fmt, ...)
{
    if (!*line)
        return;
    va_list ap;
    va_start(ap, fmt);
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    size_t used = strlen(*line);
    char *grown = n >= 0 ? realloc(*line, used + (size_t)n + 1) : NULL;
    if (grown)
        vsnprintf(grown + used, (size_t)n + 1, fmt, again);
    else
        free(*line);
    *line = grown;
    va_end(again);
    va_end(ap);
}

/* One line of the explanation: the first starts with "why: ", the others
 * are indented under it. cli_message() escapes the ids in it. */
static void line_say(char *line, int *said)
{
    cli_message("%s%s", *said ? "  " : "why: ", line ? line : "out of memory writing the explanation");
    *said = 1;
    free(line);
}

static char *line_new(void)
{
    return cli_format("%s", "");
}

static const char *tier_error(const exoplace_explained_tier *tier)
{
    return tier->error.message[0] ? tier->error.message : exoplace_status_str(tier->status);
}

static void add_node_list(char **line, const exoplace_explained_tier *tier)
{
    for (size_t i = 0; i < tier->n_candidate && i < SHOWN_NODES; i++)
        line_add(line, "%s%s", i ? ", " : "", tier->candidate[i].node_id);
    if (tier->n_candidate > SHOWN_NODES)
        line_add(line, " and %zu more", tier->n_candidate - SHOWN_NODES);
}

/* The first tier tried, searched: what is needed, the best cycle, the gap,
 * and per node what it must free. */
static void say_first_tier(const exoplace_explanation *explanation, const exoplace_explained_tier *tier, int *said)
{
    uint32_t min_nodes = explanation->min_nodes;
    char need[48], sum[48], gap[48];
    cli_format_amount(need, sizeof need, tier->need, tier->by_layers);
    cli_format_amount(sum, sizeof sum, tier->candidate_sum, tier->by_layers);
    cli_format_amount(gap, sizeof gap, tier->gap, tier->by_layers);
    const char *tier_name = exoplace_memory_tier_name(tier->tier);
    char *line = line_new();
    if (tier->n_candidate == 0) {
        if (tier->complete)
            line_add(&line, "%s needed, and in memory tier '%s' no cycle of at least %lu node%s can take it", need,
                     tier_name, (unsigned long)min_nodes, cli_plural(min_nodes));
        else
            line_add(&line, "%s needed, and in memory tier '%s' the search found no cycle before its work bound",
                     need, tier_name);
        line_say(line, said);
        return;
    }
    if (amount_is_zero(tier->gap)) {
        /* The sum would do: something else refused the cycle. */
        line_add(&line, "in memory tier '%s': %s; the best cycle (", tier_name, tier_error(tier));
        add_node_list(&line, tier);
        line_add(&line, ") %s %s of the %s needed", tier->by_layers ? "holds" : "has", sum, need);
        line_say(line, said);
        return;
    }
    line_add(&line, "%s needed; in memory tier '%s' the best cycle (", need, tier_name);
    add_node_list(&line, tier);
    line_add(&line, ") %s %s: %s short", tier->by_layers ? "holds" : "has", sum, gap);
    if (tier->by_layers) {
        char cost[48];
        cli_format_bytes(cost, sizeof cost, cli_amount_value(explanation->layer_cost));
        line_add(&line, " (a layer takes %s with its KV cache)", cost);
    }
    line_say(line, said);

    line = line_new();
    size_t listed = 0, more = 0;
    for (size_t i = 0; i < tier->n_candidate; i++) {
        const exoplace_explained_node *node = &tier->candidate[i];
        if (amount_is_zero(node->shortfall_bytes))
            continue;
        if (listed == SHOWN_NODES) {
            more++;
            continue;
        }
        char bytes[48];
        cli_format_bytes(bytes, sizeof bytes, cli_amount_value(node->shortfall_bytes));
        line_add(&line, "%s%s on %s", listed ? ", " : "free ", bytes, node->node_id);
        listed++;
    }
    if (more)
        line_add(&line, ", and on %zu more node%s", more, cli_plural(more));
    if (listed)
        line_say(line, said);
    else
        free(line);
}

static const char *tier_condition(exoplace_memory_tier tier)
{
    switch (tier) {
    case EXOPLACE_TIER_PRESSURE: return "the OS must reclaim memory under pressure";
    case EXOPLACE_TIER_TOTAL: return "other programs must free memory";
    case EXOPLACE_TIER_SWAP: return "the OS must push other programs to swap";
    case EXOPLACE_TIER_AVAILABLE: break;
    }
    return "in the memory available now";
}

static const exoplace_explained_tier *tier_of(const exoplace_explanation *explanation, exoplace_memory_tier tier)
{
    for (size_t i = 0; i < explanation->n_tiers; i++)
        if (explanation->tiers[i].tier == tier)
            return &explanation->tiers[i];
    return NULL;
}

/* Not placed in any tier: when even every node's whole memory is too
 * little, say so; else what the last tier's best cycle lacks. */
static void say_no_tier_places(const exoplace_explanation *explanation, int *said)
{
    const exoplace_explained_tier *swap = tier_of(explanation, EXOPLACE_TIER_SWAP);
    const exoplace_explained_tier *total = tier_of(explanation, EXOPLACE_TIER_TOTAL);
    const exoplace_explained_tier *short_one = swap && amount_less(swap->cluster_sum, swap->need) ? swap
                                               : total && amount_less(total->cluster_sum, total->need) ? total
                                                                                                       : NULL;
    if (short_one) {
        char sum[48];
        cli_format_amount(sum, sizeof sum, short_one->cluster_sum, short_one->by_layers);
        char *line = line_new();
        line_add(&line, "it cannot fit even with every node's total memory%s (%s on %zu node%s)",
                 short_one == swap ? " and swap" : "", sum, short_one->n_cluster_nodes,
                 cli_plural(short_one->n_cluster_nodes));
        line_say(line, said);
        return;
    }
    const exoplace_explained_tier *last = &explanation->tiers[explanation->n_tiers - 1];
    if (explanation->n_tiers < 2 || last->n_candidate == 0 ||
        amount_is_zero(last->gap))
        return;
    char sum[48], gap[48];
    cli_format_amount(sum, sizeof sum, last->candidate_sum, last->by_layers);
    cli_format_amount(gap, sizeof gap, last->gap, last->by_layers);
    char *line = line_new();
    line_add(&line, "even in memory tier '%s' the best cycle (", exoplace_memory_tier_name(last->tier));
    add_node_list(&line, last);
    line_add(&line, ") %s %s: %s short", last->by_layers ? "holds" : "has", sum, gap);
    line_say(line, said);
}

/* A tier below the one tried places it: which, and the flags that reach it. */
static void say_placing_tier(const exoplace_explanation *explanation, const cli_explain_flags *flags, int *said)
{
    exoplace_memory_tier tier = explanation->placing_tier;
    char *line = line_new();
    line_add(&line, "it fits in memory tier '%s' (%s)", exoplace_memory_tier_name(tier), tier_condition(tier));
    const char *without = flags->no_retry ? "--no-retry" : flags->no_fallback ? "--no-fallback" : NULL;
    int with_swap = tier == EXOPLACE_TIER_SWAP && !flags->allow_swap;
    if (without || with_swap)
        line_add(&line, ": run %s%s%s%s%s", without ? "without " : "", without ? without : "",
                 without && with_swap ? " and " : "", with_swap ? "with " : "", with_swap ? "--allow-swap" : "");
    line_say(line, said);
}

/* The tiers whose candidate search the work bound stopped. */
static void say_incomplete(const exoplace_explanation *explanation, int *said)
{
    char *line = line_new();
    size_t n = 0;
    for (size_t i = 0; i < explanation->n_tiers; i++) {
        const exoplace_explained_tier *tier = &explanation->tiers[i];
        if (tier->complete)
            continue;
        line_add(&line, "%s'%s'", n ? ", " : "", exoplace_memory_tier_name(tier->tier));
        n++;
    }
    if (n == 0) {
        free(line);
        return;
    }
    char *whole = line ? cli_format("the search for the best cycle stopped at its work bound in memory tier%s %s: "
                                    "a better one may exist (--max-search-steps)",
                                    n == 1 ? "" : "s", line)
                       : NULL;
    free(line);
    line_say(whole, said);
}

void cli_print_explanation(const exoplace_explanation *explanation, const cli_explain_flags *flags)
{
    int said = 0;
    const exoplace_explained_tier *first = explanation->n_tiers ? &explanation->tiers[0] : NULL;
    if (first && first->status != EXOPLACE_OK) {
        say_first_tier(explanation, first, &said);
        say_incomplete(explanation, &said);
        if (!explanation->placed)
            say_no_tier_places(explanation, &said);
        else if (flags->failed)
            say_placing_tier(explanation, flags, &said);
    }
    for (size_t i = 0; i < explanation->n_rules; i++) {
        char *line = cli_format("rule: %s", explanation->rules_applied[i].message);
        line_say(line, &said);
    }
}
