/* The few lines every C test program of pcompute shares: failure counters, CHECK / CHECK_STATUS, and the
 * "ok   name" / "FAIL name" line per test. Each test program is its own executable, so the counters are
 * static. Include after <stdio.h> and "pcompute.h". */
#ifndef PC_TEST_H
#define PC_TEST_H

static int checks_failed;
static int tests_passed;
static int tests_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            checks_failed++;                                                        \
        }                                                                           \
    } while (0)

#define CHECK_STATUS(expected, expr)                                                            \
    do {                                                                                        \
        pc_status got_ = (expr);                                                                \
        if (got_ != (expected)) {                                                               \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__, __LINE__, #expr, \
                    (int)got_, pc_strerror(got_), (int)(expected));                             \
            checks_failed++;                                                                    \
        }                                                                                       \
    } while (0)

/* Counts and prints the outcome of test `name`, given checks_failed from before it ran. */
static void record_test(const char* name, int checks_failed_before) {
    if (checks_failed == checks_failed_before) {
        tests_passed++;
        printf("ok   %s\n", name);
    } else {
        tests_failed++;
        printf("FAIL %s\n", name);
    }
    fflush(stdout);
}

/* sizeof(arr) for an array; a compile error for a pointer (whose sizeof is not its buffer's length). */
#define PC_TEST_ARRAY_BYTES(arr) \
    (sizeof(arr) + 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(arr), __typeof__(&(arr)[0])) ? -1 : 1]))

/* Sets buffer slot i of a pc_args and its length: from an array (SET_IN / SET_OUT), or given in bytes. */
#define SET_IN(args, i, arr) ((args).in[i] = (arr), (args).in_bytes[i] = PC_TEST_ARRAY_BYTES(arr))
#define SET_OUT(args, i, arr) ((args).out[i] = (arr), (args).out_bytes[i] = PC_TEST_ARRAY_BYTES(arr))
#define SET_IN_BYTES(args, i, ptr, bytes) ((args).in[i] = (ptr), (args).in_bytes[i] = (bytes))
#define SET_OUT_BYTES(args, i, ptr, bytes) ((args).out[i] = (ptr), (args).out_bytes[i] = (bytes))

/* A pc_args for the gcd kernels: in[0] = a, in[1] = b, out[0] = out, each `bytes` long (0 where NULL). */
static inline pc_args pc_test_pair_args(const int64_t* a, const int64_t* b, int64_t* out, uint64_t bytes) {
    pc_args args = {.in = {a, b}, .out = {out}};
    args.in_bytes[0] = a == NULL ? 0 : bytes;
    args.in_bytes[1] = b == NULL ? 0 : bytes;
    args.out_bytes[0] = out == NULL ? 0 : bytes;
    return args;
}

/* Euclid's gcd: the independent reference the gcd kernels are checked against. */
static inline int64_t euclid(int64_t a, int64_t b) {
    while (b != 0) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

#endif
