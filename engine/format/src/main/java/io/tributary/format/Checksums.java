package io.tributary.format;

import java.util.zip.CRC32C;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * CRC32C over any Agrona buffer, heap or off-heap (mapped files included), using the JDK's
 * intrinsic without copying. Off-heap needs {@code --add-opens java.base/java.util.zip}.
 */
public final class Checksums
{
    private static final ThreadLocal<CRC32C> HEAP_CRC = ThreadLocal.withInitial(CRC32C::new);

    private Checksums()
    {
    }

    public static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        buffer.boundsCheck(offset, length);
        final byte[] array = buffer.byteArray();
        if (array == null)
        {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
        }
        final CRC32C crc = HEAP_CRC.get();
        crc.reset();
        final int arrayOffset = (int)(buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET);
        crc.update(array, arrayOffset + offset, length);
        return (int)crc.getValue();
    }

    public static int crc32c(final long address, final int length)
    {
        return Crc32c.INSTANCE.compute(address, 0, length);
    }
}
