/*
 * The public header on its own, as C11: it must be the first and only
 * include, compile with -Wall -Wextra -Wpedantic -Werror, survive a second
 * inclusion, and link against the library as declared.
 */
#include "exoplace.h"
#include "exoplace.h" /* the include guard holds */

_Static_assert(EXOPLACE_OK == 0, "EXOPLACE_OK is 0");
_Static_assert(EXOPLACE_E_PROBE == 14, "status values are pinned");
_Static_assert(sizeof(exoplace_error) >= EXOPLACE_ERROR_MESSAGE_BYTES + EXOPLACE_ERROR_FIELD_BYTES,
               "exoplace_error holds its buffers");

int main(void)
{
    const char *version = exoplace_version();
    exoplace_topology *topology = NULL;
    exoplace_error err;
    if (exoplace_topology_new(&topology, &err) != EXOPLACE_OK)
        return 1;
    exoplace_topology_free(topology);
    return version && version[0] ? 0 : 1;
}
