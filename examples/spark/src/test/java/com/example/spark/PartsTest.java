package com.example.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces without Spark running: pool sizing, the workload's partitions, the reference check. */
class PartsTest {
    private static SparkConf conf(String... kv) {
        SparkConf c = new SparkConf(false);
        for (int i = 0; i < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void poolSizeFollowsExecutorCoresCappedByAvailable() {
        assertEquals(4, ExecutorPool.cores(conf("spark.executor.cores", "4", "spark.master", "local[8]"), 16));
        assertEquals(3, ExecutorPool.cores(conf("spark.executor.cores", "8"), 3));
        assertEquals(2, ExecutorPool.cores(conf("spark.master", "local[2]"), 16));
        assertEquals(2, ExecutorPool.cores(conf("spark.master", "local[2, 3]"), 16));
        assertEquals(16, ExecutorPool.cores(conf("spark.master", "local[*]"), 16));
        assertEquals(16, ExecutorPool.cores(conf("spark.master", "yarn"), 16));
        assertEquals(16, ExecutorPool.cores(conf(), 16));
    }

    @Test
    void badCoresAreRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorPool.cores(conf("spark.executor.cores", "two"), 4));
        assertTrue(e.getMessage().contains("spark.executor.cores = two"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExecutorPool.cores(conf("spark.executor.cores", "0"), 4));
        assertThrows(IllegalArgumentException.class, () -> ExecutorPool.cores(conf(), 0));
    }

    @Test
    void partitionsAreDeterministicAndDistinct() {
        SeedWorkload w = new SeedWorkload(3, 100, 1000, 7);
        assertArrayEquals(w.partition(1)[0], new SeedWorkload(3, 100, 1000, 7).partition(1)[0]);
        assertFalse(java.util.Arrays.equals(w.partition(0)[0], w.partition(1)[0]));
        for (long v : w.partition(2)[1]) {
            assertTrue(v >= 1 && v <= 1000, "value " + v);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> w.partition(3));
        assertThrows(IllegalArgumentException.class, () -> new SeedWorkload(0, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SeedWorkload(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SeedWorkload(1, 1, 0, 0));
    }

    @Test
    void mismatchesCountsWrongAndMissingResults() {
        long[] a = {12, 7, 100};
        long[] b = {18, 5, 75};
        assertEquals(0, SeedWorkload.mismatches(a, b, new long[] {6, 1, 25}));
        assertEquals(1, SeedWorkload.mismatches(a, b, new long[] {6, 2, 25}));
        assertEquals(1, SeedWorkload.mismatches(a, b, new long[] {6, 1}));
        assertEquals(2, SeedWorkload.mismatches(a, b, new long[] {6, 1, 25, 9}, SeedWorkload.Check.EUCLID)
                + SeedWorkload.mismatches(a, b, new long[] {6, 3, 25}, SeedWorkload.Check.EUCLID));
    }
}
