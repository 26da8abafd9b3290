/* Multiaddr text as each rule set reads it (internal, not installed): the
 * seed rule set's parser is the public exoplace_multiaddr_parse(); exo-main
 * takes what exo's Multiaddr.PATTERNS match (exo-main.md 1.1). */
#ifndef EXOPLACE_MULTIADDR_H
#define EXOPLACE_MULTIADDR_H

#include <stddef.h>

#include "exoplace.h"

/* What the topology keeps of an address to place with it. */
typedef struct exoplace__address {
    exoplace_address_kind kind;
    size_t host_start; /* the address or name as written: text[host_start .. host_start + host_len) */
    size_t host_len;
    int is_thunderbolt; /* an IPv4 address of four octets 0..255 in 169.254/16 */
} exoplace__address;

/*
 * 1 when text matches one of exo's patterns, /ip4/ + four dot-separated
 * groups of 1-3 ASCII digits, /ip6/ + hex digits and colons, /dns/, /dns4/
 * or /dns6/ + letters, digits, '.' and '-'; each optionally followed by
 * /tcp/ + 1-5 digits, then optionally by /p2p/ + letters and digits, and
 * nothing else. The groups, the port and the IPv6 text are not checked
 * beyond that, as exo does not: /ip4/999.0.0.5/tcp/99999 matches. *out
 * (may be NULL) then describes it. 0 otherwise.
 */
int exoplace__multiaddr_exo_match(exoplace__address *out, const char *text);

/* The same description of text that exoplace_multiaddr_parse() accepted. */
void exoplace__multiaddr_describe(exoplace__address *out, const char *text, const exoplace_multiaddr *parsed);

#endif
