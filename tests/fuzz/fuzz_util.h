/* costfront: helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * The readers take paths, so each input is written to a file in one private temporary directory made on the first
 * call and removed at exit. Nothing here is part of the library.
 */
#ifndef COSTFRONT_FUZZ_UTIL_H
#define COSTFRONT_FUZZ_UTIL_H
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[64];

/* Removes one entry of the private directory's tree (an nftw callback, depth first). */
static int fuzz_unlink(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes the private directory and everything the targets wrote into it, at exit. */
static void fuzz_cleanup(void)
{
    if (fuzz_dir[0] != '\0') (void)nftw(fuzz_dir, fuzz_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

/* Returns the private temporary directory, creating it on the first call. */
static inline const char *fuzz_tmpdir(void)
{
    if (fuzz_dir[0] == '\0') {
        const char *t = getenv("TMPDIR");
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/cf-fuzz.XXXXXX", t != NULL && strlen(t) < 40 ? t : "/tmp");
        if (mkdtemp(fuzz_dir) == NULL) abort();
        atexit(fuzz_cleanup);
    }
    return fuzz_dir;
}

/* Writes size bytes of data to rel (a path under the private directory whose parent directories are created) and
 * returns its full path in a static buffer. */
static inline const char *fuzz_write(const char *rel, const uint8_t *data, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_tmpdir(), rel);
    for (char *p = path + strlen(fuzz_dir) + 1; *p != '\0'; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    if (f == NULL) abort();
    if (size > 0 && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    return path;
}

/* Returns a NUL-terminated copy of the input (the caller frees it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL) abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
