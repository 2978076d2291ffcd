/*
 * checksums.c - CRC-32C (slicing-by-8) and Adler-32 per chunk (see checksums.h for the kernels' contract).
 *
 * Slicing-by-8 reads eight bytes at a time and looks each up in its own 256-entry table, so the eight
 * lookups of a step are independent; the tables are built once, on first use, under pthread_once (they
 * are read-only afterwards, so any number of worker threads may read them). Little-endian hosts only.
 *
 * Built with -DCHECKSUMS_PLANTED_BUG (CMake option CHECKSUMS_PLANT_BUG, library libchecksums-planted.so)
 * the tail loop drops a byte when a chunk ends in exactly 7 bytes after its 8-byte steps - the kind of
 * slip an unrolled tail invites. Tests only: the port validator must catch and shrink it.
 */
#include "checksums.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checksums.c: the slicing-by-8 step assumes a little-endian host"
#endif

/* Reflected CRC-32C (Castagnoli) polynomial. */
#define CRC32C_POLY 0x82F63B78u
/* Bytes between two looks at the cancel flag: ~20-60 us of work, well under the ABI's ~1 ms. */
#define PIECE_BYTES 65536u

static uint32_t tables[8][256]; /* written once under `once`, read-only afterwards */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; bit++) {
            c = (c & 1u) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        }
        tables[0][i] = c;
    }
    for (int t = 1; t < 8; t++) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t prev = tables[t - 1][i];
            tables[t][i] = (prev >> 8) ^ tables[0][prev & 0xffu];
        }
    }
}

#define BYTE_STEP(crc, p) ((crc) = tables[0][((crc) ^ *(p)++) & 0xffu] ^ ((crc) >> 8))

/* Continues a (pre-inverted) CRC over len bytes. */
static uint32_t crc32c_update(uint32_t crc, const uint8_t* p, size_t len) {
    for (; len >= 8; len -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, sizeof w); /* unaligned-safe; one load at -O3 */
        w ^= crc;
        crc = tables[7][w & 0xffu] ^ tables[6][(w >> 8) & 0xffu] ^ tables[5][(w >> 16) & 0xffu]
              ^ tables[4][(w >> 24) & 0xffu] ^ tables[3][(w >> 32) & 0xffu] ^ tables[2][(w >> 40) & 0xffu]
              ^ tables[1][(w >> 48) & 0xffu] ^ tables[0][w >> 56];
    }
    switch (len) { /* the last 0-7 bytes, unrolled */
    case 7:
#ifndef CHECKSUMS_PLANTED_BUG
        BYTE_STEP(crc, p);
#endif
        /* fall through */
    case 6: BYTE_STEP(crc, p); /* fall through */
    case 5: BYTE_STEP(crc, p); /* fall through */
    case 4: BYTE_STEP(crc, p); /* fall through */
    case 3: BYTE_STEP(crc, p); /* fall through */
    case 2: BYTE_STEP(crc, p); /* fall through */
    case 1: BYTE_STEP(crc, p); /* fall through */
    default: break;
    }
    return crc;
}

/* The number of chunks of `chunk` bytes in `length` bytes (both validated: chunk >= 1, length >= 0). */
static uint64_t chunk_count(int64_t length, int64_t chunk) {
    uint64_t len = (uint64_t)length, c = (uint64_t)chunk;
    return len / c + (len % c != 0);
}

/* validate() of both kernels: the same buffers and parameters. */
static pc_status chunks_validate(const pc_args* a, uint64_t n, uint64_t* bad_index) {
    int64_t chunk = a->iparam[0], length = a->iparam[1];
    if (chunk < 1 || length < 0 || chunk_count(length, chunk) != n) {
        return PC_ERR_INVALID_ARGUMENT; /* parameters only: no single item is at fault, bad_index unset */
    }
    pc_status s = pc_kernel_need_in(a, 0, (uint64_t)length, 1, bad_index); /* the bytes */
    if (s == PC_OK) s = pc_kernel_need_out(a, 0, n, sizeof(int32_t), bad_index); /* one checksum per chunk */
    return s;
}

