package io.tributary.raft.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The BASE_STATE query in chunks: requests, chunks, the stale answer, and malformed replies refused. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BaseStateChunksTest
{
    @Test
    void aRequestRoundTrips()
    {
        final byte[] bytes = ShardProtocol.encodeBaseState(42, 4096, 1 << 20);
        final ShardProtocol.BaseStateRequest request =
            ShardProtocol.decodeBaseStateRequest(new UnsafeBuffer(bytes), bytes.length);
        assertThat(request).isEqualTo(new ShardProtocol.BaseStateRequest(42, 4096, 1 << 20));
        final byte[] fresh = ShardProtocol.encodeBaseState(-1, 0, 100);
        assertThat(ShardProtocol.decodeBaseStateRequest(new UnsafeBuffer(fresh), fresh.length).appliedIndex())
            .isEqualTo(-1);
    }

    @Test
    void aMalformedRequestIsRefusedWithItsValues()
    {
        final byte[] bytes = ShardProtocol.encodeBaseState(42, -5, 0);
        assertThatThrownBy(() -> ShardProtocol.decodeBaseStateRequest(new UnsafeBuffer(bytes), bytes.length))
            .hasMessageContaining("maxBytes 0, fromByte -5");
        assertThatThrownBy(() ->
            ShardProtocol.decodeBaseStateRequest(new UnsafeBuffer(new byte[] {ShardProtocol.BASE_STATE}), 1))
            .hasMessageContaining("at least 24 bytes");
    }

    @Test
    void chunksCarryTheirPlaceInTheWholeState()
    {
        final byte[] state = new byte[10_000];
        for (int i = 0; i < state.length; i++)
        {
            state[i] = (byte)i;
        }
        final byte[] whole = new byte[state.length];
        int have = 0;
        while (have < state.length)
        {
            final int length = Math.min(3_000, state.length - have);
            final byte[] reply = ShardProtocol.encodeBaseStateReply(7, 99, state.length, have, state, have, length);
            final ShardProtocol.BaseStateChunk chunk =
                ShardProtocol.decodeBaseStateReply(new UnsafeBuffer(reply), reply.length);
            assertThat(chunk.stale()).isFalse();
            assertThat(chunk.appliedTerm()).isEqualTo(7);
            assertThat(chunk.appliedIndex()).isEqualTo(99);
            assertThat(chunk.stateLength()).isEqualTo(state.length);
            assertThat(chunk.fromByte()).isEqualTo(have);
            chunk.buffer().getBytes(chunk.chunkOffset(), whole, have, chunk.chunkLength());
            have += chunk.chunkLength();
        }
        assertThat(whole).isEqualTo(state);
    }

    @Test
    void aStaleAnswerNamesTheStateAskedFor()
    {
        final byte[] reply = ShardProtocol.encodeBaseStateStale(99);
        final ShardProtocol.BaseStateChunk chunk =
            ShardProtocol.decodeBaseStateReply(new UnsafeBuffer(reply), reply.length);
        assertThat(chunk.stale()).isTrue();
        assertThat(chunk.appliedIndex()).isEqualTo(99);
    }

    @Test
    void aChunkThatOverrunsTheStateIsRefused()
    {
        final byte[] state = new byte[100];
        final byte[] reply = ShardProtocol.encodeBaseStateReply(1, 2, 50, 0, state, 0, 100);
        assertThatThrownBy(() -> ShardProtocol.decodeBaseStateReply(new UnsafeBuffer(reply), reply.length))
            .hasMessageContaining("chunk of 100 bytes").hasMessageContaining("from byte 0 of 50");
        final byte[] cut = ShardProtocol.encodeBaseStateReply(1, 2, 100, 0, state, 0, 100);
        assertThatThrownBy(() -> ShardProtocol.decodeBaseStateReply(new UnsafeBuffer(cut), cut.length - 1))
            .hasMessageContaining("carries 99");
    }
}
