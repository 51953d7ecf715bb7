package io.tributary.transport.codec;

import java.io.IOException;
import java.lang.reflect.Constructor;

import org.apache.ratis.proto.RaftProtos.AlreadyClosedExceptionProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.StateMachineExceptionProto;
import org.apache.ratis.proto.RaftProtos.ThrowableProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.util.ProtoUtils;

/**
 * Exceptions on the wire as data, never as Java serialization: a peer's bytes must not choose
 * which classes this process instantiates and with what state (issue #14, point 6). Ratis's own
 * transports send an exception as a Java-serialized object and its client replies carry
 * Java-serialized stack traces; over Aeron an exception travels as a {@link ThrowableProto} with
 * only its class name and message, and is rebuilt only as one of Ratis's exception types (which
 * Ratis's client and server logic tell apart: a group not found, a server not ready) or as a plain
 * {@link IOException} naming the remote class.
 */
public final class RemoteExceptions
{
    /** Exception types rebuilt as themselves: Ratis's, each with a (String) constructor. */
    private static final String RATIS_EXCEPTIONS = "org.apache.ratis.protocol.exceptions.";
    /** A serialized empty stack trace made here, for Ratis's decoders that deserialize one unconditionally. */
    private static final ByteString EMPTY_STACK_TRACE = ProtoUtils.writeObject2ByteString(new StackTraceElement[0]);

    private RemoteExceptions()
    {
    }

    /** The bytes of an exception reply: class name and message only. */
    public static ByteString encode(final Throwable failure)
    {
        return ThrowableProto.newBuilder().setClassName(failure.getClass().getName())
            .setErrorMessage(failure.getMessage() == null ? "" : failure.getMessage()).build().toByteString();
    }

    /**
     * The exception an exception reply describes; {@code from} says where it came from in the fallback. Never
     * throws: bytes that are not a {@link ThrowableProto} (a Java-serialized object from a peer running another
     * transport, or garbage) become an {@link IOException} saying so, unread.
     */
    public static Throwable decode(final ByteString bytes, final String from)
    {
        final ThrowableProto proto;
        try
        {
            proto = ThrowableProto.parseFrom(bytes);
        }
        catch (final InvalidProtocolBufferException e)
        {
            return new IOException("undecodable exception reply " + from + " (" + bytes.size()
                + " bytes; not deserialized)");
        }
        final String className = proto.getClassName();
        final String message = proto.getErrorMessage();
        if (className.startsWith(RATIS_EXCEPTIONS) && className.indexOf('.', RATIS_EXCEPTIONS.length()) < 0)
        {
            try
            {
                // initialize=false: a name alone runs no static initializer; only a Throwable's (String) constructor
                // runs.
                final Class<?> type = Class.forName(className, false, RemoteExceptions.class.getClassLoader());
                if (Throwable.class.isAssignableFrom(type))
                {
                    final Constructor<?> constructor = type.getConstructor(String.class);
                    return (Throwable)constructor.newInstance(message);
                }
            }
            catch (final ReflectiveOperationException | LinkageError | RuntimeException e)
            {
                // not one we can rebuild: the fallback below
            }
        }
        return new IOException(className + " " + from + ": " + message);
    }

    /**
     * A client reply with its Java-serialized parts (stack traces, causes) replaced by data made here:
     * Ratis's decoder ({@code ClientProtoUtils.toRaftClientReply}) deserializes them.
     */
    public static RaftClientReplyProto sanitize(final RaftClientReplyProto reply)
    {
        switch (reply.getExceptionDetailsCase())
        {
            case STATEMACHINEEXCEPTION:
            {
                final StateMachineExceptionProto e = reply.getStateMachineException();
                return reply.toBuilder().setStateMachineException(e.toBuilder().setStacktrace(EMPTY_STACK_TRACE))
                    .build();
            }
            case ALREADYCLOSEDEXCEPTION:
            {
                final AlreadyClosedExceptionProto e = reply.getAlreadyClosedException();
                return reply.toBuilder().setAlreadyClosedException(e.toBuilder().setStacktrace(EMPTY_STACK_TRACE))
                    .build();
            }
            case DATASTREAMEXCEPTION:
                return reply.toBuilder().setDataStreamException(plain(reply.getDataStreamException())).build();
            case LEADERSTEPPINGDOWNEXCEPTION:
                return reply.toBuilder().setLeaderSteppingDownException(plain(reply.getLeaderSteppingDownException()))
                    .build();
            case TRANSFERLEADERSHIPEXCEPTION:
                return reply.toBuilder().setTransferLeadershipException(plain(reply.getTransferLeadershipException()))
                    .build();
            case READEXCEPTION:
                return reply.toBuilder().setReadException(plain(reply.getReadException())).build();
            case READINDEXEXCEPTION:
                return reply.toBuilder().setReadIndexException(plain(reply.getReadIndexException())).build();
            default:
                return reply;
        }
    }

    private static ThrowableProto plain(final ThrowableProto proto)
    {
        return proto.toBuilder().clearStackTrace().clearCause().build();
    }
}