static pc_status crc_validate(const pc_args* a, uint64_t n, uint64_t* bad_index) {
    pc_status s = chunks_validate(a, n, bad_index);
    if (s != PC_OK) return s;
    return pthread_once(&once, build_tables) == 0 ? PC_OK : PC_ERR_INVALID_ARGUMENT;
}

static pc_status crc_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    (void)pthread_once(&once, build_tables); /* validate() already ran it: this only orders the reads */
    const uint8_t* data = a->in[0];
    int32_t* out = a->out[0];
    uint64_t chunk = (uint64_t)a->iparam[0], length = (uint64_t)a->iparam[1];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        uint64_t start = k * chunk; /* < length: k < n = ceil(length / chunk) */
        uint64_t left = length - start < chunk ? length - start : chunk;
        const uint8_t* p = data + start;
        uint32_t crc = 0xffffffffu;
        do { /* pieces of at most PIECE_BYTES between looks at the cancel flag */
            size_t piece = left < PIECE_BYTES ? (size_t)left : PIECE_BYTES;
            /* ~0.3-1 ns per byte (slicing-by-8 on x86-64); budget units are ~1 ns: half a unit per byte */
            if (pc_kernel_budget_spend(&budget, 1 + (int64_t)(piece / 2))) {
                return PC_ERR_CANCELLED;
            }
            crc = crc32c_update(crc, p, piece);
            p += piece;
            left -= piece;
        } while (left > 0);
        out[k] = (int32_t)~crc;
    }
    return PC_OK;
}

static const pc_kernel_def CRC32C_CHUNKS = {
    .abi_version = PC_KERNEL_ABI_VERSION,
    .name = "crc32c_chunks",
    .validate = crc_validate,
    .run = crc_run,
    .inputs_mask = 0x1u,
    .outputs_mask = 0x1u,
    .block_param = -1,
};

const pc_kernel_def* crc32c_chunks_kernel(void) {
    return &CRC32C_CHUNKS;
}

/* ---- Adler-32 (RFC 1950; java.util.zip.Adler32) -------------------------------------------------- */

#define ADLER_MOD 65521u
/* The most bytes before the sums must be reduced: 255 n (n + 1) / 2 + (n + 1) (MOD - 1) <= 2^32 - 1. */
#define ADLER_NMAX 5552u

static uint32_t adler32_update(uint32_t adler, const uint8_t* p, size_t len) {
    uint32_t a = adler & 0xffffu, b = adler >> 16;
    while (len > 0) {
        size_t block = len < ADLER_NMAX ? len : ADLER_NMAX;
        len -= block;
        for (; block > 0; block--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    return (b << 16) | a;
}

static pc_status adler_run(const pc_args* a, uint64_t begin, uint64_t end, const pc_cancel_flag* cancel) {
    const uint8_t* data = a->in[0];
    int32_t* out = a->out[0];
    uint64_t chunk = (uint64_t)a->iparam[0], length = (uint64_t)a->iparam[1];
    pc_kernel_budget budget = pc_kernel_budget_start(cancel);
    for (uint64_t k = begin; k < end; k++) {
        uint64_t start = k * chunk; /* < length: k < n = ceil(length / chunk) */
        uint64_t left = length - start < chunk ? length - start : chunk;
        const uint8_t* p = data + start;
        uint32_t adler = 1;
        do {
            size_t piece = left < PIECE_BYTES ? (size_t)left : PIECE_BYTES;
            /* ~0.5-1 ns per byte (two dependent adds): one unit per byte */
            if (pc_kernel_budget_spend(&budget, 1 + (int64_t)piece)) {
                return PC_ERR_CANCELLED;
            }
            adler = adler32_update(adler, p, piece);
            p += piece;
            left -= piece;
        } while (left > 0);
        out[k] = (int32_t)adler;
    }
    return PC_OK;
}

static const pc_kernel_def ADLER32_CHUNKS = {
    .abi_version = PC_KERNEL_ABI_VERSION,
    .name = "adler32_chunks",
    .validate = chunks_validate,
    .run = adler_run,
    .inputs_mask = 0x1u,
    .outputs_mask = 0x1u,
    .block_param = -1,
};

const pc_kernel_def* adler32_chunks_kernel(void) {
    return &ADLER32_CHUNKS;
}
