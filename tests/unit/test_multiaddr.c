/* Multiaddr parsing and the thunderbolt rule (placement.md section 1). */
#include "unit.h"

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
    return s;
}

int main(void)
{
    return t_run(multiaddr_suite());
}
