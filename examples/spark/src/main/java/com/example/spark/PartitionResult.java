package com.example.spark;

import java.io.Serializable;

/**
 * What one partition's task reports: pairs computed, mismatches against the Java reference, the sum of the
 * gcds (a checksum the driver can recompute), native and reference time, and which executor pool ran it.
 */
public record PartitionResult(int partition, long pairs, long mismatches, long gcdSum, long nativeNanos,
        long referenceNanos, String executor, int poolThreads, int poolId) implements Serializable {
}
