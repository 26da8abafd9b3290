/*
 * Strings that collide in FNV-1a-64's low bits, the unkeyed hash the
 * topology's indexes once used: the benchmark's and the unit tests' flooding
 * inputs (header-only, public C only).
 *
 * FNV-1a's state is XORed with a byte and multiplied modulo 2^64, so its low
 * k bits after a byte depend only on its low k bits before and on the byte.
 * Blocks that lead from one state to the same low k bits therefore collide
 * whatever comes before or after them, and a chain of such sets, one set of
 * FNV_WAYS blocks per step, gives FNV_WAYS^steps strings of one length that
 * all share their low k bits: string i takes block (i / FNV_WAYS^s) %
 * FNV_WAYS of step s. Each set is the first FNV_WAYS 3-character blocks that
 * land on one value (of 2^18 blocks in 2^20 values, about 170 values get
 * four).
 */
#ifndef EXOPLACE_TEST_FNV_COLLISIONS_H
#define EXOPLACE_TEST_FNV_COLLISIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET_BASIS 1469598103934665603ull
#define FNV_PRIME 1099511628211ull
/* Bits every chained string shares: enough for an index of 2^20 slots. */
#define FNV_COLLISION_BITS 20u
#define FNV_BLOCK_BYTES 3u
#define FNV_WAYS 4u
#define FNV_MAX_STEPS 12u

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* The old pair hash (splitmix64's finalizer of from << 32 | to), where the
 * old connection hash started. */
static uint64_t old_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

typedef struct fnv_chain {
    size_t steps;
    size_t length; /* of every string */
    char blocks[FNV_MAX_STEPS][FNV_WAYS][FNV_BLOCK_BYTES];
} fnv_chain;

static void fnv_block(char *out, uint32_t j)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    for (unsigned b = 0; b < FNV_BLOCK_BYTES; b++)
        out[b] = alphabet[(j >> (6 * b)) & 63u];
}

/* Builds `steps` sets from the FNV-1a state `state` (the hash of whatever
 * precedes the chain). Returns 0, or -1 when out of memory or when a step
 * found no set (not seen in practice). */
static int fnv_chain_build(fnv_chain *chain, uint64_t state, size_t steps)
{
    const uint64_t mask = (1ull << FNV_COLLISION_BITS) - 1;
    const uint32_t candidates = 1u << (6 * FNV_BLOCK_BYTES);
    if (steps > FNV_MAX_STEPS)
        return -1;
    unsigned char *count = (unsigned char *)malloc((size_t)1 << FNV_COLLISION_BITS);
    if (!count)
        return -1;
    chain->steps = steps;
    chain->length = steps * FNV_BLOCK_BYTES;
    for (size_t s = 0; s < steps; s++) {
        memset(count, 0, (size_t)1 << FNV_COLLISION_BITS);
        char block[FNV_BLOCK_BYTES];
        uint64_t target = UINT64_MAX;
        for (uint32_t j = 0; j < candidates && target == UINT64_MAX; j++) {
            fnv_block(block, j);
            uint64_t low = fnv1a(state, block, sizeof block) & mask;
            if (++count[low] == FNV_WAYS)
                target = low;
        }
        if (target == UINT64_MAX) {
            free(count);
            return -1;
        }
        unsigned found = 0;
        for (uint32_t j = 0; found < FNV_WAYS; j++) {
            fnv_block(block, j);
            if ((fnv1a(state, block, sizeof block) & mask) == target)
                memcpy(chain->blocks[s][found++], block, sizeof block);
        }
        /* Every block of the set leaves the same low bits: any will do. */
        state = fnv1a(state, chain->blocks[s][0], FNV_BLOCK_BYTES);
    }
    free(count);
    return 0;
}

/* Writes string `index` of the chain (chain->length characters, no NUL). */
static void fnv_chain_string(char *out, const fnv_chain *chain, uint64_t index)
{
    for (size_t s = 0; s < chain->steps; s++, index /= FNV_WAYS)
        memcpy(out + s * FNV_BLOCK_BYTES, chain->blocks[s][index % FNV_WAYS], FNV_BLOCK_BYTES);
}

#endif
