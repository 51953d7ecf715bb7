package io.tributary.engine;

import static io.tributary.format.RecordBatchDescriptor.*;

import io.tributary.format.Checksums;
import io.tributary.format.RecordDescriptor;

import org.agrona.DirectBuffer;

/**
 * Checks a record batch before it is stored (everything: framing, limits, checksums, the
 * structure of every record) and after it is read back (framing and checksums). Returns null
 * when valid, or a message that says what is wrong and where. Allocates only on failure.
 */
public final class BatchValidator
{
    private BatchValidator()
    {
    }

    /**
     * Full validation of a batch submitted for append.
     *
     * @param length bytes available for the batch; must equal its batchLength field.
     */
    public static String validate(
        final DirectBuffer buffer, final int offset, final int length, final int maxBatchBytes, final int maxKeyBytes)
    {
        final String framing = checkFraming(buffer, offset, length, maxBatchBytes);
        if (framing != null)
        {
            return framing;
        }
        final String checksums = checkChecksums(buffer, offset, length);
        if (checksums != null)
        {
            return checksums;
        }
        final short attributes = buffer.getShort(offset + ATTRIBUTES_OFFSET);
        if ((attributes & ATTRIBUTE_CODEC_MASK) != CODEC_NONE || (attributes & ~ATTRIBUTE_CODEC_MASK) != 0)
        {
            return "batch attributes 0x" + Integer.toHexString(attributes & 0xFFFF)
                + " name a compression codec or flags this version does not support (only 0 is)";
        }
        if (buffer.getInt(offset + BODY_RESERVED_OFFSET) != 0)
        {
            return "batch reserved field at byte " + BODY_RESERVED_OFFSET + " is "
                + buffer.getInt(offset + BODY_RESERVED_OFFSET) + "; it must be 0 in version " + CURRENT_VERSION;
        }
        final String producer = checkProducerFields(buffer, offset);
        if (producer != null)
        {
            return producer;
        }
        return checkRecords(buffer, offset, length, maxKeyBytes);
    }

    /** Framing and checksums of a stored batch; the records were validated when it was appended. */
    public static String verifyStored(final DirectBuffer buffer, final int offset, final int length,
        final int maxBatchBytes)
    {
        final String framing = checkFraming(buffer, offset, length, maxBatchBytes);
        return framing != null ? framing : checkChecksums(buffer, offset, length);
    }

    /** Only the header: length, magic, version, header CRC and the record count's bound. */
    public static String verifyHeader(final DirectBuffer buffer, final int offset, final int length,
        final int maxBatchBytes)
    {
        final String framing = checkFraming(buffer, offset, length, maxBatchBytes);
        if (framing != null)
        {
            return framing;
        }
        final int headerCrc = buffer.getInt(offset + HEADER_CRC_OFFSET);
        final int computed = Checksums.crc32c(buffer, offset, HEADER_CRC_COVERED_LENGTH);
        return headerCrc == computed ? null : "batch header CRC mismatch: stored 0x" + Integer.toHexString(headerCrc)
            + ", computed 0x" + Integer.toHexString(computed);
    }

    private static String checkFraming(final DirectBuffer buffer, final int offset, final int length,
        final int maxBatchBytes)
    {
        if (length < HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH)
        {
            return "batch of " + length + " bytes is shorter than the smallest valid batch ("
                + (HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH) + " bytes: header and one empty record)";
        }
        if (length > maxBatchBytes)
        {
            return "batch of " + length + " bytes exceeds the limit of " + maxBatchBytes
                + " bytes (maxBatchBytes); send smaller batches";
        }
        final int batchLength = buffer.getInt(offset + BATCH_LENGTH_OFFSET);
        if (batchLength != length)
        {
            return "batchLength field says " + batchLength + " bytes but " + length + " bytes were given";
        }
        final short magic = buffer.getShort(offset + MAGIC_OFFSET);
        if (magic != MAGIC)
        {
            return "bad magic 0x" + Integer.toHexString(magic & 0xFFFF) + " at byte " + MAGIC_OFFSET
                + ", expected 0x" + Integer.toHexString(MAGIC) + ": this is not a Tributary record batch";
        }
        final byte version = buffer.getByte(offset + VERSION_OFFSET);
        if (version != CURRENT_VERSION)
        {
            return "unsupported batch version " + version + "; this engine reads version " + CURRENT_VERSION;
        }
        final int recordCount = buffer.getInt(offset + RECORD_COUNT_OFFSET);
        final int maxRecords = (length - HEADER_LENGTH) / RecordDescriptor.MIN_RECORD_LENGTH;
        if (recordCount < 1 || recordCount > maxRecords)
        {
            return "record count " + recordCount + " is impossible for a batch of " + length
                + " bytes (must be 1.." + maxRecords + ")";
        }
        return null;
    }

