/* The system's random bytes, and the random ids and ports of exo-main
 * instances: a caller's callback, a seeded SplitMix64 stream, or the
 * system's randomness. */
#ifdef __APPLE__
/* arc4random_buf() is hidden by the project-wide _POSIX_C_SOURCE on Darwin. */
#define _DARWIN_C_SOURCE
#endif

#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(EXOPLACE_HAVE_GETRANDOM)
#include <sys/random.h>
#endif

#include "error.h"

/* The port range of exo's utils/ports.py: uniform over 49153..65535, then
 * one down at and below its API port, so 52415 is never drawn. */
#define PORT_DRAW_FIRST 49153u
#define PORT_DRAW_COUNT 16383u /* 49153..65535 */
#define API_PORT 52415u
/* The largest multiple of PORT_DRAW_COUNT that 16 bits hold: draws at or
 * above it are rejected so that every port is equally likely. */
#define PORT_DRAW_LIMIT (4u * PORT_DRAW_COUNT)
/* A fair source is rejected with probability 4/65536 per draw; a callback
 * that keeps giving rejected draws fails instead of looping for ever. */
#define PORT_MAX_DRAWS 64

void exoplace__random_init(exoplace__random *random, const exoplace_place_options *options)
{
    memset(random, 0, sizeof *random);
    if (!options)
        return;
    random->callback = options->random_bytes;
    random->ctx = options->random_ctx;
    random->seeded = options->use_random_seed != 0;
    random->state = options->random_seed;
}

static uint64_t splitmix64_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* getrandom() or arc4random_buf(), whichever this system has. */
static int system_call_random(unsigned char *out, size_t length)
{
#if defined(EXOPLACE_HAVE_GETRANDOM)
    size_t got = 0;
    while (got < length) {
        /* GRND_NONBLOCK: before the pool is ready, /dev/urandom rather than a wait. */
        ssize_t n = getrandom(out + got, length - got, GRND_NONBLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        got += (size_t)n;
    }
    return 1;
#elif defined(EXOPLACE_HAVE_ARC4RANDOM_BUF)
    arc4random_buf(out, length);
    return 1;
#else
    (void)out;
    (void)length;
    return 0;
#endif
}

static int urandom(unsigned char *out, size_t length)
{
    int fd;
    do
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return 0;
    size_t got = 0;
    while (got < length) {
        ssize_t n = read(fd, out + got, length - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == length;
}

int exoplace__system_random(void *buffer, size_t length)
{
    return system_call_random(buffer, length) || urandom(buffer, length);
}

exoplace_status exoplace__random_fill(exoplace__random *random, void *buffer, size_t length, exoplace_error *err)
{
    unsigned char *out = buffer;
    if (random->callback) {
        int rc = random->callback(random->ctx, buffer, length);
        if (rc != 0)
            return exoplace__fail(err, EXOPLACE_E_RANDOM, "random_bytes", "the random_bytes callback returned %d",
                                  rc);
        return EXOPLACE_OK;
    }
    if (random->seeded) {
        for (size_t at = 0; at < length; at += 8) {
            uint64_t word = splitmix64_next(&random->state);
            for (size_t i = 0; i < 8 && at + i < length; i++)
                out[at + i] = (unsigned char)(word >> (8 * i));
        }
        return EXOPLACE_OK;
    }
    if (exoplace__system_random(out, length))
        return EXOPLACE_OK;
    return exoplace__fail(err, EXOPLACE_E_RANDOM, NULL,
                          "the system random source failed (getrandom, arc4random_buf and /dev/urandom)");
}

void exoplace__uuid4_text(char text_out[EXOPLACE_UUID_TEXT_BYTES], const unsigned char bytes[16])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    memcpy(b, bytes, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 (RFC 4122) */
    size_t at = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            text_out[at++] = '-';
        text_out[at++] = hex[b[i] >> 4];
        text_out[at++] = hex[b[i] & 0x0f];
    }
    text_out[at] = '\0';
}

exoplace_status exoplace__random_uuid4(char text_out[EXOPLACE_UUID_TEXT_BYTES], exoplace__random *random,
                                      exoplace_error *err)
{
    unsigned char bytes[16];
    exoplace_status st = exoplace__random_fill(random, bytes, sizeof bytes, err);
    if (st)
        return st;
    exoplace__uuid4_text(text_out, bytes);
    return EXOPLACE_OK;
}

uint16_t exoplace__ephemeral_port_from_draw(uint16_t u)
{
    if (u >= PORT_DRAW_LIMIT)
        return 0;
    unsigned x = PORT_DRAW_FIRST + u % PORT_DRAW_COUNT;
    return (uint16_t)(x <= API_PORT ? x - 1 : x);
}

exoplace_status exoplace__random_port(uint16_t *port_out, exoplace__random *random, exoplace_error *err)
{
    for (int draw = 0; draw < PORT_MAX_DRAWS; draw++) {
        unsigned char b[2];
        exoplace_status st = exoplace__random_fill(random, b, sizeof b, err);
        if (st)
            return st;
        uint16_t port = exoplace__ephemeral_port_from_draw((uint16_t)(b[0] | (b[1] << 8)));
        if (port) {
            *port_out = port;
            return EXOPLACE_OK;
        }
    }
    return exoplace__fail(err, EXOPLACE_E_RANDOM, "random_bytes", "%d port draws in a row were all >= %u",
                          PORT_MAX_DRAWS, PORT_DRAW_LIMIT);
}
