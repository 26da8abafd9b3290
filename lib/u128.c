/* Arithmetic on exact 128-bit byte counts. */
#include "u128.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static unsigned bit_length(exoplace__u128 x)
{
    unsigned n = 0;
    while (x) {
        x >>= 1;
        n++;
    }
    return n;
}

double exoplace__u128_quotient(exoplace__u128 num, exoplace__u128 den)
{
    if (num == 0 || den == 0)
        return 0.0;
    /* The quotient's first 64 significant bits in m (bit 63 set), the
     * value being (m + rest) * 2^exponent with 0 <= rest < 1, and sticky
     * saying whether rest > 0. */
    exoplace__u128 whole = num / den, rem = num % den;
    uint64_t m;
    int exponent;
    int sticky;
    unsigned whole_bits = bit_length(whole);
    if (whole_bits >= 64) {
        unsigned drop = whole_bits - 64;
        m = (uint64_t)(whole >> drop);
        sticky = (drop && (whole & (((exoplace__u128)1 << drop) - 1)) != 0) || rem != 0;
        exponent = (int)drop;
    } else {
        m = (uint64_t)whole;
        exponent = 0;
        /* Long division, one fractional bit at a time. 2 * rem may not fit
         * in 128 bits, so compare rem with den - rem instead. */
        while (!(m >> 63)) {
            int bit = rem >= den - rem;
            rem = bit ? rem - (den - rem) : rem + rem;
            m = (m << 1) | (uint64_t)bit;
            exponent--;
        }
        sticky = rem != 0;
    }
    /* Round the 64 bits to 53, half to even. */
    uint64_t low = m & 0x7ff;
    uint64_t mantissa = m >> 11;
    exponent += 11;
    const uint64_t half = 0x400;
    if (low > half || (low == half && (sticky || (mantissa & 1))))
        mantissa++;
    if (mantissa >> 53) {
        mantissa >>= 1;
        exponent++;
    }
    return ldexp((double)mantissa, exponent);
}

char *exoplace__u128_text(char buf[EXOPLACE__U128_TEXT_BYTES], exoplace__u128 x)
{
    char digits[EXOPLACE__U128_TEXT_BYTES];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + (unsigned)(x % 10));
        x /= 10;
    } while (x);
    for (size_t i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
    return buf;
}
