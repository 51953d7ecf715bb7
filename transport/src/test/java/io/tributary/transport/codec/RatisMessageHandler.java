package io.tributary.transport.codec;

import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;

import io.tributary.protocol.frame.MessageType;

/**
 * Receives decoded Ratis messages on the polling thread.
 */
@FunctionalInterface
public interface RatisMessageHandler
{
    /**
     * @param message an instance of {@code RatisMessageCodecs.codec(type).messageClass()}; owns its bytes.
     */
    void onMessage(long sourceId, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
        MessageLite message);
}
