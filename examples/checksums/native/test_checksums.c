/*
 * test_checksums.c - C tests of libchecksums.so through its exported descriptors, as pcompute calls them:
 * known CRC-32C and Adler-32 vectors, validate() on bad parameters and short buffers, and
 * run() stopping inside one long chunk when the cancel flag is set. Exit status 0 when all pass.
 */
#include "checksums.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

/* pc_args for `length` bytes at `data` in chunks of `chunk`, writing `out` (room for n CRCs). */
static pc_args args_of(const uint8_t* data, int64_t length, int64_t chunk, int32_t* out, uint64_t n) {
    pc_args a = {.in = {data}, .out = {out}, .iparam = {chunk, length},
                 .in_bytes = {(uint64_t)length}, .out_bytes = {n * sizeof(int32_t)}};
    return a;
}

static uint32_t crc_of(const pc_kernel_def* k, const uint8_t* data, int64_t length) {
    int32_t out = 0;
    pc_args a = args_of(data, length, length, &out, 1);
    pc_status s = k->validate(&a, 1, NULL);
    CHECK(s == PC_OK, "validate of %lld bytes: %d", (long long)length, (int)s);
    s = k->run(&a, 0, 1, NULL);
    CHECK(s == PC_OK, "run of %lld bytes: %d", (long long)length, (int)s);
    return (uint32_t)out;
}

static void test_known_vectors(const pc_kernel_def* k) {
    uint8_t zeros[32] = {0}, ones[32], ascending[32];
    memset(ones, 0xff, sizeof ones);
    for (int i = 0; i < 32; i++) ascending[i] = (uint8_t)i;
    CHECK(crc_of(k, (const uint8_t*)"123456789", 9) == 0xE3069283u, "check value");
    CHECK(crc_of(k, zeros, 32) == 0x8A9136AAu, "32 zeros (RFC 3720 B.4)");
    CHECK(crc_of(k, ones, 32) == 0x62A8AB43u, "32 x 0xff (RFC 3720 B.4)");
    CHECK(crc_of(k, ascending, 32) == 0x46DD794Eu, "0..31 (RFC 3720 B.4)");
    /* chunks: "123456789" in chunks of 4 = "1234", "5678", "9" */
    int32_t out[3] = {0};
    pc_args a = args_of((const uint8_t*)"123456789", 9, 4, out, 3);
    CHECK(k->validate(&a, 3, NULL) == PC_OK, "3 chunks");
    CHECK(k->run(&a, 0, 3, NULL) == PC_OK, "3 chunks");
    CHECK((uint32_t)out[2] == crc_of(k, (const uint8_t*)"9", 1), "last partial chunk");
}

static void test_adler32_vectors(const pc_kernel_def* k) {
    CHECK(crc_of(k, (const uint8_t*)"Wikipedia", 9) == 0x11E60398u, "Adler-32 of Wikipedia");
    CHECK(crc_of(k, (const uint8_t*)"a", 1) == 0x00620062u, "Adler-32 of a (RFC 1950: 1 + 97, 97 + 1)");
    /* 64 KiB of 0xff: past NMAX many times, both sums reduced modulo 65521 (value from zlib's adler32) */
    size_t length = 65536;
    uint8_t* ones = malloc(length);
    CHECK(ones != NULL, "out of memory");
    if (ones == NULL) return;
    memset(ones, 0xff, length);
    CHECK(crc_of(k, ones, (int64_t)length) == 0x77970EF2u, "Adler-32 of 64 KiB of 0xff");
    free(ones);
}

