/* Status strings, version and build id (the CPU count is in pc_cpu.c). */
#include "pcompute.h"

/* The shared libraries get their id from a header the build generates (cmake/build_id.cmake); test
   programs that compile the sources in have none. */
#ifdef PC_HAVE_BUILD_ID
#include "pc_build_id.h"
#else
#define PC_BUILD_ID "unidentified"
#endif

const char* pc_strerror(int32_t status) {
    switch (status) {
        case PC_OK: return "ok";
        case PC_ERR_NULL_ARGUMENT: return "a required pointer argument was NULL";
        case PC_ERR_INVALID_ARGUMENT: return "an argument is out of its valid range";
        case PC_ERR_OUT_OF_MEMORY: return "out of memory";
        case PC_ERR_THREAD: return "could not create a thread or synchronisation object";
        case PC_ERR_TIMEOUT: return "timed out before the job finished";
        case PC_ERR_CANCELLED: return "the job was cancelled";
        case PC_ERR_BUSY: return "the job is still running";
        case PC_ERR_UNKNOWN_KERNEL: return "unknown kernel id";
        case PC_ERR_ABI_MISMATCH: return "the kernel was built for another kernel ABI version";
        case PC_ERR_KERNEL_STATUS: return "a kernel returned a status outside the kernel ABI";
        case PC_ERR_BUFFER_SIZE: return "a buffer is shorter than the kernel needs for n items and its parameters";
        default: return "unknown status code";
    }
}

const char* pc_version(void) {
    return "0.1.0";
}

const char* pc_build_id(void) {
    return PC_BUILD_ID;
}
