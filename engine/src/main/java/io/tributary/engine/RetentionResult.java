package io.tributary.engine;

import java.util.List;

/** What one retention pass deleted, and the first offset the shard now holds. */
public record RetentionResult(List<String> deletedFiles, long deletedBatchBytes, long firstOffset)
{
}
