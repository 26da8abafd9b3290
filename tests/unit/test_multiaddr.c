/* Multiaddr parsing and the thunderbolt rule (placement.md section 1), and
 * exo's patterns of the exo-main rule set (exo-main.md 1.1). */
#include "unit.h"

#include "multiaddr.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

static exoplace_multiaddr parse_ok(const char *text)
{
    exoplace_multiaddr m;
    exoplace_error err;
    memset(&m, 0, sizeof m);
    exoplace_status st = exoplace_multiaddr_parse(&m, text, &err);
    ck_assert_msg(st == EXOPLACE_OK, "parse(%s): %s (%s)", text, exoplace_status_name(st), err.message);
    return m;
}

START_TEST(ip4_with_tcp_port_is_parsed)
{
    exoplace_multiaddr m = parse_ok("/ip4/192.168.1.20/tcp/52415");
    ck_assert_int_eq(m.kind, EXOPLACE_ADDRESS_IP4);
    ck_assert_str_eq(m.host, "192.168.1.20");
    ck_assert_int_eq(m.has_port, 1);
    ck_assert_uint_eq(m.port, 52415);
    ck_assert_int_eq(m.is_thunderbolt, 0);
}
END_TEST

START_TEST(ip4_with_udp_port_has_a_port)
{
    exoplace_multiaddr m = parse_ok("/ip4/10.1.2.3/udp/9");
    ck_assert_int_eq(m.has_port, 1);
    ck_assert_uint_eq(m.port, 9);
}
END_TEST

START_TEST(ip4_without_transport_has_no_port)
{
    exoplace_multiaddr m = parse_ok("/ip4/10.1.2.3");
    ck_assert_int_eq(m.kind, EXOPLACE_ADDRESS_IP4);
    ck_assert_str_eq(m.host, "10.1.2.3");
    ck_assert_int_eq(m.has_port, 0);
}
END_TEST

START_TEST(port_bounds_zero_and_65535_are_accepted)
{
    ck_assert_uint_eq(parse_ok("/ip4/1.2.3.4/tcp/0").port, 0);
    ck_assert_uint_eq(parse_ok("/ip4/1.2.3.4/tcp/65535").port, 65535);
}
END_TEST

START_TEST(octet_bounds_are_accepted)
{
    ck_assert_str_eq(parse_ok("/ip4/0.0.0.0/tcp/1").host, "0.0.0.0");
    ck_assert_str_eq(parse_ok("/ip4/255.255.255.255/tcp/1").host, "255.255.255.255");
}
END_TEST

