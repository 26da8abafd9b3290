/*
 * json_parse_bench: the JSON tokenizer (lib/json_parse.c) on one request file.
 *
 * Usage: json_parse_bench [--runs N] FILE [MODE...]
 *   validate  exoplace__json_validate over the whole text
 *   skip      validate, then skip the top value with the cursor
 *   walk      validate, then read every value with the cursor: each key
 *             compared with a literal, each string copied out, each number read
 *   load      exoplace__json_load: the jansson values the readers of json.c use
 * Default: all four. For each mode it prints the median time of N runs
 * (default 21), the throughput and the allocations one run makes (the
 * library's, counted by its allocation seam, plus jansson's), then the
 * process's peak RSS (with one mode: that mode's memory, the text included).
 * For callgrind: --runs 1 and one mode. Not a test: nothing is asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "json_build.h"
#include "json_parse.h"

/* The internal library's allocation seam (lib/alloc.h). */
long exoplace__seam_fail_after(long successes);

/* jansson's allocations, counted (a benchmark program may set jansson's
 * global allocator; the library never does). */
static long jansson_allocations;

static void *counting_malloc(size_t size)
{
    jansson_allocations++;
    return malloc(size);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads every value under the cursor; returns a sum so that nothing is
 * optimised away. */
static size_t walk(exoplace__json_cursor *c)
{
    size_t sum = 0;
    switch (exoplace__json_kind_at(c)) {
    case EXOPLACE__JSON_OBJECT: {
        exoplace__json_string key;
        exoplace__json_enter(c);
        while (exoplace__json_next_member(c, &key)) {
            sum += (size_t)exoplace__json_string_equals(&key, "nodeId");
            sum += walk(c);
        }
        break;
    }
    case EXOPLACE__JSON_ARRAY:
        exoplace__json_enter(c);
        while (exoplace__json_next_element(c))
            sum += walk(c);
        break;
    case EXOPLACE__JSON_STRING: {
        char buf[256];
        exoplace__json_string s = exoplace__json_string_at(c);
        sum += exoplace__json_string_copy(buf, sizeof buf, &s);
        break;
    }
    case EXOPLACE__JSON_NUMBER:
        sum += (size_t)exoplace__json_number_at(c).magnitude;
        break;
    default:
        exoplace__json_skip(c);
        break;
    }
    return sum;
}

/* One run of mode; returns 0 when the text is not accepted. */
static int run(const char *mode, const char *text, size_t len, size_t *sum)
{
    exoplace_error err;
    memset(&err, 0, sizeof err);
    if (strcmp(mode, "load") == 0) {
        json_t *doc = NULL;
        int ok = test_json_load(&doc, text, &err) == EXOPLACE_OK;
        json_decref(doc);
        return ok;
    }
    if (exoplace__json_validate(text, len, &err) != EXOPLACE_OK) {
        fprintf(stderr, "json_parse_bench: %s\n", err.message);
        return 0;
    }
    exoplace__json_cursor c;
    exoplace__json_cursor_init(&c, text, len);
    if (strcmp(mode, "skip") == 0) {
        exoplace__json_skip(&c);
        *sum += c.pos;
    } else if (strcmp(mode, "walk") == 0) {
        *sum += walk(&c);
    }
    return 1;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = 21;
    int at = 1;
    if (at + 1 < argc && strcmp(argv[at], "--runs") == 0) {
        runs = atoi(argv[at + 1]);
        at += 2;
    }
    if (at >= argc || runs < 1) {
        fprintf(stderr, "usage: json_parse_bench [--runs N] FILE [validate|skip|walk|load...]\n");
        return 2;
    }
    FILE *f = fopen(argv[at], "rb");
    if (!f) {
        perror(argv[at]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "json_parse_bench: cannot read %s\n", argv[at]);
        return 2;
    }
    fclose(f);
    text[size] = '\0';
    size_t len = (size_t)size;
    json_set_alloc_funcs(counting_malloc, free);

    static const char *const all[] = {"validate", "skip", "walk", "load"};
    const char *const *modes = at + 1 < argc ? (const char *const *)argv + at + 1 : all;
    int n_modes = at + 1 < argc ? argc - at - 1 : 4;
    double *times = malloc(sizeof *times * (size_t)runs);
    if (!times)
        return 2;
    printf("%s: %zu bytes, %d runs\n%-9s %10s %10s %12s\n", argv[at], len, runs, "mode", "median ms", "MB/s",
           "allocations");
    size_t sum = 0;
    for (int m = 0; m < n_modes; m++) {
        long allocations = 0;
        for (int r = 0; r < runs; r++) {
            exoplace__seam_fail_after(-1);
            jansson_allocations = 0;
            double start = now_ms();
            if (!run(modes[m], text, len, &sum))
                return 1;
            times[r] = now_ms() - start;
            allocations = exoplace__seam_fail_after(-1) + jansson_allocations;
        }
        qsort(times, (size_t)runs, sizeof *times, compare_doubles);
        double median = times[runs / 2];
        printf("%-9s %10.3f %10.1f %12ld\n", modes[m], median, median > 0 ? len / 1e3 / median : 0.0, allocations);
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("peak rss %.1f MiB\n", usage.ru_maxrss / 1024.0);
    fprintf(stderr, "(checksum %zu)\n", sum);
    free(times);
    free(text);
    return 0;
}
