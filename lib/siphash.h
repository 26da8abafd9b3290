/* SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012),
 * internal. A keyed hash: without the 128-bit key an attacker cannot predict
 * its outputs, so cannot choose inputs that collide in a hash index. The
 * indexes use SipHash-1-3 (one compression round per word, three
 * finalization rounds), the variant hash tables use; the round counts are
 * parameters so that tests can check the reference SipHash-2-4 vectors. */
#ifndef EXOPLACE_SIPHASH_H
#define EXOPLACE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define EXOPLACE__SIPHASH_KEY_BYTES 16

/* A key as the algorithm reads it: bytes 0..7 and 8..15, little-endian. */
typedef struct exoplace__siphash_key {
    uint64_t k0, k1;
} exoplace__siphash_key;

/* Streaming state: the hash of the concatenation of every update. */
typedef struct exoplace__siphash {
    uint64_t v0, v1, v2, v3;
    uint64_t tail;  /* bytes not yet compressed, little-endian */
    size_t length;  /* bytes absorbed so far */
    unsigned c_rounds, d_rounds;
} exoplace__siphash;

/* The key read from 16 bytes. */
exoplace__siphash_key exoplace__siphash_key_from_bytes(const unsigned char bytes[EXOPLACE__SIPHASH_KEY_BYTES]);

/* Starts SipHash-c-d under `key`. */
void exoplace__siphash_init(exoplace__siphash *state, exoplace__siphash_key key, unsigned c_rounds,
                            unsigned d_rounds);

/* Absorbs len bytes (data may be NULL when len is 0). */
void exoplace__siphash_update(exoplace__siphash *state, const void *data, size_t len);

/* The 64-bit hash of everything absorbed; the state is left unchanged. */
uint64_t exoplace__siphash_final(const exoplace__siphash *state);

/* SipHash-1-3 of one buffer. */
uint64_t exoplace__siphash13(exoplace__siphash_key key, const void *data, size_t len);

/* Fills a fresh key from the system's random source: getrandom() where it
 * exists (Linux), else arc4random_buf() (macOS, the BSDs); when that fails
 * or is missing, /dev/urandom; when that fails too (a chroot without /dev,
 * descriptors exhausted), a mix of the clocks, the process id and the
 * addresses of `salt` and of the stack. The last is predictable to someone
 * who can guess those values: the index then works as before, only without
 * its guarantee against chosen collisions. Never blocks (getrandom() is
 * asked not to wait for the entropy pool), never fails. */
exoplace__siphash_key exoplace__siphash_random_key(const void *salt);

#endif
