/**
 * Raft traffic over Aeron: a Ratis {@code RpcType} named by class ({@code rpc/AeronRpcType}), its server and
 * client RPC and a pipelined log appender. Framing, the media driver and the transport settings live in the
 * protocol module ({@code io.tributary.protocol.frame}, {@code io.tributary.protocol.aeron}), shared with the
 * clients; the Ratis protobuf codecs are in {@code codec}. Design notes: transport/README.md.
 */
package io.tributary.transport;
