package io.tributary.raft.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.junit.jupiter.api.Test;

/**
 * Issue #14, point 6: the node process's deserialization filter (Ratis's gRPC and Netty transports
 * still send Java-serialized exceptions) admits exceptions and stack traces, and refuses any other
 * class before its code runs.
 */
class SerialFilterTest
{
    static final class Gadget implements Serializable
    {
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        private void readObject(final ObjectInputStream in) throws IOException, ClassNotFoundException
        {
            in.defaultReadObject();
            ran = true;
        }
    }

    @Test
    void exceptionsAndStackTracesPassAndOtherClassesAreRefusedUnread() throws Exception
    {
        final GroupMismatchException mismatch = new GroupMismatchException("n1: group-X not found.");
        final Object back = read(write(mismatch));
        assertThat(back).isInstanceOf(GroupMismatchException.class);
        assertThat(((Throwable)back).getStackTrace()).isNotEmpty();
        assertThat(read(write(new StackTraceElement[0]))).isInstanceOf(StackTraceElement[].class);

        assertThatThrownBy(() -> read(write(new Gadget()))).isInstanceOf(InvalidClassException.class);
        assertThat(Gadget.ran).as("the refused class's readObject never ran").isFalse();
        // Hidden inside an allowed one: refused too.
        final IOException wrapping = new IOException("outer");
        wrapping.addSuppressed(new GadgetException());
        assertThatThrownBy(() -> read(write(wrapping))).isInstanceOf(InvalidClassException.class);
    }

    static final class GadgetException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }

    private static byte[] write(final Object object) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    private static Object read(final byte[] bytes) throws IOException, ClassNotFoundException
    {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)))
        {
            in.setObjectInputFilter(NodeMain.serialFilter());
            return in.readObject();
        }
    }
}
