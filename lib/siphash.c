/* SipHash, from the algorithm's description in the paper (section 2), and
 * the random keys of the topology's indexes. */
#include "siphash.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "random.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void sip_rounds(uint64_t v[4], unsigned rounds)
{
    for (unsigned r = 0; r < rounds; r++) {
        v[0] += v[1];
        v[1] = rotl(v[1], 13);
        v[1] ^= v[0];
        v[0] = rotl(v[0], 32);
        v[2] += v[3];
        v[3] = rotl(v[3], 16);
        v[3] ^= v[2];
        v[0] += v[3];
        v[3] = rotl(v[3], 21);
        v[3] ^= v[0];
        v[2] += v[1];
        v[1] = rotl(v[1], 17);
        v[1] ^= v[2];
        v[2] = rotl(v[2], 32);
    }
}

static void compress(exoplace__siphash *s, uint64_t m)
{
    uint64_t v[4] = {s->v0, s->v1, s->v2, s->v3};
    v[3] ^= m;
    sip_rounds(v, s->c_rounds);
    v[0] ^= m;
    s->v0 = v[0];
    s->v1 = v[1];
    s->v2 = v[2];
    s->v3 = v[3];
}

exoplace__siphash_key exoplace__siphash_key_from_bytes(const unsigned char bytes[EXOPLACE__SIPHASH_KEY_BYTES])
{
    exoplace__siphash_key key = {load_le64(bytes), load_le64(bytes + 8)};
    return key;
}

void exoplace__siphash_init(exoplace__siphash *state, exoplace__siphash_key key, unsigned c_rounds,
                            unsigned d_rounds)
{
    /* "somepseudorandomlygeneratedbytes" */
    state->v0 = key.k0 ^ 0x736f6d6570736575ull;
    state->v1 = key.k1 ^ 0x646f72616e646f6dull;
    state->v2 = key.k0 ^ 0x6c7967656e657261ull;
    state->v3 = key.k1 ^ 0x7465646279746573ull;
    state->tail = 0;
    state->length = 0;
    state->c_rounds = c_rounds;
    state->d_rounds = d_rounds;
}

void exoplace__siphash_update(exoplace__siphash *state, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t pending = state->length % 8;
    state->length += len;
    /* Complete a word begun by an earlier update. */
    while (pending != 0 && len > 0) {
        state->tail |= (uint64_t)*p++ << (8 * pending);
        len--;
        if (++pending == 8) {
            compress(state, state->tail);
            state->tail = 0;
            pending = 0;
        }
    }
    for (; len >= 8; p += 8, len -= 8)
        compress(state, load_le64(p));
    for (size_t i = 0; i < len; i++)
        state->tail |= (uint64_t)p[i] << (8 * (pending + i));
}

uint64_t exoplace__siphash_final(const exoplace__siphash *state)
{
    exoplace__siphash s = *state;
    /* The last word carries the length modulo 256 in its top byte. */
    compress(&s, s.tail | ((uint64_t)(s.length & 0xff) << 56));
    uint64_t v[4] = {s.v0, s.v1, s.v2 ^ 0xff, s.v3};
    sip_rounds(v, s.d_rounds);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t exoplace__siphash13(exoplace__siphash_key key, const void *data, size_t len)
{
    exoplace__siphash s;
    exoplace__siphash_init(&s, key, 1, 3);
    exoplace__siphash_update(&s, data, len);
    return exoplace__siphash_final(&s);
}

/* ---- random keys ---------------------------------------------------------- */

/* The last resort: whatever differs between processes, topologies and calls,
 * hashed so that every input bit reaches every key bit. */
static void weak_random(unsigned char *out, size_t len, const void *salt)
{
    struct {
        struct timespec realtime, monotonic;
        long pid;
        const void *salt, *stack;
    } seed;
    memset(&seed, 0, sizeof seed);
    clock_gettime(CLOCK_REALTIME, &seed.realtime);
    clock_gettime(CLOCK_MONOTONIC, &seed.monotonic);
    seed.pid = (long)getpid();
    seed.salt = salt;
    seed.stack = &seed;
    exoplace__siphash_key fixed = {0x6578706c61636521ull, 0x6b65792d6d697821ull};
    for (size_t i = 0; i < len; i += 8) {
        exoplace__siphash s;
        exoplace__siphash_init(&s, fixed, 2, 4);
        unsigned char block = (unsigned char)(i / 8);
        exoplace__siphash_update(&s, &block, 1);
        exoplace__siphash_update(&s, &seed, sizeof seed);
        uint64_t h = exoplace__siphash_final(&s);
        for (size_t j = 0; j < 8 && i + j < len; j++)
            out[i + j] = (unsigned char)(h >> (8 * j));
    }
}

exoplace__siphash_key exoplace__siphash_random_key(const void *salt)
{
    unsigned char bytes[EXOPLACE__SIPHASH_KEY_BYTES];
    if (!exoplace__system_random(bytes, sizeof bytes))
        weak_random(bytes, sizeof bytes, salt);
    return exoplace__siphash_key_from_bytes(bytes);
}
