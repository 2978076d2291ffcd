/* How many CPUs this process may use: its affinity mask, capped by a cgroup CPU quota (v1 or v2).
 *
 * Containers (Docker, Kubernetes, YARN) limit CPU time with a quota rather than with the affinity mask:
 * a container given 2 CPUs on a 64-core host still sees 64 CPUs in sched_getaffinity, and a pool of 64
 * threads there is throttled for most of every period. The JVM's availableProcessors() reads the same
 * files, so NativePool.create(0) and the Java pool agree.
 *
 * Files read, under a root directory ("/" in production, a fake tree in the tests):
 *   proc/self/cgroup              the process's cgroup: "0::<path>" (v2), "<n>:<controllers>:<path>" (v1)
 *   sys/fs/cgroup/<path>/cpu.max  v2: "<quota> <period>" or "max <period>"
 *   sys/fs/cgroup/<controllers>/<path>/cpu.cfs_quota_us, cpu.cfs_period_us   v1 (quota -1: no limit)
 * The mount point /sys/fs/cgroup is the one Docker, Kubernetes and systemd use. Every directory from the
 * process's cgroup up to the mount point is read and the smallest limit wins, as the kernel enforces a
 * parent's quota on its children; inside a container whose cgroup namespace is not private, the path
 * in proc/self/cgroup (e.g. /docker/<id>) does not exist under the mount, and the walk reaches the
 * container's own files at the mount point. A v1 cpu controller, when present, is used instead of v2.
 * Unreadable or malformed files are ignored (no limit from them): the count never fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pc_internal.h"

/* Longest path built here; longer ones are ignored (no limit from them). */
#define CPU_PATH_MAX 4096
/* Longest line of proc/self/cgroup that is read; longer lines are ignored. */
#define CPU_LINE_MAX 4096

/* Reads the first line of `path` into buf (without its newline). Returns 1 on success. */
static int read_line(const char* path, char* buf, size_t size) {
    FILE* f = fopen(path, "re");
    if (f == NULL) return 0;
    int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (!ok) return 0;
    buf[strcspn(buf, "\n")] = '\0';
    return 1;
}

/* Parses a whole decimal integer (optional sign, no trailing garbage but whitespace). Returns 1 on success. */
static int parse_i64(const char* s, long long* out) {
    char* end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s) return 0;
    while (*end == ' ' || *end == '\t') end++;
    if (*end != '\0') return 0;
    *out = v;
    return 1;
}

/* CPUs a quota allows: ceil(quota / period), at least 1; 0 (no limit) unless both are positive. */
static int32_t cpus_of_quota(long long quota, long long period) {
    if (quota <= 0 || period <= 0) return 0;
    long long cpus = quota / period + (quota % period != 0);
    if (cpus > INT32_MAX) return 0;
    return cpus < 1 ? 1 : (int32_t)cpus;
}

/* The v2 limit in directory `dir` (its cpu.max), or 0 for none. */
static int32_t v2_limit(const char* dir) {
    char path[CPU_PATH_MAX], line[128];
    if (snprintf(path, sizeof path, "%s/cpu.max", dir) >= (int)sizeof path) return 0;
    if (!read_line(path, line, sizeof line)) return 0;
    char* space = strchr(line, ' ');
    if (space == NULL) return 0;
    *space = '\0';
    long long quota, period;
    if (strcmp(line, "max") == 0 || !parse_i64(line, &quota) || !parse_i64(space + 1, &period)) return 0;
    return cpus_of_quota(quota, period);
}

/* The v1 limit in directory `dir` (cpu.cfs_quota_us / cpu.cfs_period_us), or 0 for none. */
static int32_t v1_limit(const char* dir) {
    char path[CPU_PATH_MAX], line[128];
    long long quota, period;
    if (snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir) >= (int)sizeof path) return 0;
    if (!read_line(path, line, sizeof line) || !parse_i64(line, &quota)) return 0;
    if (snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir) >= (int)sizeof path) return 0;
    if (!read_line(path, line, sizeof line) || !parse_i64(line, &period)) return 0;
    return cpus_of_quota(quota, period);
}