START_TEST(parts_after_the_transport_are_ignored)
{
    exoplace_multiaddr m = parse_ok("/ip4/10.0.0.1/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
    ck_assert_str_eq(m.host, "10.0.0.1");
    ck_assert_uint_eq(m.port, 4001);
}
END_TEST

START_TEST(ip4_in_169_254_is_thunderbolt)
{
    exoplace_multiaddr m = parse_ok("/ip4/169.254.0.2/tcp/52415");
    ck_assert_int_eq(m.kind, EXOPLACE_ADDRESS_IP4);
    ck_assert_int_eq(m.is_thunderbolt, 1);
    ck_assert_int_eq(parse_ok("/ip4/169.254.255.255").is_thunderbolt, 1);
}
END_TEST

START_TEST(neighbouring_prefixes_are_not_thunderbolt)
{
    ck_assert_int_eq(parse_ok("/ip4/169.253.0.1/tcp/1").is_thunderbolt, 0);
    ck_assert_int_eq(parse_ok("/ip4/169.25.4.1/tcp/1").is_thunderbolt, 0);
    ck_assert_int_eq(parse_ok("/ip4/10.169.254.1/tcp/1").is_thunderbolt, 0);
}
END_TEST

START_TEST(ip6_is_parsed_and_never_thunderbolt)
{
    exoplace_multiaddr m = parse_ok("/ip6/fe80::1/tcp/52415");
    ck_assert_int_eq(m.kind, EXOPLACE_ADDRESS_IP6);
    ck_assert_str_eq(m.host, "fe80::1");
    ck_assert_int_eq(m.has_port, 1);
    ck_assert_uint_eq(m.port, 52415);
    ck_assert_int_eq(m.is_thunderbolt, 0);
    ck_assert_int_eq(parse_ok("/ip6/::1/tcp/1").kind, EXOPLACE_ADDRESS_IP6);
    ck_assert_int_eq(parse_ok("/ip6/::ffff:169.254.0.1/tcp/1").is_thunderbolt, 0);
}
END_TEST

START_TEST(dns_names_are_parsed_and_never_thunderbolt)
{
    exoplace_multiaddr m = parse_ok("/dns/node-1.local/tcp/52415");
    ck_assert_int_eq(m.kind, EXOPLACE_ADDRESS_DNS);
    ck_assert_str_eq(m.host, "node-1.local");
    ck_assert_uint_eq(m.port, 52415);
    ck_assert_int_eq(parse_ok("/dns4/example.com/tcp/1").kind, EXOPLACE_ADDRESS_DNS);
    ck_assert_int_eq(parse_ok("/dns6/example.com/tcp/1").kind, EXOPLACE_ADDRESS_DNS);
    ck_assert_int_eq(parse_ok("/dns/169.254.example/tcp/1").is_thunderbolt, 0);
}
END_TEST

static const char *const malformed[] = {
    "",
    "/",
    "ip4/10.0.0.1/tcp/1",
    "/ip4",
    "/ip4/",
    "/ip4//tcp/1",
    "/ip4/256.0.0.1/tcp/1",
    "/ip4/1.2.3/tcp/1",
    "/ip4/1.2.3.4.5/tcp/1",
    "/ip4/1..3.4/tcp/1",
    "/ip4/a.b.c.d/tcp/1",
    "/ip4/1.2.3.-4/tcp/1",
    "/ip4/1.2.3.4/tcp",
    "/ip4/1.2.3.4/tcp/",
    "/ip4/1.2.3.4/tcp/65536",
    "/ip4/1.2.3.4/tcp/-1",
    "/ip4/1.2.3.4/tcp/abc",
    "/ip4/1.2.3.4/tcp/5x",
    "/ip4/1.2.3.4/tcp/99999999999999999999",
    "/ip6/zz::1/tcp/1",
    "/ip6/1.2.3.4/tcp/1",
    "/ip6/1:2:3:4:5:6:7:8:9/tcp/1",
    "/ip6//tcp/1",
    "/dns//tcp/1",
    "/dns",
    "/ip5/1.2.3.4/tcp/1",
    "/foo/bar/tcp/1",
};

START_TEST(malformed_multiaddr_is_invalid_argument)
{
    const char *text = malformed[_i];
    exoplace_multiaddr m;
    exoplace_error err;
    exoplace_status st = exoplace_multiaddr_parse(&m, text, &err);
    ck_assert_msg(st == EXOPLACE_E_INVALID_ARGUMENT, "parse(\"%s\") gave %s", text, exoplace_status_name(st));
    ck_assert_int_eq(err.code, EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_uint_gt(strlen(err.message), 0);
}
END_TEST

START_TEST(host_longer_than_the_host_buffer_is_rejected)
{
    char text[600];
    strcpy(text, "/dns/");
    memset(text + 5, 'h', 400);
    strcpy(text + 405, "/tcp/1");
    exoplace_multiaddr m;
    ck_assert_int_ne(exoplace_multiaddr_parse(&m, text, NULL), EXOPLACE_OK);
}
END_TEST

START_TEST(null_arguments_are_invalid)
{
    exoplace_multiaddr m;
    ck_assert_int_eq(exoplace_multiaddr_parse(NULL, "/ip4/1.2.3.4/tcp/1", NULL), EXOPLACE_E_INVALID_ARGUMENT);
    ck_assert_int_eq(exoplace_multiaddr_parse(&m, NULL, NULL), EXOPLACE_E_INVALID_ARGUMENT);
}
END_TEST

/* exo's Multiaddr.PATTERNS (shared/types/multiaddr.py), as POSIX extended
 * regular expressions over ASCII (group 1: the host), in exo's order. */
static const struct {
    const char *pattern;
    exoplace_address_kind kind;
} exo_patterns[] = {
    {"^/ip4/([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})(/tcp/([0-9]{1,5}))?(/p2p/[A-Za-z0-9]+)?$",
     EXOPLACE_ADDRESS_IP4},
    {"^/ip6/([0-9a-fA-F:]+)(/tcp/([0-9]{1,5}))?(/p2p/[A-Za-z0-9]+)?$", EXOPLACE_ADDRESS_IP6},
    {"^/dns[46]?/([a-zA-Z0-9.-]+)(/tcp/([0-9]{1,5}))?(/p2p/[A-Za-z0-9]+)?$", EXOPLACE_ADDRESS_DNS},
};

/* Every protocol x host x tail, matched by exoplace__multiaddr_exo_match()
 * and by the regular expressions: the same answer, the same kind and host. */
START_TEST(exo_patterns_agree_with_exos_regular_expressions)
{
    static const char *const protocols[] = {"/ip4/", "/ip6/", "/dns/", "/dns4/", "/dns6/", "/dns5/",
                                            "/IP4/", "/ip4",  "",      "/tcp/", "ip4/"};
    static const char *const hosts[] = {"10.0.0.5",   "999.0.0.5",  "169.254.0.2", "169.254.0.256", "1.2.3",
                                        "1.2.3.4.5",  "1000.0.0.1", "10..0.1",     "fe80::1",       ":::::",
                                        "1",          "g",          "a-b.c",       "a_b",           "",
                                        "::ffff:1.2.3.4", "\xc3\xbc", "Qm"};
    static const char *const tails[] = {"",        "/tcp/1",        "/tcp/99999",    "/tcp/123456",  "/tcp/",
                                        "/p2p/Qm1", "/tcp/1/p2p/Qm", "/p2p/Qm/tcp/1", "/p2p/",        "/p2p/a-b",
                                        "/udp/1",  "/",             "\n",            " ",            "/tcp/1/tcp/2",
                                        "/tcp/+1"};
    regex_t re[3];
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(regcomp(&re[k], exo_patterns[k].pattern, REG_EXTENDED), 0);
    size_t matched = 0;
    for (size_t p = 0; p < sizeof protocols / sizeof protocols[0]; p++)
        for (size_t h = 0; h < sizeof hosts / sizeof hosts[0]; h++)
            for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
                char text[128];
                snprintf(text, sizeof text, "%s%s%s", protocols[p], hosts[h], tails[t]);
                int expected = -1;
                regmatch_t group[2];
                for (int k = 0; k < 3 && expected < 0; k++)
                    if (regexec(&re[k], text, 2, group, 0) == 0)
                        expected = k;
                exoplace__address a;
                int got = exoplace__multiaddr_exo_match(&a, text);
                ck_assert_msg(got == (expected >= 0), "%s: %d", text, got);
                if (!got)
                    continue;
                matched++;
                ck_assert_int_eq(a.kind, exo_patterns[expected].kind);
                ck_assert_uint_eq(a.host_start, (size_t)group[1].rm_so);
                ck_assert_uint_eq(a.host_len, (size_t)(group[1].rm_eo - group[1].rm_so));
                exoplace_multiaddr seed;
                char host[64];
                snprintf(host, sizeof host, "/ip4/%s", hosts[h]);
                int valid_ip4 = exoplace_multiaddr_parse(&seed, host, NULL) == EXOPLACE_OK;
                ck_assert_int_eq(a.is_thunderbolt,
                                 a.kind == EXOPLACE_ADDRESS_IP4 && valid_ip4 && seed.is_thunderbolt);
            }
    for (int k = 0; k < 3; k++)
        regfree(&re[k]);
    ck_assert_uint_gt(matched, 100);
}
END_TEST

START_TEST(exo_patterns_describe_what_the_seed_parser_reads)
{
    const char *texts[] = {"/ip4/10.0.0.5/tcp/52415", "/ip6/fe80::1", "/dns4/a.b/tcp/1", "/dns/x"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        exoplace_multiaddr parsed = parse_ok(texts[i]);
        exoplace__address seed, exo;
        exoplace__multiaddr_describe(&seed, texts[i], &parsed);
        ck_assert(exoplace__multiaddr_exo_match(&exo, texts[i]));
        ck_assert_int_eq(seed.kind, exo.kind);
        ck_assert_uint_eq(seed.host_start, exo.host_start);
        ck_assert_uint_eq(seed.host_len, exo.host_len);
        ck_assert_int_eq(seed.is_thunderbolt, exo.is_thunderbolt);
    }
    ck_assert(!exoplace__multiaddr_exo_match(NULL, "/ip4/1.2.3.4/udp/1"));
    ck_assert(exoplace__multiaddr_exo_match(NULL, "/ip4/1.2.3.4/p2p/Qm"));
}
END_TEST

static Suite *multiaddr_suite(void)
{
    Suite *s = suite_create("multiaddr");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, ip4_with_tcp_port_is_parsed);
    tcase_add_test(tc, ip4_with_udp_port_has_a_port);
    tcase_add_test(tc, ip4_without_transport_has_no_port);
    tcase_add_test(tc, port_bounds_zero_and_65535_are_accepted);
    tcase_add_test(tc, octet_bounds_are_accepted);
    tcase_add_test(tc, parts_after_the_transport_are_ignored);
    tcase_add_test(tc, ip6_is_parsed_and_never_thunderbolt);
    tcase_add_test(tc, dns_names_are_parsed_and_never_thunderbolt);
    suite_add_tcase(s, tc);

    tc = tcase_create("thunderbolt");
    tcase_add_test(tc, ip4_in_169_254_is_thunderbolt);
    tcase_add_test(tc, neighbouring_prefixes_are_not_thunderbolt);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_loop_test(tc, malformed_multiaddr_is_invalid_argument, 0,
                        (int)(sizeof malformed / sizeof malformed[0]));
    tcase_add_test(tc, host_longer_than_the_host_buffer_is_rejected);
    tcase_add_test(tc, null_arguments_are_invalid);
    suite_add_tcase(s, tc);

    tc = tcase_create("exo patterns");
    tcase_add_test(tc, exo_patterns_agree_with_exos_regular_expressions);
    tcase_add_test(tc, exo_patterns_describe_what_the_seed_parser_reads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_run(multiaddr_suite());
}
