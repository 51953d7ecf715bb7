package io.tributary.transport.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.StateMachineExceptionProto;
import org.apache.ratis.proto.RaftProtos.ThrowableProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.Test;

/** Issue #14, point 6: exception replies are data; nothing a peer sends is Java-deserialized. */
class RemoteExceptionsTest
{
    /** Counts how often Java deserialization ran its readObject: a stand-in for a gadget chain. */
    static final AtomicInteger GADGET_RUNS = new AtomicInteger();

    static final class Gadget implements Serializable
    {
        private static final long serialVersionUID = 1L;

        private void readObject(final ObjectInputStream in) throws IOException, ClassNotFoundException
        {
            in.defaultReadObject();
            GADGET_RUNS.incrementAndGet();
        }
    }

    @Test
    void ratisExceptionsKeepTheirTypeAndOthersBecomeIoExceptionsNamingTheRemoteClass()
    {
        final Throwable mismatch =
            RemoteExceptions.decode(RemoteExceptions.encode(new GroupMismatchException("n1: group-X not found.")),
            "from n1");
        assertThat(mismatch).isInstanceOf(GroupMismatchException.class).hasMessage("n1: group-X not found.");
        final Throwable other = RemoteExceptions.decode(RemoteExceptions.encode(new IllegalStateException("broken")),
            "from n2");
        assertThat(other).isExactlyInstanceOf(IOException.class)
            .hasMessage("java.lang.IllegalStateException from n2: broken");
        // A class outside Ratis's exception package is never loaded, whatever the peer names.
        final ByteString named = ThrowableProto.newBuilder().setClassName(Gadget.class.getName()).setErrorMessage("x")
            .build()
            .toByteString();
        assertThat(RemoteExceptions.decode(named, "from n3")).isExactlyInstanceOf(IOException.class);
    }

    @Test
    void aJavaSerializedExceptionReplyIsNotDeserialized()
    {
        final int before = GADGET_RUNS.get();
        final ByteString serialized = ProtoUtils.writeObject2ByteString(new Gadget());
        final Throwable decoded = RemoteExceptions.decode(serialized, "from n4");
        assertThat(decoded).isExactlyInstanceOf(IOException.class).hasMessageContaining("not deserialized");
        assertThat(GADGET_RUNS.get()).as("readObject never ran").isEqualTo(before);
    }

    @Test
    void aClientReplysSerializedStackTraceIsReplacedBeforeRatisDecodesIt()
    {
        final int before = GADGET_RUNS.get();
        final RaftClientReplyProto reply = RaftClientReplyProto.newBuilder()
            .setRpcReply(RaftRpcReplyProto.newBuilder()
                .setRequestorId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
                .setReplyId(ByteString.copyFromUtf8("n1")).setRaftGroupId(RaftProtos.RaftGroupIdProto
                    .newBuilder().setId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                        15, 16}))).setCallId(7))
            .setStateMachineException(StateMachineExceptionProto.newBuilder()
                .setExceptionClassName("java.io.IOException")
                .setErrorMsg("refused").setStacktrace(ProtoUtils.writeObject2ByteString(new Gadget())))
            .build();
        final RaftClientReply decoded = ClientProtoUtils.toRaftClientReply(RemoteExceptions.sanitize(reply));
        assertThat(decoded.getException()).isInstanceOf(StateMachineException.class).hasMessageContaining("refused");
        assertThat(GADGET_RUNS.get()).as("readObject never ran").isEqualTo(before);
    }
}
