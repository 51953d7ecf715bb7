package io.tributary.engine;

/**
 * Stored data failed a check: a checksum, the framing, or the order of offsets. Carries the
 * file and the position so an operator can find it. Never thrown for data that was not yet
 * acknowledged (a torn tail is dropped and reported instead).
 */
public final class CorruptLogException extends RuntimeException
{
    private final String file;
    private final long position;

    public CorruptLogException(final String file, final long position, final String message)
    {
        super(message + " (file " + file + ", byte position " + position + ")");
        this.file = file;
        this.position = position;
    }

    public CorruptLogException(final String message, final Throwable cause)
    {
        super(message, cause);
        this.file = null;
        this.position = -1;
    }

    public String file()
    {
        return file;
    }

    public long position()
    {
        return position;
    }
}
