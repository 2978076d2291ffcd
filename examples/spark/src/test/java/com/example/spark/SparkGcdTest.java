package com.example.spark;

import io.pcompute.kernels.JavaReference;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void executorsComputeTheSeedWorkloadAndMatchTheReference() {
        SeedWorkload workload = new SeedWorkload(4, 1500, 50_000, 42);
        List<PartitionResult> results = SparkGcd.run(spark, workload);

        assertEquals(4, results.size());
        for (PartitionResult r : results) {
            assertEquals(1500, r.pairs(), "pairs of partition " + r.partition());
            assertEquals(0, r.mismatches(), "mismatches of partition " + r.partition());
            // the driver recomputes each partition's pairs and their gcds with the Java reference
            long[][] ab = workload.partition(r.partition());
            long expected = 0;
            for (int k = 0; k < ab[0].length; k++) {
                expected += JavaReference.gcdBrute(ab[0][k], ab[1][k]);
            }
            assertEquals(expected, r.gcdSum(), "gcd sum of partition " + r.partition());
            // local[2]: one executor (this JVM), one pool of its two cores, shared by all tasks
            assertEquals(2, r.poolThreads());
        }
        assertEquals(1, results.stream().mapToInt(PartitionResult::poolId).distinct().count(),
                "one NativePool per executor JVM");
        assertEquals(System.identityHashCode(ExecutorPool.get()), results.get(0).poolId());
    }
}
