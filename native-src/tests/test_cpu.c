/* pc_cpu_count with cgroup CPU quotas: pc_cpu_count_at() against fake cgroup v1 and v2 file trees in a
 * temporary directory (issue 12, item 6). Built from pc_cpu.c, whose functions other than pc_cpu_count
 * are internal. Prints "N passed, N failed" and exits non-zero on any failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pc_internal.h"
#include "pcompute.h"

#include "pc_test.h"

static char root[256];

/* snprintf that stops the test program on truncation (paths here are short). */
#define FORMAT(buf, ...)                                                  \
    do {                                                                  \
        int n_ = snprintf(buf, sizeof(buf), __VA_ARGS__);                 \
        if (n_ < 0 || (size_t)n_ >= sizeof(buf)) {                        \
            fprintf(stderr, "%s:%d: path too long\n", __FILE__, __LINE__); \
            exit(2);                                                      \
        }                                                                 \
    } while (0)

/* mkdir -p root/<rel> */
static void make_dirs(const char* rel) {
    char path[1024];
    FORMAT(path, "%s/%s", root, rel);
    for (char* p = path + strlen(root) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0700);
            *p = '/';
        }
    }
    mkdir(path, 0700);
}

/* Writes `text` to root/<rel>, creating its directories. */
static void put(const char* rel, const char* text) {
    char dir[1024], path[1024];
    FORMAT(dir, "%s", rel);
    char* slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        make_dirs(dir);
    }
    FORMAT(path, "%s/%s", root, rel);
    FILE* f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static int remove_entry(const char* path, const struct stat* st, int type, struct FTW* ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

/* A fresh empty fake root for each test. The old one is removed in-process (nftw): `system("rm -rf")`
   started a shell and rm per test, each traced by valgrind (--trace-children), which took the test past
   its timeout in check.sh valgrind. */
static void fresh_root(void) {
    if (root[0] != '\0' && nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "cannot remove %s: %s\n", root, strerror(errno));
        exit(2);
    }
    const char* tmp = getenv("TMPDIR");
    FORMAT(root, "%s/pc_cpu_test_XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(root) == NULL) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        exit(2);
    }
}

static void v2_quota_caps_the_affinity(void) {
    fresh_root();
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "200000 100000\n");
    CHECK(pc_cgroup_cpu_limit(root) == 2);
    CHECK(pc_cpu_count_at(root, 64) == 2);
    CHECK(pc_cpu_count_at(root, 1) == 1); /* never above the affinity mask */
}

static void v2_max_is_no_limit(void) {
    fresh_root();
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "max 100000\n");
    CHECK(pc_cgroup_cpu_limit(root) == 0);
    CHECK(pc_cpu_count_at(root, 64) == 64);
}

static void v2_fractional_quota_rounds_up(void) {
    fresh_root();
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "150000 100000\n");
    CHECK(pc_cpu_count_at(root, 8) == 2);
}

static void v2_quota_below_one_cpu_gives_one(void) {
    fresh_root();
    put("proc/self/cgroup", "0::/\n");
    put("sys/fs/cgroup/cpu.max", "10000 100000\n");
    CHECK(pc_cpu_count_at(root, 8) == 1);
}

