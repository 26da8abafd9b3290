/* Reading vector files for the test runners: a whole file, and every
 * *.json of a directory in name order. */
#ifndef EXOPLACE_TEST_VECTOR_FILES_H
#define EXOPLACE_TEST_VECTOR_FILES_H

/* The file's bytes and a NUL (free()), or NULL when it cannot be read. */
char *test_read_file(const char *path);

/* Calls run(path, file name, ctx) for each *.json of dir in name order,
 * counting the 1s it returns in *passed and the 0s in *failed. Returns 0
 * when the directory cannot be read (after printing why), else 1. */
int test_for_each_json(const char *dir, int (*run)(const char *path, const char *name, void *ctx), void *ctx,
                       int *passed, int *failed);

#endif
