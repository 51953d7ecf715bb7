package io.tributary.jepsen.history;

import java.util.Locale;

/** Jepsen's operation types: a client invokes an operation, which completes ok, fails, or ends unknown. */
public enum RecordType
{
    /** The client called the operation. */
    INVOKE,
    /** It completed and took effect. */
    OK,
    /** It definitely did not take effect (except a {@code :timed-out} failure, which is indeterminate). */
    FAIL,
    /** Indeterminate: it may or may not have taken effect (crash, timeout). */
    INFO;

    /** The name used in all three formats: invoke, ok, fail, info. */
    public String jepsenName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with this name, or null. */
    public static RecordType fromJepsenName(final String name)
    {
        for (final RecordType type : values())
        {
            if (type.jepsenName().equals(name))
            {
                return type;
            }
        }
        return null;
    }
}
