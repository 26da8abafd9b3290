/* Reading vector files for the test runners, and reporting their checks. */
#include "vector_files.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void test_vector_fail(test_vector_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s: ", run->name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    run->failures++;
}

char *test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t capacity = 1 << 16, len = 0;
    char *text = malloc(capacity + 1);
    size_t got;
    while (text && (got = fread(text + len, 1, capacity - len, f)) > 0) {
        len += got;
        if (len == capacity) {
            char *grown = realloc(text, 2 * capacity + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            capacity *= 2;
        }
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

static int ends_with_json(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

int test_for_each_json(const char *dir, int (*run)(const char *path, const char *name, void *ctx), void *ctx,
                       int *passed, int *failed)
{
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) {
        printf("cannot read directory %s\n", dir);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (ends_with_json(name)) {
            size_t size = strlen(dir) + strlen(name) + 2;
            char *path = malloc(size);
            if (path) {
                snprintf(path, size, "%s/%s", dir, name);
                if (run(path, name, ctx))
                    (*passed)++;
                else
                    (*failed)++;
                free(path);
            } else {
                (*failed)++;
            }
        }
        free(entries[i]);
    }
    free(entries);
    return 1;
}
