/* Exact sums of 64-bit byte counts: placement.md requires that distinct sums
 * never tie, so they are 128-bit, never wrapping or saturating. */
#ifndef EXOPLACE_U128_H
#define EXOPLACE_U128_H

#if !defined(__SIZEOF_INT128__)
#error "libexoplace needs a compiler with unsigned __int128 (GCC or Clang on a 64-bit target)"
#endif

__extension__ typedef unsigned __int128 exoplace__u128;

/* num / den as the correctly rounded double (round half to even), which is
 * what Python's int / int gives: converting both to double first rounds
 * twice once they pass 2^53. den must not be 0. */
double exoplace__u128_quotient(exoplace__u128 num, exoplace__u128 den);

/* Decimal digits of x, NUL-terminated (at most 39 digits). Returns buf. */
#define EXOPLACE__U128_TEXT_BYTES 40
char *exoplace__u128_text(char buf[EXOPLACE__U128_TEXT_BYTES], exoplace__u128 x);

#endif
