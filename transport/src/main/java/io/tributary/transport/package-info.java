/**
 * Raft and client traffic over Aeron (issue #6). The public part: {@link io.tributary.transport.AeronTransportConfig},
 * {@link io.tributary.transport.EmbeddedMediaDriver}, {@link io.tributary.transport.SendStatus}.
 * Framing and reassembly are in {@code frame}, the Ratis protobuf codecs in {@code codec}; both may change.
 * Design notes: transport/README.md.
 */
package io.tributary.transport;
