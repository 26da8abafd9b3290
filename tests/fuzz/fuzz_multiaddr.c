/* Fuzz target: exoplace_multiaddr_parse() on arbitrary text.
 * Checks the documented shape of every answer: a valid kind, a terminated
 * host, thunderbolt only for IPv4 text starting "169.254", and on failure
 * E_INVALID_ARGUMENT with a message. Then exo's patterns (multiaddr.h) on
 * the same text: a host inside the text, of the pattern's characters,
 * thunderbolt only for what the seed parser calls thunderbolt, and the same
 * description as the seed parser's where both accept the text. */
#include "fuzz_common.h"

#include "multiaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    exoplace_multiaddr addr;
    exoplace_error err;
    exoplace_status st = exoplace_multiaddr_parse(&addr, text, &err);
    fuzz_check_error(&err, st);
    if (st == EXOPLACE_OK) {
        FUZZ_CHECK(addr.kind == EXOPLACE_ADDRESS_IP4 || addr.kind == EXOPLACE_ADDRESS_IP6 ||
                   addr.kind == EXOPLACE_ADDRESS_DNS);
        size_t host_len = strnlen(addr.host, sizeof addr.host);
        FUZZ_CHECK(host_len > 0 && host_len < sizeof addr.host);
        FUZZ_CHECK(strstr(text, addr.host) != NULL); /* the host is copied as written */
        FUZZ_CHECK(addr.has_port == 0 || addr.has_port == 1);
        if (!addr.has_port)
            FUZZ_CHECK(addr.port == 0);
        FUZZ_CHECK(addr.is_thunderbolt == (addr.kind == EXOPLACE_ADDRESS_IP4 &&
                                           strncmp(addr.host, "169.254", 7) == 0));
        FUZZ_CHECK(text[0] == '/');
    } else {
        FUZZ_CHECK(st == EXOPLACE_E_INVALID_ARGUMENT);
    }

    /* The same answer without an error struct. */
    exoplace_multiaddr again;
    FUZZ_CHECK(exoplace_multiaddr_parse(&again, text, NULL) == st);
    if (st == EXOPLACE_OK)
        FUZZ_CHECK(again.kind == addr.kind && strcmp(again.host, addr.host) == 0 && again.port == addr.port &&
                   again.has_port == addr.has_port && again.is_thunderbolt == addr.is_thunderbolt);

    exoplace__address exo;
    if (exoplace__multiaddr_exo_match(&exo, text)) {
        size_t len = strlen(text);
        FUZZ_CHECK(exo.kind == EXOPLACE_ADDRESS_IP4 || exo.kind == EXOPLACE_ADDRESS_IP6 ||
                   exo.kind == EXOPLACE_ADDRESS_DNS);
        FUZZ_CHECK(exo.host_len > 0 && exo.host_start + exo.host_len <= len);
        FUZZ_CHECK(text[exo.host_start - 1] == '/');
        for (size_t i = exo.host_start; i < exo.host_start + exo.host_len; i++)
            FUZZ_CHECK(text[i] != '/' && (unsigned char)text[i] < 0x80);
        if (exo.kind == EXOPLACE_ADDRESS_IP4) {
            /* Thunderbolt exactly when the seed parser reads the bare host as thunderbolt. */
            char bare[EXOPLACE_MULTIADDR_HOST_BYTES + 8];
            snprintf(bare, sizeof bare, "/ip4/%.*s", (int)exo.host_len, text + exo.host_start);
            exoplace_multiaddr host;
            FUZZ_CHECK(exo.is_thunderbolt ==
                       (exoplace_multiaddr_parse(&host, bare, NULL) == EXOPLACE_OK && host.is_thunderbolt));
        } else {
            FUZZ_CHECK(!exo.is_thunderbolt);
        }
        if (st == EXOPLACE_OK) {
            exoplace__address seed;
            exoplace__multiaddr_describe(&seed, text, &addr);
            FUZZ_CHECK(seed.kind == exo.kind && seed.host_start == exo.host_start && seed.host_len == exo.host_len &&
                       seed.is_thunderbolt == exo.is_thunderbolt);
        }
    }
    FUZZ_CHECK(exoplace__multiaddr_exo_match(NULL, text) == exoplace__multiaddr_exo_match(&exo, text));
    free(text);
    return 0;
}
