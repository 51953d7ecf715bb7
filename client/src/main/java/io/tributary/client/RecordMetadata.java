package io.tributary.client;

/** Where an acknowledged record is: its stream, shard and offset (dense and increasing within the shard). */
public record RecordMetadata(String stream, int shard, long offset)
{
}
