/* The allocation seam. In the uninstalled test library (EXOPLACE_ALLOC_SEAM)
 * malloc, calloc and realloc go through counters that a test can make fail
 * at the n-th call; the installed library calls the C library directly and
 * has no such state. Include after <stdlib.h>. */
#ifndef EXOPLACE_ALLOC_H
#define EXOPLACE_ALLOC_H

#include <stddef.h>

/* A malloc() copy of the NUL-terminated s, NULL when out of memory. */
char *exoplace__copy_string(const char *s);

#ifdef EXOPLACE_ALLOC_SEAM
void *exoplace__seam_malloc(size_t size);
void *exoplace__seam_calloc(size_t count, size_t size);
void *exoplace__seam_realloc(void *ptr, size_t size);
/* Makes the allocation after `successes` more succeed fail (this thread
 * only); a negative value never fails. Returns how many were made since. */
long exoplace__seam_fail_after(long successes);
#define malloc(size) exoplace__seam_malloc(size)
#define calloc(count, size) exoplace__seam_calloc(count, size)
#define realloc(ptr, size) exoplace__seam_realloc(ptr, size)
#endif

#endif
