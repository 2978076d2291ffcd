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
