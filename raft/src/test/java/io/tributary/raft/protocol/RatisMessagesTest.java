package io.tributary.raft.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;

class RatisMessagesTest
{
    @Test
    void aMessageCarriesTheBytesItWraps()
    {
        final byte[] bytes = {1, 2, 3, 4, 5};
        assertThat(RatisMessages.wrap(bytes).getContent().toByteArray()).containsExactly(1, 2, 3, 4, 5);
        final Message part = RatisMessages.wrap(bytes, 1, 3);
        assertThat(part.getContent().toByteArray()).containsExactly(2, 3, 4);
        // Without a copy: the message reads the caller's array.
        bytes[2] = 9;
        assertThat(part.getContent().byteAt(1)).isEqualTo((byte)9);
    }
}
