/* Random bytes (internal): the system's, for the hash keys and by default
 * for exo-main instances, and the source of an instance's ids and ephemeral
 * port (exo-main.md 7 and 9). The draw order and the byte streams are
 * documented in exoplace.h ("Instances"). */
#ifndef EXOPLACE_RANDOM_H
#define EXOPLACE_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "exoplace.h"

/* Fills length bytes from the system: getrandom() where it exists (Linux),
 * else arc4random_buf() (macOS, the BSDs); when that fails or is missing,
 * /dev/urandom. Never blocks (getrandom() is asked not to wait for the
 * entropy pool). Returns 1, or 0 when none of them gave the bytes. */
int exoplace__system_random(void *buffer, size_t length);

/* One source for one call; no state outside it. */
typedef struct exoplace__random {
    int (*callback)(void *ctx, void *buffer, size_t length);
    void *ctx;
    int seeded;
    uint64_t state; /* SplitMix64 */
} exoplace__random;

/* The source the options choose (NULL options: the system's randomness). */
void exoplace__random_init(exoplace__random *random, const exoplace_place_options *options);

/* Fills length bytes. E_RANDOM when the callback or the system fails. */
exoplace_status exoplace__random_fill(exoplace__random *random, void *buffer, size_t length, exoplace_error *err);

/* A uuid4 as exo's Id makes it: 36 lowercase characters and a NUL. */
exoplace_status exoplace__random_uuid4(char text_out[EXOPLACE_UUID_TEXT_BYTES], exoplace__random *random,
                                      exoplace_error *err);

/* The uuid4 text of 16 bytes (version and variant bits set). */
void exoplace__uuid4_text(char text_out[EXOPLACE_UUID_TEXT_BYTES], const unsigned char bytes[16]);

/* exo's random_ephemeral_port: 49152..65535 without 52415, uniform. */
exoplace_status exoplace__random_port(uint16_t *port_out, exoplace__random *random, exoplace_error *err);

/* The port for one 16-bit draw, or 0 when the draw is rejected (u >= 65532,
 * which keeps the 16383 ports equally likely). */
uint16_t exoplace__ephemeral_port_from_draw(uint16_t u);

#endif