static void test_validate_rejects_bad_parameters(const pc_kernel_def* k) {
    uint8_t data[16] = {0};
    int32_t out[16] = {0};
    pc_args a = args_of(data, 16, 0, out, 16);
    CHECK(k->validate(&a, 16, NULL) == PC_ERR_INVALID_ARGUMENT, "chunk length 0");
    a = args_of(data, 16, -5, out, 16);
    CHECK(k->validate(&a, 16, NULL) == PC_ERR_INVALID_ARGUMENT, "negative chunk length");
    a = args_of(data, -1, 4, out, 1);
    CHECK(k->validate(&a, 1, NULL) == PC_ERR_INVALID_ARGUMENT, "negative data length");
    a = args_of(data, 16, 4, out, 4);
    CHECK(k->validate(&a, 5, NULL) == PC_ERR_INVALID_ARGUMENT, "n = 5 for 4 chunks");
    CHECK(k->validate(&a, 3, NULL) == PC_ERR_INVALID_ARGUMENT, "n = 3 for 4 chunks");
    CHECK(k->validate(&a, 4, NULL) == PC_OK, "n = 4 for 4 chunks");
    a = args_of(data, INT64_MAX, 1, out, 1);
    CHECK(k->validate(&a, 1, NULL) == PC_ERR_INVALID_ARGUMENT, "n = 1 for INT64_MAX chunks");
    a = args_of(data, 0, 1, out, 0);
    CHECK(k->validate(&a, 0, NULL) == PC_OK, "no data, no chunks");
    uint64_t bad = 99;
    a = args_of(data, 16, 4, out, 4);
    a.in_bytes[0] = 15;
    CHECK(k->validate(&a, 4, &bad) == PC_ERR_BUFFER_SIZE && bad == 0, "input one byte short: bad %llu",
          (unsigned long long)bad);
    a = args_of(data, 16, 4, out, 4);
    a.out_bytes[0] = 15;
    CHECK(k->validate(&a, 4, &bad) == PC_ERR_BUFFER_SIZE && bad == PC_OUT_SLOT(0), "output one byte short");
    a = args_of(data, 16, 4, out, 4);
    a.in_bytes[0] = 1 << 20; /* more than needed is fine */
    a.out_bytes[0] = 1 << 20;
    CHECK(k->validate(&a, 4, NULL) == PC_OK, "longer buffers");
    a = args_of(data, INT64_MAX, 1, out, 0);
    a.in_bytes[0] = UINT64_MAX;
    a.out_bytes[0] = UINT64_MAX;
    CHECK(k->validate(&a, (uint64_t)INT64_MAX, NULL) == PC_ERR_BUFFER_SIZE, "output size 4 n overflows");
}

static void test_run_stops_inside_a_long_chunk_when_cancelled(const pc_kernel_def* k) {
    size_t length = (size_t)16 << 20;
    uint8_t* data = calloc(length, 1);
    CHECK(data != NULL, "out of memory");
    if (data == NULL) return;
    int32_t out = 0;
    pc_cancel_flag cancel;
    atomic_init(&cancel, 1);
    pc_args a = args_of(data, (int64_t)length, (int64_t)length, &out, 1);
    CHECK(k->validate(&a, 1, NULL) == PC_OK, "16 MiB chunk");
    CHECK(k->run(&a, 0, 1, &cancel) == PC_ERR_CANCELLED, "a set flag stops one 16 MiB chunk");
    atomic_store(&cancel, 0);
    CHECK(k->run(&a, 0, 1, &cancel) == PC_OK, "a clear flag does not");
    free(data);
}

int main(void) {
    const pc_kernel_def* crc = crc32c_chunks_kernel();
    const pc_kernel_def* adler = adler32_chunks_kernel();
    const pc_kernel_def* kernels[] = {crc, adler};
    const char* names[] = {"crc32c_chunks", "adler32_chunks"};
    for (int i = 0; i < 2; i++) {
        const pc_kernel_def* k = kernels[i];
        CHECK(k != NULL && k->abi_version == PC_KERNEL_ABI_VERSION && strcmp(k->name, names[i]) == 0
                  && k->inputs_mask == 0x1u && k->outputs_mask == 0x1u && k->block_param == -1
                  && k->validate != NULL && k->run != NULL,
              "descriptor of %s", names[i]);
        test_validate_rejects_bad_parameters(k);
        test_run_stops_inside_a_long_chunk_when_cancelled(k);
    }
    test_known_vectors(crc);
    test_adler32_vectors(adler);
    printf("test_checksums: %s\n", failures == 0 ? "all passed" : "FAILED");
    return failures == 0 ? 0 : 1;
}
