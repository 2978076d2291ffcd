/* Status strings, version and CPU count. */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "pcompute.h"

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

int32_t pc_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int32_t)online : 1;
}
