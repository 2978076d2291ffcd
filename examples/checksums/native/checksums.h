/*
 * checksums.h - the example application's C kernels for pcompute (libchecksums.so).
 *
 * Each kernel is exported as one function returning its static descriptor, as pcompute_kernel.h asks;
 * the Java side binds it with NativeLibrary.load("checksums").kernel("<symbol>"). Nothing else is
 * exported (the library is built with -fvisibility=hidden).
 */
#ifndef CHECKSUMS_H
#define CHECKSUMS_H

#include "pcompute_kernel.h"

#define CHECKSUMS_EXPORT __attribute__((visibility("default")))

/*
 * crc32c_chunks: the CRC-32C (Castagnoli; java.util.zip.CRC32C) of every chunk of a byte buffer.
 *
 *   in[0]      uint8_t data[iparam[1]]       the bytes
 *   iparam[0]  chunk length in bytes, >= 1   chunk k is data[k * chunk, min((k + 1) * chunk, length))
 *   iparam[1]  length of data in bytes, >= 0 (the last chunk may be shorter than the others)
 *   n (items)  the number of chunks: ceil(iparam[1] / iparam[0]), 0 for no data
 *   out[0]     int32_t crc[n]                the CRC of chunk k as an unsigned 32-bit value stored in an
 *                                            int32_t (Java: int; Integer.toUnsignedLong gives CRC32C.getValue())
 *
 * validate() returns PC_ERR_INVALID_ARGUMENT when iparam[0] < 1, iparam[1] < 0 or n is not the number of
 * chunks (bad_index is not set: no single item is at fault), and PC_ERR_BUFFER_SIZE when in_bytes[0] <
 * iparam[1] (bad_index 0) or out_bytes[0] < 4 n (bad_index PC_OUT_SLOT(0)). run() checks the cancel flag
 * about every 64 KiB.
 * The descriptor is static and immutable; the function may be called from any thread. Never returns NULL.
 */
CHECKSUMS_EXPORT const pc_kernel_def* crc32c_chunks_kernel(void);

/*
 * adler32_chunks: the Adler-32 (RFC 1950; java.util.zip.Adler32) of every chunk of a byte buffer, with the
 * same buffers, parameters, validation and cancellation as crc32c_chunks (the value stored in an int32_t).
 * Never returns NULL.
 */
CHECKSUMS_EXPORT const pc_kernel_def* adler32_chunks_kernel(void);

#endif
