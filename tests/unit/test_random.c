/*
 * The random source of exo-main instances (exoplace.h "Instances"): uuid4
 * text, exo's ephemeral port formula (checked over every 16-bit draw), the
 * seeded SplitMix64 stream, the caller's callback and its failures.
 */
#include "unit.h"

#include "error.h"
#include "random.h"

#include <string.h>

static void assert_uuid4(const char *text)
{
    ck_assert_uint_eq(strlen(text), 36);
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            ck_assert_msg(text[i] == '-', "%s: '-' expected at %zu", text, i);
            continue;
        }
        ck_assert_msg((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'),
                      "%s: lowercase hex expected at %zu", text, i);
    }
    ck_assert_msg(text[14] == '4', "%s: version 4", text);
    ck_assert_msg(strchr("89ab", text[19]) != NULL, "%s: variant 10", text);
}

static exoplace__random seeded(uint64_t seed)
{
    exoplace_place_options o = t_random_options(NULL, NULL, 1, seed);
    exoplace__random r;
    exoplace__random_init(&r, &o);
    return r;
}

START_TEST(uuid4_text_sets_version_and_variant_bits)
{
    unsigned char ones[16], zeros[16];
    memset(ones, 0xff, sizeof ones);
    memset(zeros, 0, sizeof zeros);
    char text[EXOPLACE_UUID_TEXT_BYTES];
    exoplace__uuid4_text(text, ones);
    ck_assert_str_eq(text, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    exoplace__uuid4_text(text, zeros);
    ck_assert_str_eq(text, "00000000-0000-4000-8000-000000000000");
    const unsigned char counting[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    exoplace__uuid4_text(text, counting);
    ck_assert_str_eq(text, "01234567-89ab-4def-8123-456789abcdef");
}
END_TEST

START_TEST(every_draw_maps_to_exos_port_range_evenly)
{
    static unsigned hits[65536];
    memset(hits, 0, sizeof hits);
    unsigned accepted = 0;
    for (uint32_t u = 0; u <= 0xffff; u++) {
        uint16_t port = exoplace__ephemeral_port_from_draw((uint16_t)u);
        if (u >= 65532) {
            ck_assert_uint_eq(port, 0);
            continue;
        }
        ck_assert_msg(port >= 49152 && port != 52415, "draw %u gave port %u", (unsigned)u, (unsigned)port);
        /* exo's formula: x uniform in 49153..65535, minus one at and below 52415. */
        unsigned x = 49153 + u % 16383;
        ck_assert_uint_eq(port, x <= 52415 ? x - 1 : x);
        hits[port]++;
        accepted++;
    }
    ck_assert_uint_eq(accepted, 4 * 16383);
    for (unsigned port = 0; port <= 0xffff; port++) {
        unsigned expected = port >= 49152 && port != 52415 ? 4 : 0;
        ck_assert_msg(hits[port] == expected, "port %u drawn by %u draws, expected %u", port, hits[port], expected);
    }
}
END_TEST

START_TEST(seed_stream_is_splitmix64_least_significant_byte_first)
{
    exoplace__random r = seeded(0);
    unsigned char b[10];
    exoplace_error err;
    ck_assert_int_eq(exoplace__random_fill(&r, b, 8, &err), EXOPLACE_OK);
    /* SplitMix64's first output from state 0 is 0xe220a8397b1dcdaf. */
    const unsigned char first[8] = {0xaf, 0xcd, 0x1d, 0x7b, 0x39, 0xa8, 0x20, 0xe2};
    ck_assert_mem_eq(b, first, 8);
    /* A draw of 2 bytes takes a whole output: the next draw starts on the third. */
    exoplace__random a = seeded(0), c = seeded(0);
    unsigned char two[2], rest[8], skip[16];
    ck_assert_int_eq(exoplace__random_fill(&a, two, 2, &err), EXOPLACE_OK);
    ck_assert_int_eq(exoplace__random_fill(&a, rest, 8, &err), EXOPLACE_OK);
    ck_assert_int_eq(exoplace__random_fill(&c, skip, 16, &err), EXOPLACE_OK);
    ck_assert_mem_eq(two, first, 2);
    ck_assert_mem_eq(rest, skip + 8, 8);
}
END_TEST

START_TEST(same_seed_same_values_other_seed_other_values)
{
    exoplace__random a = seeded(42), b = seeded(42), c = seeded(43);
    exoplace_error err;
    for (int i = 0; i < 20; i++) {
        char ua[EXOPLACE_UUID_TEXT_BYTES], ub[EXOPLACE_UUID_TEXT_BYTES], uc[EXOPLACE_UUID_TEXT_BYTES];
        ck_assert_int_eq(exoplace__random_uuid4(ua, &a, &err), EXOPLACE_OK);
        ck_assert_int_eq(exoplace__random_uuid4(ub, &b, &err), EXOPLACE_OK);
        ck_assert_int_eq(exoplace__random_uuid4(uc, &c, &err), EXOPLACE_OK);
        assert_uuid4(ua);
        ck_assert_str_eq(ua, ub);
        ck_assert_str_ne(ua, uc);
        uint16_t pa = 0, pb = 0;
        ck_assert_int_eq(exoplace__random_port(&pa, &a, &err), EXOPLACE_OK);
        ck_assert_int_eq(exoplace__random_port(&pb, &b, &err), EXOPLACE_OK);
        ck_assert_uint_eq(pa, pb);
        ck_assert(pa >= 49152 && pa != 52415);
    }
}
END_TEST

START_TEST(system_randomness_gives_distinct_uuid4s)
{
    exoplace__random r;
    exoplace__random_init(&r, NULL);
    char seen[32][EXOPLACE_UUID_TEXT_BYTES];
    exoplace_error err;
    for (int i = 0; i < 32; i++) {
        ck_assert_int_eq(exoplace__random_uuid4(seen[i], &r, &err), EXOPLACE_OK);
        assert_uuid4(seen[i]);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(seen[i], seen[j]);
        uint16_t port = 0;
        ck_assert_int_eq(exoplace__random_port(&port, &r, &err), EXOPLACE_OK);
        ck_assert(port >= 49152 && port != 52415);
    }
}
END_TEST

typedef struct byte_source {
    unsigned char value;
    size_t calls;
    int fail_with;
} byte_source;

static int constant_bytes(void *ctx, void *buffer, size_t length)
{
    byte_source *s = ctx;
    s->calls++;
    if (s->fail_with)
        return s->fail_with;
    memset(buffer, s->value, length);
    return 0;
}

static exoplace__random with_callback(byte_source *source, int also_seeded)
{
    exoplace_place_options o = t_random_options(constant_bytes, source, also_seeded, 0);
    exoplace__random r;
    exoplace__random_init(&r, &o);
    return r;
}

START_TEST(callback_wins_over_the_seed)
{
    byte_source source = {0x00, 0, 0};
    exoplace__random r = with_callback(&source, 1);
    char text[EXOPLACE_UUID_TEXT_BYTES];
    exoplace_error err;
    ck_assert_int_eq(exoplace__random_uuid4(text, &r, &err), EXOPLACE_OK);
    ck_assert_str_eq(text, "00000000-0000-4000-8000-000000000000");
    uint16_t port = 0;
    ck_assert_int_eq(exoplace__random_port(&port, &r, &err), EXOPLACE_OK);
    ck_assert_uint_eq(port, 49152); /* u = 0: x = 49153, one down */
    ck_assert_uint_eq(source.calls, 2);
}
END_TEST

START_TEST(callback_failure_is_e_random)
{
    byte_source source = {0, 0, -5};
    exoplace__random r = with_callback(&source, 0);
    char text[EXOPLACE_UUID_TEXT_BYTES];
    exoplace_error err;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__random_uuid4(text, &r, &err), EXOPLACE_E_RANDOM);
    ck_assert_int_eq(err.code, EXOPLACE_E_RANDOM);
    ck_assert_str_eq(err.message, "the random_bytes callback returned -5");
}
END_TEST

START_TEST(callback_that_never_gives_a_usable_port_draw_fails)
{
    byte_source source = {0xff, 0, 0}; /* u = 65535, always rejected */
    exoplace__random r = with_callback(&source, 0);
    uint16_t port = 1;
    exoplace_error err;
    exoplace__error_clear(&err);
    ck_assert_int_eq(exoplace__random_port(&port, &r, &err), EXOPLACE_E_RANDOM);
    ck_assert_uint_eq(source.calls, 64);
    ck_assert_uint_eq(port, 1);
}
END_TEST

static Suite *random_suite(void)
{
    Suite *s = suite_create("random");
    TCase *tc = tcase_create("random");
    tcase_add_test(tc, uuid4_text_sets_version_and_variant_bits);
    tcase_add_test(tc, every_draw_maps_to_exos_port_range_evenly);
    tcase_add_test(tc, seed_stream_is_splitmix64_least_significant_byte_first);
    tcase_add_test(tc, same_seed_same_values_other_seed_other_values);
    tcase_add_test(tc, system_randomness_gives_distinct_uuid4s);
    tcase_add_test(tc, callback_wins_over_the_seed);
    tcase_add_test(tc, callback_failure_is_e_random);
    tcase_add_test(tc, callback_that_never_gives_a_usable_port_draw_fails);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(random_suite());
}
