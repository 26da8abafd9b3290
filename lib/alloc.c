/* The test-only allocation seam (see alloc.h), empty in the installed
 * library, and the string copy every file shares. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#ifdef EXOPLACE_ALLOC_SEAM
#undef malloc
#undef calloc
#undef realloc

/* Thread-local so that tests on several threads do not disturb each other. */
static _Thread_local long remaining = -1;
static _Thread_local long made = 0;

long exoplace__seam_fail_after(long successes)
{
    long before = made;
    remaining = successes;
    made = 0;
    return before;
}

static int allow(void)
{
    made++;
    if (remaining < 0)
        return 1;
    if (remaining == 0)
        return 0;
    remaining--;
    return 1;
}

void *exoplace__seam_malloc(size_t size)
{
    return allow() ? malloc(size) : NULL;
}

void *exoplace__seam_calloc(size_t count, size_t size)
{
    return allow() ? calloc(count, size) : NULL;
}

void *exoplace__seam_realloc(void *ptr, size_t size)
{
    return allow() ? realloc(ptr, size) : NULL;
}
#endif

char *exoplace__copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
#ifdef EXOPLACE_ALLOC_SEAM
    char *p = exoplace__seam_malloc(n);
#else
    char *p = malloc(n);
#endif
    if (p)
        memcpy(p, s, n);
    return p;
}
