/*
 * A main() for builds without libFuzzer (the ThreadSanitizer build): runs LLVMFuzzerTestOneInput once on
 * every file named on the command line or found in a directory named there, in name order, and prints
 * how many ran. A sanitizer report ends the process with the sanitizer's exit code.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static long runs;

static int run_file(const char* path) {
    FILE* f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    uint8_t* data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? 2 * cap : 4096;
            data = realloc(data, cap);
            if (data == NULL) abort();
        }
        size_t got = fread(data + size, 1, cap - size, f);
        if (got == 0) break;
        size += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    runs++;
    return 0;
}

static int compare_names(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

static int run_path(const char* path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    DIR* dir = opendir(path);
    if (dir == NULL) {
        perror(path);
        return 1;
    }
    char** names = NULL;
    size_t count = 0;
    for (struct dirent* e; (e = readdir(dir)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        names = realloc(names, (count + 1) * sizeof *names);
        if (names == NULL) abort();
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        if (names[count] == NULL) abort();
        snprintf(names[count++], len, "%s/%s", path, e->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    int failed = 0;
    for (size_t i = 0; i < count; i++) {
        failed |= run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int argc, char** argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) failed |= run_path(argv[i]);
    printf("replayed %ld inputs\n", runs);
    return failed;
}
