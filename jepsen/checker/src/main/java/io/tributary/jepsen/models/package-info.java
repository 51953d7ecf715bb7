/**
 * Models of the systems Tributary checks, each with a decoder from Jepsen-style histories: a register
 * (read, write, compare-and-set), a key-value store (get, put, append; partitioned by key) and a log
 * (append returns an offset, read of an offset returns its value; partitioned by shard).
 */
package io.tributary.jepsen.models;
