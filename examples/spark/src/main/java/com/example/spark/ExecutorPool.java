package com.example.spark;

import io.pcompute.NativePool;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one {@link NativePool} of this JVM (a Spark executor, or the driver in local mode), created on first
 * use from a task and shared by every task the executor runs at once: the executor's cores are its
 * threads, so concurrent tasks queue their jobs on one pool instead of starting a pool each and
 * oversubscribing the machine. Creating it loads (extracts) pcompute's native library on this executor.
 *
 * <p>Threads: {@link #get()} may be called from any task thread; the pool serves them all. It lives until
 * the JVM exits (a shutdown hook closes it).
 */
public final class ExecutorPool {
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)*]");

    private static volatile NativePool pool;

    private ExecutorPool() {
    }

    /** The executor's pool, created on the first call sized by {@link #cores(SparkConf, int)}. */
    public static NativePool get() {
        NativePool p = pool;
        if (p == null) {
            synchronized (ExecutorPool.class) {
                p = pool;
                if (p == null) {
                    SparkEnv env = SparkEnv.get();
                    int cores = cores(env == null ? new SparkConf(false) : env.conf(),
                            Runtime.getRuntime().availableProcessors());
                    p = NativePool.create(cores);
                    NativePool created = p;
                    Runtime.getRuntime().addShutdownHook(new Thread(created::close, "pcompute-pool-close"));
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * The cores this executor may use: {@code spark.executor.cores} when set (cluster managers start each
     * executor with that many task slots); in local mode ({@code local[N]}, {@code local[*]}) the N task
     * slots of the one driver-executor; else {@code available} (what {@code availableProcessors} gives,
     * cgroup quotas included). Never more than {@code available}, never more than
     * {@link NativePool#MAX_THREADS}.
     *
     * @throws IllegalArgumentException if {@code available} is below 1 or {@code spark.executor.cores} is
     *         not a positive integer
     */
    public static int cores(SparkConf conf, int available) {
        if (available < 1) {
            throw new IllegalArgumentException("available = " + available + ": must be at least 1");
        }
        int cores = available;
        if (conf.contains("spark.executor.cores")) {
            String value = conf.get("spark.executor.cores").trim();
            try {
                cores = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                cores = 0;
            }
            if (cores < 1) {
                throw new IllegalArgumentException(
                        "spark.executor.cores = " + value + ": must be a positive integer");
            }
        } else {
            Matcher m = LOCAL.matcher(conf.get("spark.master", "").trim().toLowerCase(Locale.ROOT));
            if (m.matches() && !m.group(1).equals("*")) {
                cores = Integer.parseInt(m.group(1));
            }
        }
        return Math.max(1, Math.min(Math.min(cores, available), NativePool.MAX_THREADS));
    }
}