static void v2_smallest_limit_on_the_path_wins(void) {
    fresh_root();
    put("proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
    put("sys/fs/cgroup/kubepods/cpu.max", "300000 100000\n");
    put("sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000\n");
    put("sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", "500000 100000\n");
    CHECK(pc_cpu_count_at(root, 16) == 3);
}

static void v2_container_without_its_own_namespace_reads_the_mount_point(void) {
    /* /proc/self/cgroup names the host's path, /sys/fs/cgroup is the container's own cgroup */
    fresh_root();
    put("proc/self/cgroup", "0::/system.slice/docker-abc.scope\n");
    put("sys/fs/cgroup/cpu.max", "400000 100000\n");
    CHECK(pc_cpu_count_at(root, 16) == 4);
}

static void v1_quota_caps_the_affinity(void) {
    fresh_root();
    put("proc/self/cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n");
    put("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "250000\n");
    put("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    CHECK(pc_cgroup_cpu_limit(root) == 3);
    CHECK(pc_cpu_count_at(root, 64) == 3);
}

static void v1_minus_one_is_no_limit_and_v2_is_then_not_consulted(void) {
    fresh_root();
    put("proc/self/cgroup", "4:cpuacct,cpu:/\n0::/\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    put("sys/fs/cgroup/cpu.max", "100000 100000\n"); /* hybrid: the v2 tree has no cpu controller */
    CHECK(pc_cgroup_cpu_limit(root) == 0);
    CHECK(pc_cpu_count_at(root, 6) == 6);
}

static void v1_mounted_as_cpu_only(void) {
    fresh_root();
    put("proc/self/cgroup", "3:cpu,cpuacct:/\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "50000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
    CHECK(pc_cpu_count_at(root, 6) == 1);
}

static void no_cgroup_files_is_no_limit(void) {
    fresh_root();
    CHECK(pc_cgroup_cpu_limit(root) == 0);
    CHECK(pc_cpu_count_at(root, 5) == 5);
    CHECK(pc_cpu_count_at(root, 0) == 1); /* an affinity that could not be read still gives 1 */
    put("proc/self/cgroup", "0::/\n"); /* no cpu.max: the root cgroup */
    CHECK(pc_cpu_count_at(root, 5) == 5);
    CHECK(pc_cgroup_cpu_limit(NULL) == 0);
}

static void garbage_files_are_ignored(void) {
    static const char* bad_cpu_max[] = {
        "", "\n", "garbage", "100000", "abc 100000", "100000 abc", "100000 0", "0 100000", "-5 100000",
        "100000 -1", "99999999999999999999999 100000", "100000 100000 junk", "1e5 100000",
    };
    for (size_t i = 0; i < sizeof bad_cpu_max / sizeof bad_cpu_max[0]; i++) {
        fresh_root();
        put("proc/self/cgroup", "0::/\n");
        put("sys/fs/cgroup/cpu.max", bad_cpu_max[i]);
        if (pc_cpu_count_at(root, 7) != 7) {
            fprintf(stderr, "cpu.max \"%s\" was not ignored\n", bad_cpu_max[i]);
            CHECK(0);
        }
    }
    static const char* bad_cgroup[] = {"", "garbage\n", "0:\n", "0::relative/path\n", "x:cpu\n"};
    for (size_t i = 0; i < sizeof bad_cgroup / sizeof bad_cgroup[0]; i++) {
        fresh_root();
        put("proc/self/cgroup", bad_cgroup[i]);
        put("sys/fs/cgroup/cpu.max", "100000 100000\n");
        put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "100000\n");
        put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        if (pc_cpu_count_at(root, 7) != 7) {
            fprintf(stderr, "proc/self/cgroup \"%s\" was not ignored\n", bad_cgroup[i]);
            CHECK(0);
        }
    }
    /* a line longer than the reader's buffer is skipped, the next line still counts */
    fresh_root();
    char longline[6000];
    memset(longline, 'a', sizeof longline - 2);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    char text[6100];
    FORMAT(text, "%s0::/\n", longline);
    put("proc/self/cgroup", text);
    put("sys/fs/cgroup/cpu.max", "200000 100000\n");
    CHECK(pc_cpu_count_at(root, 7) == 2);
    /* v1 with an unreadable period */
    fresh_root();
    put("proc/self/cgroup", "4:cpu:/\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "200000\n");
    put("sys/fs/cgroup/cpu/cpu.cfs_period_us", "soon\n");
    CHECK(pc_cpu_count_at(root, 7) == 7);
}

static void real_count_is_at_most_the_affinity(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    int32_t n = pc_cpu_count();
    CHECK(n >= 1 && n <= CPU_COUNT(&set));
    CHECK(n == pc_cpu_count_at("", CPU_COUNT(&set)));
}

static void run_test(const char* name, void (*fn)(void)) {
    int before = checks_failed;
    fn();
    record_test(name, before);
}

int main(void) {
    run_test("v2_quota_caps_the_affinity", v2_quota_caps_the_affinity);
    run_test("v2_max_is_no_limit", v2_max_is_no_limit);
    run_test("v2_fractional_quota_rounds_up", v2_fractional_quota_rounds_up);
    run_test("v2_quota_below_one_cpu_gives_one", v2_quota_below_one_cpu_gives_one);
    run_test("v2_smallest_limit_on_the_path_wins", v2_smallest_limit_on_the_path_wins);
    run_test("v2_container_without_its_own_namespace_reads_the_mount_point",
             v2_container_without_its_own_namespace_reads_the_mount_point);
    run_test("v1_quota_caps_the_affinity", v1_quota_caps_the_affinity);
    run_test("v1_minus_one_is_no_limit_and_v2_is_then_not_consulted",
             v1_minus_one_is_no_limit_and_v2_is_then_not_consulted);
    run_test("v1_mounted_as_cpu_only", v1_mounted_as_cpu_only);
    run_test("no_cgroup_files_is_no_limit", no_cgroup_files_is_no_limit);
    run_test("garbage_files_are_ignored", garbage_files_are_ignored);
    run_test("real_count_is_at_most_the_affinity", real_count_is_at_most_the_affinity);
    if (root[0] != '\0' && nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) checks_failed++;
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
