/**
 * The Tributary Java client: {@link io.tributary.client.Producer} (batched, idempotent appends
 * with bounded memory and back-pressure), {@link io.tributary.client.Consumer} (long-polled,
 * allocation-free reads with linearizable or follower consistency) and
 * {@link io.tributary.client.Admin} (streams, nodes, cluster status, leadership).
 *
 * <p>Create them from a configuration ({@link io.tributary.client.ProducerConfig},
 * {@link io.tributary.client.ConsumerConfig}, {@link io.tributary.client.AdminConfig}) that names
 * the metadata quorum; every other address is learnt from it. Errors carry the values that
 * explain them (sizes and limits, expected and found offsets, the stream and shard).
 *
 * <p>Everything outside this package ({@code io.tributary.client.internal}) may change
 * without notice.
 */
package io.tributary.client;
