package io.tributary.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Admin requests, version 1 (text only) and 2 (the caller's traceparent after the text), and what is refused. */
class AdminRequestDescriptorTest
{
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void withoutATraceContextTheRequestIsVersionOne()
    {
        final byte[] bytes = AdminRequestDescriptor.encode(AdminRequestDescriptor.KIND_METADATA_QUERY, 0, 0, 5,
            "LIST", null);
        final UnsafeBuffer request = new UnsafeBuffer(bytes);
        assertThat(AdminRequestDescriptor.version(request, 0)).isEqualTo(AdminRequestDescriptor.VERSION);
        assertThat(AdminRequestDescriptor.malformed(request, 0, bytes.length)).isNull();
        assertThat(AdminRequestDescriptor.text(request, 0)).isEqualTo("LIST");
        assertThat(AdminRequestDescriptor.traceparent(request, 0)).isNull();
    }

    @Test
    void aTraceparentTravelsAfterTheTextAsVersionTwo()
    {
        final byte[] bytes = AdminRequestDescriptor.encode(AdminRequestDescriptor.KIND_METADATA_COMMAND, 1, 2, 5,
            "CREATE_STREAM\tsé\t1\t3", TRACEPARENT);
        final UnsafeBuffer request = new UnsafeBuffer(bytes);
        assertThat(AdminRequestDescriptor.version(request, 0)).isEqualTo(AdminRequestDescriptor.VERSION_TRACED);
        assertThat(AdminRequestDescriptor.malformed(request, 0, bytes.length)).isNull();
        assertThat(AdminRequestDescriptor.text(request, 0)).isEqualTo("CREATE_STREAM\tsé\t1\t3");
        assertThat(AdminRequestDescriptor.traceparent(request, 0)).isEqualTo(TRACEPARENT);
    }

    @Test
    void lengthsThatDoNotAddUpAndUnknownVersionsAreRefusedWithWhatIsWrong()
    {
        final byte[] traced = AdminRequestDescriptor.encode(AdminRequestDescriptor.KIND_METADATA_QUERY, 0, 0, 5,
            "LIST", TRACEPARENT);
        assertThat(AdminRequestDescriptor.malformed(new UnsafeBuffer(traced), 0, traced.length - 1))
            .contains("declares a traceparent of 55 bytes where 54 remain");
        assertThat(AdminRequestDescriptor.malformed(new UnsafeBuffer(traced), 0,
            AdminRequestDescriptor.HEADER_LENGTH + 5)).contains("ends before its traceparent length");
        final byte[] plain = AdminRequestDescriptor.encode(AdminRequestDescriptor.KIND_METADATA_QUERY, 0, 0, 5,
            "LIST");
        final byte[] longer = Arrays.copyOf(plain, plain.length + 3);
        assertThat(AdminRequestDescriptor.malformed(new UnsafeBuffer(longer), 0, longer.length))
            .contains("3 bytes after its text");
        assertThat(AdminRequestDescriptor.malformed(new UnsafeBuffer(plain), 0, 10)).contains("shorter than its");
        final UnsafeBuffer future = new UnsafeBuffer(plain.clone());
        future.putShort(AdminRequestDescriptor.VERSION_OFFSET, (short)9);
        assertThat(AdminRequestDescriptor.malformed(future, 0, plain.length)).contains("version 9 is not supported");
        final UnsafeBuffer negative = new UnsafeBuffer(plain.clone());
        negative.putInt(AdminRequestDescriptor.TEXT_LENGTH_OFFSET, -1);
        assertThat(AdminRequestDescriptor.malformed(negative, 0, plain.length)).contains("text length it declares");
    }
}
