/* Multiaddr text: /ip4/A.B.C.D/tcp/PORT, /ip6/ADDR/tcp/PORT, /dns/NAME/tcp/PORT,
 * by the seed rule set's parser and by exo's patterns (multiaddr.h). */
#include "multiaddr.h"

#include "error.h"

#include <arpa/inet.h>
#include <string.h>

/* Copies the next "/"-separated part of *text into part; 0 when there is none. */
static int next_part(const char **text, char *part, size_t part_size, int *too_long)
{
    const char *p = *text;
    if (*p != '/')
        return 0;
    p++;
    size_t n = strcspn(p, "/");
    *too_long = n >= part_size;
    if (*too_long)
        n = part_size - 1;
    memcpy(part, p, n);
    part[n] = '\0';
    *text = p + strcspn(p, "/");
    return 1;
}

static int parse_ipv4(const char *s)
{
    int octets = 0;
    while (octets < 4) {
        if (*s < '0' || *s > '9')
            return 0;
        unsigned value = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            value = value * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || value > 255)
                return 0;
        }
        octets++;
        if (octets < 4 && *s++ != '.')
            return 0;
    }
    return *s == '\0';
}

static int parse_port(const char *s, uint16_t *out)
{
    unsigned long value = 0;
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        value = value * 10 + (unsigned long)(*s - '0');
        if (value > 65535)
            return 0;
    }
    *out = (uint16_t)value;
    return 1;
}

exoplace_status exoplace_multiaddr_parse(exoplace_multiaddr *out, const char *text, exoplace_error *err)
{
    exoplace__error_clear(err);
    if (!out || !text)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr", "multiaddr: must not be NULL");
    memset(out, 0, sizeof *out);
    const char *p = text;
    char protocol[16], host[EXOPLACE_MULTIADDR_HOST_BYTES];
    int too_long = 0;
    if (!next_part(&p, protocol, sizeof protocol, &too_long) || too_long)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": expected /ip4/, /ip6/ or /dns/ at the start", text);
    if (!next_part(&p, host, sizeof host, &too_long) || host[0] == '\0')
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": missing address after /%s/", text, protocol);
    if (too_long)
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": address longer than %d bytes", text,
                              EXOPLACE_MULTIADDR_HOST_BYTES - 1);
    if (strcmp(protocol, "ip4") == 0) {
        if (!parse_ipv4(host))
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                                  "multiaddr \"%.64s\": \"%.64s\" is not an IPv4 address", text, host);
        out->kind = EXOPLACE_ADDRESS_IP4;
        out->is_thunderbolt = strncmp(host, "169.254", 7) == 0;
    } else if (strcmp(protocol, "ip6") == 0) {
        unsigned char addr[16];
        if (inet_pton(AF_INET6, host, addr) != 1)
            return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                                  "multiaddr \"%.64s\": \"%.64s\" is not an IPv6 address", text, host);
        out->kind = EXOPLACE_ADDRESS_IP6;
    } else if (strcmp(protocol, "dns") == 0 || strcmp(protocol, "dns4") == 0 ||
               strcmp(protocol, "dns6") == 0) {
        out->kind = EXOPLACE_ADDRESS_DNS;
    } else {
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": unknown protocol \"%s\"", text, protocol);
    }
    /* The host as written (its length was checked): not a message, so not
     * exoplace__copy_text, which would rewrite bytes that are not UTF-8. */
    memcpy(out->host, host, strlen(host) + 1);

    char transport[16], port[16];
    if (!next_part(&p, transport, sizeof transport, &too_long))
        return *p == '\0' ? EXOPLACE_OK
                          : exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                                           "multiaddr \"%.64s\": unexpected text after the address", text);
    if (too_long || (strcmp(transport, "tcp") != 0 && strcmp(transport, "udp") != 0))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": expected /tcp/PORT or /udp/PORT after the address", text);
    if (!next_part(&p, port, sizeof port, &too_long) || too_long || !parse_port(port, &out->port))
        return exoplace__fail(err, EXOPLACE_E_INVALID_ARGUMENT, "multiaddr",
                              "multiaddr \"%.64s\": port must be a number 0..65535", text);
    out->has_port = 1;
    return EXOPLACE_OK;
}

