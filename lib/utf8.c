/* UTF-8 validation by jansson's rules. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

size_t exoplace__utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned lead = s[0];
    size_t n;
    uint32_t code;
    if (lead < 0x80)
        return 1;
    if (lead < 0xC2)
        return 0;
    if (lead < 0xE0) {
        n = 2;
        code = lead & 0x1F;
    } else if (lead < 0xF0) {
        n = 3;
        code = lead & 0x0F;
    } else if (lead < 0xF5) {
        n = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && code < 0x800) || (n == 4 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return n;
}

int exoplace__utf8_valid(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t left = strlen(text);
    while (left > 0) {
        size_t n = exoplace__utf8_sequence(s, left);
        if (n == 0)
            return 0;
        s += n;
        left -= n;
    }
    return 1;
}
