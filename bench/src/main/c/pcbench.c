/* Built only for the benchmarks: the same trivial C functions reached through JNI and through FFM. */
#include <jni.h>
#include <stdint.h>

/* FFM targets */
__attribute__((visibility("default"))) int32_t pcb_noop(void) {
    return 0;
}

__attribute__((visibility("default"))) int64_t pcb_sum(const int64_t* x, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
}

/* A plain streaming read of n doubles (four accumulators, so the loop is bound by memory, not by the
   latency of one dependent addition): the bandwidth baseline the reductions are measured against. */
__attribute__((visibility("default"))) double pcb_stream_read(const double* x, int64_t n) {
    double a = 0, b = 0, c = 0, d = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a += x[i];
        b += x[i + 1];
        c += x[i + 2];
        d += x[i + 3];
    }
    for (; i < n; i++) a += x[i];
    return (a + b) + (c + d);
}

/* JNI: io.pcompute.bench.JniShim */
JNIEXPORT jint JNICALL Java_io_pcompute_bench_JniShim_noop(JNIEnv* env, jclass cls) {
    (void)env, (void)cls;
    return pcb_noop();
}
