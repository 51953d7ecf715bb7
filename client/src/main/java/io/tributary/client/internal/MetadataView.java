package io.tributary.client.internal;

import java.io.IOException;

/** What the producer and consumer need from the metadata quorum; a seam for tests. Thread-safe. */
public interface MetadataView extends AutoCloseable
{
    /**
     * @throws io.tributary.client.UnknownStreamException if there is no such stream.
     * @throws IOException if the quorum does not answer.
     */
    StreamInfo describe(String stream) throws IOException;

    /** A producer id no other producer got. */
    long allocateProducerId() throws IOException;

    @Override
    void close() throws IOException;
}