/* The smallest limit of `mount` + `cgroup` and each of its ancestors up to `mount` itself, or 0. */
static int32_t walk_up(const char* mount, const char* cgroup, int32_t (*limit_in)(const char*)) {
    char dir[CPU_PATH_MAX];
    if (cgroup[0] != '/') return 0;
    if (snprintf(dir, sizeof dir, "%s%s", mount, cgroup) >= (int)sizeof dir) return 0;
    size_t floor = strlen(mount);
    int32_t best = 0;
    for (;;) {
        size_t len = strlen(dir);
        while (len > floor && dir[len - 1] == '/') dir[--len] = '\0';
        int32_t limit = limit_in(dir);
        if (limit > 0 && (best == 0 || limit < best)) best = limit;
        if (len <= floor) break;
        char* slash = strrchr(dir + floor, '/');
        if (slash == NULL) break;
        *slash = '\0';
    }
    return best;
}

/* Whether the comma-separated controller list `list` names the "cpu" controller. */
static int has_cpu_controller(const char* list) {
    for (const char* p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        if (n == 3 && strncmp(p, "cpu", 3) == 0) return 1;
        p += n;
        if (*p == ',') p++;
    }
    return 0;
}

PC_INTERNAL int32_t pc_cgroup_cpu_limit(const char* root) {
    if (root == NULL) return 0;
    char path[CPU_PATH_MAX], line[CPU_LINE_MAX];
    if (snprintf(path, sizeof path, "%s/proc/self/cgroup", root) >= (int)sizeof path) return 0;
    FILE* f = fopen(path, "re");
    if (f == NULL) return 0;
    int32_t v1 = 0, v2 = 0;
    int have_v1 = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strcspn(line, "\n");
        if (line[len] != '\n' && !feof(f)) { /* too long: skip the rest of it */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
            continue;
        }
        line[len] = '\0';
        char* first = strchr(line, ':');
        if (first == NULL) continue;
        char* second = strchr(first + 1, ':');
        if (second == NULL) continue;
        *first = '\0';
        *second = '\0';
        const char* controllers = first + 1;
        const char* cgroup = second + 1;
        char mount[CPU_PATH_MAX];
        if (strcmp(line, "0") == 0 && controllers[0] == '\0') {
            if (snprintf(mount, sizeof mount, "%s/sys/fs/cgroup", root) >= (int)sizeof mount) continue;
            v2 = walk_up(mount, cgroup, v2_limit);
        } else if (has_cpu_controller(controllers)) {
            have_v1 = 1;
            /* mounted as the joined controller list ("cpu,cpuacct"), or as "cpu" */
            if (snprintf(mount, sizeof mount, "%s/sys/fs/cgroup/%s", root, controllers) < (int)sizeof mount) {
                v1 = walk_up(mount, cgroup, v1_limit);
            }
            if (v1 == 0 && snprintf(mount, sizeof mount, "%s/sys/fs/cgroup/cpu", root) < (int)sizeof mount) {
                v1 = walk_up(mount, cgroup, v1_limit);
            }
        }
    }
    fclose(f);
    return have_v1 ? v1 : v2;
}

PC_INTERNAL int32_t pc_cpu_count_at(const char* root, int32_t affinity) {
    if (affinity < 1) affinity = 1;
    int32_t limit = pc_cgroup_cpu_limit(root);
    return limit > 0 && limit < affinity ? limit : affinity;
}

int32_t pc_cpu_count(void) {
    int32_t affinity = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) affinity = CPU_COUNT(&set);
    if (affinity < 1) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        affinity = online < 1 ? 1 : online > INT32_MAX ? INT32_MAX : (int32_t)online;
    }
    return pc_cpu_count_at("", affinity);
}
