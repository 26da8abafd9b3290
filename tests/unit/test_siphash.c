/*
 * SipHash against the reference vectors (siphash-vectors.txt, read from the
 * path given as the first argument): SipHash-2-4 and SipHash-1-3, one call
 * and streamed in pieces; the keys of the topology's indexes.
 */
#include "unit.h"

#include "siphash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set once in main() before any test runs, read-only afterwards. */
static const char *vectors_path;

typedef struct vector {
    unsigned c_rounds, d_rounds;
    unsigned char key[EXOPLACE__SIPHASH_KEY_BYTES];
    size_t length;
    uint64_t hash;
} vector;

static int parse_key(unsigned char *key, const char *hex)
{
    if (strlen(hex) != 2 * EXOPLACE__SIPHASH_KEY_BYTES)
        return 0;
    for (size_t i = 0; i < EXOPLACE__SIPHASH_KEY_BYTES; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return 0;
        key[i] = (unsigned char)byte;
    }
    return 1;
}

/* Reads every vector; asserts the file is well formed. */
static size_t read_vectors(vector *out, size_t capacity)
{
    FILE *f = fopen(vectors_path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", vectors_path);
    char line[256];
    size_t n = 0;
    unsigned line_no = 0;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        ck_assert_uint_lt(n, capacity);
        vector *v = &out[n];
        char key_hex[64];
        unsigned long long hash;
        size_t length;
        int fields = sscanf(line, "%u-%u %63s %zu %llx", &v->c_rounds, &v->d_rounds, key_hex, &length, &hash);
        ck_assert_msg(fields == 5 && parse_key(v->key, key_hex) && length < 256,
                      "%s:%u: malformed vector", vectors_path, line_no);
        v->length = length;
        v->hash = (uint64_t)hash;
        n++;
    }
    fclose(f);
    return n;
}

static uint64_t hash_in_pieces(const vector *v, const unsigned char *message, size_t piece)
{
    exoplace__siphash s;
    exoplace__siphash_init(&s, exoplace__siphash_key_from_bytes(v->key), v->c_rounds, v->d_rounds);
    for (size_t at = 0; at < v->length; at += piece)
        exoplace__siphash_update(&s, message + at, v->length - at < piece ? v->length - at : piece);
    return exoplace__siphash_final(&s);
}

START_TEST(reference_vectors)
{
    vector vectors[256];
    size_t n = read_vectors(vectors, sizeof vectors / sizeof vectors[0]);
    size_t per_variant[2] = {0, 0};
    unsigned char message[256];
    for (size_t i = 0; i < sizeof message; i++)
        message[i] = (unsigned char)i;
    for (size_t k = 0; k < n; k++) {
        const vector *v = &vectors[k];
        per_variant[v->c_rounds == 1] += 1;
        exoplace__siphash s;
        exoplace__siphash_init(&s, exoplace__siphash_key_from_bytes(v->key), v->c_rounds, v->d_rounds);
        exoplace__siphash_update(&s, message, v->length);
        ck_assert_msg(exoplace__siphash_final(&s) == v->hash, "SipHash-%u-%u of %zu bytes", v->c_rounds,
                      v->d_rounds, v->length);
        /* Streaming: any split of the message gives the same hash. */
        for (size_t piece = 1; piece <= 9; piece++)
            ck_assert_msg(hash_in_pieces(v, message, piece) == v->hash, "SipHash-%u-%u of %zu bytes in pieces of %zu",
                          v->c_rounds, v->d_rounds, v->length, piece);
        if (v->c_rounds == 1 && v->d_rounds == 3)
            ck_assert(exoplace__siphash13(exoplace__siphash_key_from_bytes(v->key), message, v->length) == v->hash);
    }
    /* Both variants, every length 0..63, so every tail length is covered. */
    ck_assert_uint_eq(per_variant[0], 64);
    ck_assert_uint_eq(per_variant[1], 64);
}
END_TEST

START_TEST(final_leaves_the_state_unchanged)
{
    exoplace__siphash_key key = {1, 2};
    exoplace__siphash s;
    exoplace__siphash_init(&s, key, 1, 3);
    exoplace__siphash_update(&s, "abc", 3);
    uint64_t first = exoplace__siphash_final(&s);
    ck_assert(exoplace__siphash_final(&s) == first);
    exoplace__siphash_update(&s, "defghijkl", 9);
    ck_assert(exoplace__siphash_final(&s) == exoplace__siphash13(key, "abcdefghijkl", 12));
}
END_TEST

START_TEST(key_bytes_are_little_endian)
{
    unsigned char bytes[EXOPLACE__SIPHASH_KEY_BYTES];
    for (unsigned i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)i;
    exoplace__siphash_key key = exoplace__siphash_key_from_bytes(bytes);
    ck_assert(key.k0 == 0x0706050403020100ull);
    ck_assert(key.k1 == 0x0f0e0d0c0b0a0908ull);
}
END_TEST

START_TEST(random_keys_differ)
{
    /* Two draws of 128 bits from the system's source agree with probability 2^-128. */
    int here = 0;
    exoplace__siphash_key a = exoplace__siphash_random_key(&here);
    exoplace__siphash_key b = exoplace__siphash_random_key(&here);
    ck_assert(a.k0 != b.k0 || a.k1 != b.k1);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SIPHASH_VECTORS_FILE\n", argv[0]);
        return 2;
    }
    vectors_path = argv[1];
    Suite *s = suite_create("siphash");
    TCase *tc = tcase_create("siphash");
    tcase_add_test(tc, reference_vectors);
    tcase_add_test(tc, final_leaves_the_state_unchanged);
    tcase_add_test(tc, key_bytes_are_little_endian);
    tcase_add_test(tc, random_keys_differ);
    suite_add_tcase(s, tc);
    return t_run(s);
}
