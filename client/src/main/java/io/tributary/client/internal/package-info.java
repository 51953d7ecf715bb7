/**
 * Implementation of the client: per-shard batching and sending, retries and re-sequencing,
 * reads, metadata parsing and the Ratis adapters. Internal: it may change at any time; use
 * the interfaces of {@code io.tributary.client}.
 */
package io.tributary.client.internal;
