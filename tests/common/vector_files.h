/* Reading vector files for the test runners: a whole file, every *.json
 * of a directory in name order, and the report of a failed check. */
#ifndef EXOPLACE_TEST_VECTOR_FILES_H
#define EXOPLACE_TEST_VECTOR_FILES_H

/* One vector's run: its name and how many of its checks failed. */
typedef struct test_vector_run {
    const char *name;
    int failures;
} test_vector_run;

/* Prints "FAIL <name>: <message>" and counts the failure. */
void test_vector_fail(test_vector_run *run, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The file's bytes and a NUL (free()), or NULL when it cannot be read. */
char *test_read_file(const char *path);

/* Calls run(path, file name, ctx) for each *.json of dir in name order,
 * counting the 1s it returns in *passed and the 0s in *failed. Returns 0
 * when the directory cannot be read (after printing why), else 1. */
int test_for_each_json(const char *dir, int (*run)(const char *path, const char *name, void *ctx), void *ctx,
                       int *passed, int *failed);

#endif
