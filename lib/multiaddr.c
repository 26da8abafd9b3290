/* Multiaddr text: /ip4/A.B.C.D/tcp/PORT, /ip6/ADDR/tcp/PORT, /dns/NAME/tcp/PORT. */
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