    private static String checkChecksums(final DirectBuffer buffer, final int offset, final int length)
    {
        final int crc = buffer.getInt(offset + CRC_OFFSET);
        final int computedCrc = Checksums.crc32c(buffer, offset + CRC_COVERED_START, length - CRC_COVERED_START);
        if (crc != computedCrc)
        {
            return "batch body CRC mismatch: stored 0x" + Integer.toHexString(crc) + ", computed 0x"
                + Integer.toHexString(computedCrc) + " over bytes [" + CRC_COVERED_START + ", " + length + ")";
        }
        final int headerCrc = buffer.getInt(offset + HEADER_CRC_OFFSET);
        final int computedHeaderCrc = Checksums.crc32c(buffer, offset, HEADER_CRC_COVERED_LENGTH);
        if (headerCrc != computedHeaderCrc)
        {
            return "batch header CRC mismatch: stored 0x" + Integer.toHexString(headerCrc) + ", computed 0x"
                + Integer.toHexString(computedHeaderCrc) + " over bytes [0, " + HEADER_CRC_COVERED_LENGTH + ")";
        }
        return null;
    }

    private static String checkProducerFields(final DirectBuffer buffer, final int offset)
    {
        final long producerId = buffer.getLong(offset + PRODUCER_ID_OFFSET);
        if (producerId == NO_PRODUCER_ID)
        {
            return null;
        }
        final int baseSequence = buffer.getInt(offset + BASE_SEQUENCE_OFFSET);
        final short epoch = buffer.getShort(offset + PRODUCER_EPOCH_OFFSET);
        final int recordCount = buffer.getInt(offset + RECORD_COUNT_OFFSET);
        if (producerId < 0 || epoch < 0 || baseSequence < 0)
        {
            return "idempotent batch needs producerId >= 0, producerEpoch >= 0 and baseSequence >= 0; got "
                + producerId + ", " + epoch + ", " + baseSequence;
        }
        if ((long)baseSequence + recordCount - 1 > Integer.MAX_VALUE)
        {
            return "sequence overflow: baseSequence " + baseSequence + " + " + recordCount
                + " records passes " + Integer.MAX_VALUE + "; bump the producer epoch and restart at 0";
        }
        return null;
    }

    private static String checkRecords(final DirectBuffer buffer, final int offset, final int length,
        final int maxKeyBytes)
    {
        final int recordCount = buffer.getInt(offset + RECORD_COUNT_OFFSET);
        int position = HEADER_LENGTH;
        for (int i = 0; i < recordCount; i++)
        {
            if (length - position < RecordDescriptor.MIN_RECORD_LENGTH)
            {
                return "record " + i + " at byte " + position + " is cut short: " + (length - position)
                    + " bytes left, a record needs at least " + RecordDescriptor.MIN_RECORD_LENGTH;
            }
            final String error = checkRecord(buffer, offset, position, length, i, maxKeyBytes);
            if (error != null)
            {
                return error;
            }
            position += RecordDescriptor.LENGTH_FIELD_SIZE + buffer.getInt(offset + position);
        }
        if (position != length)
        {
            return "the " + recordCount + " records end at byte " + position + " but the batch is " + length
                + " bytes long: the record count or a record length is wrong";
        }
        return null;
    }

