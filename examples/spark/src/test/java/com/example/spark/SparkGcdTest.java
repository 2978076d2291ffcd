package com.example.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The example end to end in Spark's local mode (local[2]): small, so it stays fast on two loaded cores. */
class SparkGcdTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("SparkGcdTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Timeout(120) // a hang (a pool that never finishes a job, a lost task) is a failure, not a stuck build
    void executorsComputeTheSeedWorkloadAndMatchTheReference() {
        SeedWorkload workload = new SeedWorkload(4, 1500, 50_000, 42);
        List<PartitionResult> results = SparkGcd.run(spark, workload);

        assertEquals(4, results.size());
        for (PartitionResult r : results) {
            assertEquals(1500, r.pairs(), "pairs of partition " + r.partition());
            assertEquals(0, r.mismatches(), "mismatches of partition " + r.partition());
            // executors checked against JavaReference.gcdBrute; the driver checks their sums with an
            // independent oracle (BigInteger.gcd) over the same pairs, regenerated here
            long[][] ab = workload.partition(r.partition());
            long expected = 0;
            for (int k = 0; k < ab[0].length; k++) {
                expected += BigInteger.valueOf(ab[0][k]).gcd(BigInteger.valueOf(ab[1][k])).longValueExact();
            }
            assertEquals(expected, r.gcdSum(), "gcd sum of partition " + r.partition());
            // local[2]: one executor (this JVM), one pool of its two task slots (fewer on a 1-CPU machine)
            assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), r.poolThreads());
        }
        assertEquals(1, results.stream().mapToInt(PartitionResult::poolId).distinct().count(),
                "one NativePool per executor JVM");
        assertEquals(System.identityHashCode(ExecutorPool.get()), results.get(0).poolId());
    }
}
