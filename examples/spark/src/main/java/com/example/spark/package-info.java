/**
 * The Spark example: pcompute's native pool inside Apache Spark executors. For readers of the example;
 * {@link com.example.spark.SparkGcd} is the application, {@link com.example.spark.ExecutorPool} the one
 * pool per executor JVM, {@link com.example.spark.SeedWorkload} the partitioned workload and its check.
 */
package com.example.spark;