    private static String checkRecord(
        final DirectBuffer buffer, final int batchOffset, final int position, final int batchLength,
        final int index, final int maxKeyBytes)
    {
        final int at = batchOffset + position;
        final int recordLength = buffer.getInt(at);
        final long end = (long)position + RecordDescriptor.LENGTH_FIELD_SIZE + recordLength;
        if (recordLength < RecordDescriptor.FIXED_BODY_LENGTH || end > batchLength)
        {
            return "record " + index + " at byte " + position + " has length " + recordLength
                + ", outside [" + RecordDescriptor.FIXED_BODY_LENGTH + ", " + (batchLength - position - 4) + "]";
        }
        final int offsetDelta = buffer.getInt(at + RecordDescriptor.OFFSET_DELTA_OFFSET);
        if (offsetDelta != index)
        {
            return "record " + index + " at byte " + position + " has offsetDelta " + offsetDelta + ", expected "
                + index;
        }
        final int keyLength = buffer.getInt(at + RecordDescriptor.KEY_LENGTH_OFFSET);
        if (keyLength < RecordDescriptor.NULL_LENGTH || keyLength > maxKeyBytes)
        {
            return "record " + index + " at byte " + position + " has key length " + keyLength
                + "; keys are -1 (none) to " + maxKeyBytes + " bytes (maxKeyBytes)";
        }
        long cursor = position + RecordDescriptor.KEY_OFFSET + Math.max(keyLength, 0);
        final String value = checkLengthField(buffer, batchOffset, cursor, end, "value", index, position);
        if (value != null)
        {
            return value;
        }
        cursor += 4 + Math.max(buffer.getInt(batchOffset + (int)cursor), 0);
        return checkHeaders(buffer, batchOffset, cursor, end, index, position);
    }

    private static String checkHeaders(
        final DirectBuffer buffer, final int batchOffset, final long headerCountAt, final long end,
        final int index, final int position)
    {
        if (headerCountAt + 4 > end)
        {
            return "record " + index + " at byte " + position + ": header count runs past the record's end";
        }
        final int headerCount = buffer.getInt(batchOffset + (int)headerCountAt);
        if (headerCount < 0 || headerCount > (end - headerCountAt - 4) / RecordDescriptor.HEADER_FIXED_LENGTH)
        {
            return "record " + index + " at byte " + position + " has an impossible header count " + headerCount;
        }
        long cursor = headerCountAt + 4;
        for (int h = 0; h < headerCount; h++)
        {
            if (cursor + 4 > end)
            {
                return "record " + index + " at byte " + position + ": header " + h + " runs past the record's end";
            }
            final int nameLength = buffer.getInt(batchOffset + (int)cursor);
            if (nameLength < 0 || cursor + 4 + nameLength > end)
            {
                return "record " + index + " at byte " + position + ": header " + h + " name length " + nameLength
                    + " is negative or runs past the record's end";
            }
            cursor += 4 + nameLength;
            final String value = checkLengthField(buffer, batchOffset, cursor, end, "header " + h + " value", index,
                position);
            if (value != null)
            {
                return value;
            }
            cursor += 4 + Math.max(buffer.getInt(batchOffset + (int)cursor), 0);
        }
        if (cursor != end)
        {
            return "record " + index + " at byte " + position + ": fields end at byte " + cursor
                + " but the record length says " + end;
        }
        return null;
    }

    private static String checkLengthField(
        final DirectBuffer buffer, final int batchOffset, final long at, final long end, final String what,
        final int index, final int position)
    {
        if (at + 4 > end)
        {
            return "record " + index + " at byte " + position + ": " + what + " length runs past the record's end";
        }
        final int length = buffer.getInt(batchOffset + (int)at);
        if (length < RecordDescriptor.NULL_LENGTH || at + 4 + Math.max(length, 0) > end)
        {
            return "record " + index + " at byte " + position + ": " + what + " length " + length
                + " is invalid or runs past the record's end at byte " + end;
        }
        return null;
    }
}
