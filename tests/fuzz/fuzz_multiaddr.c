/* Fuzz target: exoplace_multiaddr_parse() on arbitrary text.
 * Checks the documented shape of every answer: a valid kind, a terminated
 * host, thunderbolt only for IPv4 text starting "169.254", and on failure
 * E_INVALID_ARGUMENT with a message. */
#include "fuzz_common.h"

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
    free(text);
    return 0;
}