/* ---- exo's patterns (exo-main.md 1.1) --------------------------------------- */

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_hex_or_colon(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == ':';
}

static int is_dns_char(char ch)
{
    return is_digit(ch) || is_letter(ch) || ch == '.' || ch == '-';
}

static int is_alnum(char ch)
{
    return is_digit(ch) || is_letter(ch);
}

/* The length of the run of characters of class `ok` at s. */
static size_t run_of(const char *s, int (*ok)(char))
{
    size_t n = 0;
    while (s[n] && ok(s[n]))
        n++;
    return n;
}

/* Four dot-separated groups of 1-3 digits, exactly s[0..n). */
static int is_ip4_groups(const char *s, size_t n)
{
    size_t i = 0;
    for (int group = 0; group < 4; group++) {
        if (group > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t digits = 0;
        while (i < n && is_digit(s[i]) && digits < 4) {
            i++;
            digits++;
        }
        if (digits < 1 || digits > 3)
            return 0;
    }
    return i == n;
}

/* Moves *at past "/" + name + "/" when the text there starts so. */
static int skip_part(const char **at, const char *name)
{
    size_t n = strlen(name);
    if ((*at)[0] != '/' || strncmp(*at + 1, name, n) != 0 || (*at)[n + 1] != '/')
        return 0;
    *at += n + 2;
    return 1;
}

int exoplace__multiaddr_exo_match(exoplace__address *out, const char *text)
{
    const char *p = text;
    exoplace__address address = {EXOPLACE_ADDRESS_IP4, 0, 0, 0};
    int (*host_char)(char) = is_hex_or_colon;
    if (skip_part(&p, "ip4")) {
        host_char = NULL;
    } else if (skip_part(&p, "ip6")) {
        address.kind = EXOPLACE_ADDRESS_IP6;
    } else if (skip_part(&p, "dns") || skip_part(&p, "dns4") || skip_part(&p, "dns6")) {
        address.kind = EXOPLACE_ADDRESS_DNS;
        host_char = is_dns_char;
    } else {
        return 0;
    }
    address.host_start = (size_t)(p - text);
    address.host_len = host_char ? run_of(p, host_char) : strcspn(p, "/");
    if (address.host_len == 0 || (!host_char && !is_ip4_groups(p, address.host_len)))
        return 0;
    p += address.host_len;
    if (skip_part(&p, "tcp")) {
        size_t digits = run_of(p, is_digit);
        if (digits < 1 || digits > 5)
            return 0;
        p += digits;
    }
    if (skip_part(&p, "p2p")) {
        size_t peer = run_of(p, is_alnum);
        if (peer < 1)
            return 0;
        p += peer;
    }
    if (*p != '\0')
        return 0;
    if (address.kind == EXOPLACE_ADDRESS_IP4 && address.host_len < EXOPLACE_MULTIADDR_HOST_BYTES) {
        /* Thunderbolt as the seed parser sees it: only a valid dotted quad. */
        char host[EXOPLACE_MULTIADDR_HOST_BYTES];
        memcpy(host, text + address.host_start, address.host_len);
        host[address.host_len] = '\0';
        address.is_thunderbolt = parse_ipv4(host) && strncmp(host, "169.254", 7) == 0;
    }
    if (out)
        *out = address;
    return 1;
}

void exoplace__multiaddr_describe(exoplace__address *out, const char *text, const exoplace_multiaddr *parsed)
{
    /* Both grammars put the host between the second and the third '/'. */
    size_t start = 1 + strcspn(text + 1, "/") + 1;
    *out = (exoplace__address){parsed->kind, start, strlen(parsed->host), parsed->is_thunderbolt};
}
