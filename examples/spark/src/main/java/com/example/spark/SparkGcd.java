package com.example.spark;

import io.pcompute.NativePool;
import io.pcompute.kernels.Gcd;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The seed workload at scale on Apache Spark: brute-force gcd over random pairs, each partition generated
 * and computed inside an executor by pcompute's native pool ({@link ExecutorPool}: one per executor JVM),
 * every result checked there against the Java reference; the driver sums the partitions' reports.
 *
 * <pre>
 * SparkGcd [MASTER|-] [PARTITIONS] [PAIRS_PER_PARTITION] [MAX_VALUE] [SEED] [reference|euclid]
 * </pre>
 * Defaults: -, 4, 2000, 10000000, 42, reference. MASTER "-" keeps the master spark-submit set. The check
 * "reference" recomputes every pair with gcd_brute's Java reference (slow: it costs what the kernel costs
 * in Java); "euclid" checks with Euclid's algorithm (same values, cheap), for large runs. Exit status 0 when every
 * result matches the reference, 1 on a mismatch, 2 on bad arguments.
 */
public final class SparkGcd {
    private SparkGcd() {
    }

    /** Runs {@code workload} on {@code spark}: one task per partition; returns the reports by partition. */
    public static List<PartitionResult> run(SparkSession spark, SeedWorkload workload) {
        return run(spark, workload, SeedWorkload.Check.REFERENCE);
    }

    /** {@link #run(SparkSession, SeedWorkload)}, executors checking their results with {@code check}. */
    public static List<PartitionResult> run(SparkSession spark, SeedWorkload workload, SeedWorkload.Check check) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> indices = IntStream.range(0, workload.partitions()).boxed().toList();
        JavaRDD<Integer> parts = jsc.parallelize(indices, workload.partitions());
        JavaRDD<PartitionResult> results = parts.mapPartitions((Iterator<Integer> it) -> {
            List<PartitionResult> out = new ArrayList<>();
            while (it.hasNext()) {
                out.add(compute(workload, it.next(), check));
            }
            return out.iterator();
        });
        List<PartitionResult> list = new ArrayList<>(results.collect());
        list.sort((x, y) -> Integer.compare(x.partition(), y.partition()));
        return list;
    }

    /** One partition, inside an executor: native pool, then the Java reference over the same pairs. */
    static PartitionResult compute(SeedWorkload workload, int partition, SeedWorkload.Check check) throws Exception {
        long[][] ab = workload.partition(partition);
        NativePool pool = ExecutorPool.get();
        long t0 = System.nanoTime();
        long[] g = pool.run(Gcd.BRUTE, ab[0], ab[1]);
        long t1 = System.nanoTime();
        long bad = SeedWorkload.mismatches(ab[0], ab[1], g, check);
        long t2 = System.nanoTime();
        long sum = 0;
        for (long v : g) {
            sum += v;
        }
        return new PartitionResult(partition, g.length, bad, sum, t1 - t0, t2 - t1,
                InetAddress.getLocalHost().getHostName() + "/" + ProcessHandle.current().pid(),
                pool.threads(), System.identityHashCode(pool));
    }

    private static long number(String name, String value) {
        try {
            long v = Long.parseLong(value.trim());
            if (!name.equals("SEED") && !name.equals("MAX_VALUE") && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = " + value + ": not an integer in range");
        }
    }

    public static void main(String[] args) {
        SeedWorkload workload;
        String master;
        SeedWorkload.Check check;
        try {
            master = args.length > 0 ? args[0] : "-";
            int partitions = args.length > 1 ? (int) number("PARTITIONS", args[1]) : 4;
            int pairs = args.length > 2 ? (int) number("PAIRS_PER_PARTITION", args[2]) : 2000;
            long maxValue = args.length > 3 ? number("MAX_VALUE", args[3]) : 10_000_000L;
            long seed = args.length > 4 ? number("SEED", args[4]) : 42L;
            String checkName = args.length > 5 ? args[5] : "reference";
            check = switch (checkName) {
                case "reference" -> SeedWorkload.Check.REFERENCE;
                case "euclid" -> SeedWorkload.Check.EUCLID;
                default -> throw new IllegalArgumentException("check = " + checkName + ": must be reference or euclid");
            };
            if (args.length > 6) {
                throw new IllegalArgumentException("too many arguments: " + args.length + " (at most 6)");
            }
            workload = new SeedWorkload(partitions, pairs, maxValue, seed);
        } catch (IllegalArgumentException e) {
            System.err.println("SparkGcd: " + e.getMessage());
            System.err.println("usage: SparkGcd [MASTER|-] [PARTITIONS] [PAIRS_PER_PARTITION] [MAX_VALUE] [SEED] [reference|euclid]");
            System.exit(2);
            return;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("pcompute-spark-gcd");
        if (!master.equals("-")) {
            builder.master(master);
        }
        long mismatches = 0;
        SparkSession spark = builder.getOrCreate();
        try {
            long t0 = System.nanoTime();
            List<PartitionResult> results = run(spark, workload, check);
            long wall = System.nanoTime() - t0;
            long pairs = 0;
            long nativeNanos = 0;
            long referenceNanos = 0;
            for (PartitionResult r : results) {
                pairs += r.pairs();
                mismatches += r.mismatches();
                nativeNanos += r.nativeNanos();
                referenceNanos += r.referenceNanos();
            }
            System.out.printf("seed workload: %d partitions x %d pairs in [1, %d], seed %d, master %s%n",
                    workload.partitions(), workload.pairs(), workload.maxValue(), workload.seed(),
                    spark.sparkContext().master());
            results.stream().map(r -> r.executor() + " (pool of " + r.poolThreads() + " threads)").distinct()
                    .sorted().forEach(e -> System.out.println("  executor " + e));
            System.out.printf("  pairs %d, mismatches against %s: %d%n", pairs,
                    check == SeedWorkload.Check.REFERENCE ? "JavaReference.gcdBrute" : "JavaReference.gcdFast", mismatches);
            System.out.printf("  task time: native pool %.1f ms, Java check %.1f ms; job wall %.1f ms%n",
                    nativeNanos / 1e6, referenceNanos / 1e6, wall / 1e6);
        } finally {
            spark.stop();
        }
        System.exit(mismatches == 0 ? 0 : 1);
    }
}
