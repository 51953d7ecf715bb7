package io.tributary.protocol.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue #17, point 4: each audit record names the hash of the one before: removing, altering or moving one shows. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AuditChainTest
{
    /** A trail of {@code count} records, chained from the first. */
    private static List<byte[]> trail(final int count)
    {
        final List<byte[]> values = new ArrayList<>();
        String previous = AuditRecord.GENESIS;
        for (int i = 0; i < count; i++)
        {
            final byte[] value = new AuditRecord(1_000L + i, "n1", "client:alice", "10.0.0.9:4000", "CREATE_STREAM",
                "orders-" + i, "ok", "-", previous).encode();
            values.add(value);
            previous = AuditRecord.hash(value);
        }
        return values;
    }

    private static AuditChain check(final List<byte[]> values)
    {
        final AuditChain chain = new AuditChain();
        for (int i = 0; i < values.size(); i++)
        {
            chain.next(i, values.get(i));
        }
        return chain;
    }

    @Test
    void anIntactTrailPassesRecordByRecord()
    {
        final AuditChain chain = check(trail(5));
        assertThat(chain.broken()).isNull();
        assertThat(chain.checked()).isEqualTo(5);
        final AuditRecord record = AuditRecord.decode(trail(1).get(0));
        assertThat(record.principal()).isEqualTo("client:alice");
        assertThat(record.previousHash()).isEqualTo(AuditRecord.GENESIS);
    }

    @Test
    void anAlteredRecordBreaksTheChainAtTheNextOne()
    {
        final List<byte[]> values = trail(5);
        values.set(2, new String(values.get(2), StandardCharsets.UTF_8).replace("\tok\t", "\tdenied\t")
            .getBytes(StandardCharsets.UTF_8));
        final AuditChain chain = check(values);
        assertThat(chain.checked()).isEqualTo(3);
        assertThat(chain.broken()).startsWith("offset 3 names previous hash").contains("removed, altered or moved");
    }

    @Test
    void aRemovedRecordBreaksTheChain()
    {
        final List<byte[]> values = trail(5);
        values.remove(1);
        final AuditChain chain = check(values);
        assertThat(chain.checked()).isEqualTo(1);
        assertThat(chain.broken()).startsWith("offset 1 names previous hash");
    }

    @Test
    void twoRecordsSwappedBreakTheChain()
    {
        final List<byte[]> values = trail(4);
        final byte[] second = values.get(1);
        values.set(1, values.get(2));
        values.set(2, second);
        assertThat(check(values).broken()).startsWith("offset 1");
    }

    @Test
    void aRecordThatDoesNotParseBreaksTheChainAtItself()
    {
        final List<byte[]> values = trail(3);
        values.set(0, "not an audit record".getBytes(StandardCharsets.UTF_8));
        assertThat(check(values).broken()).startsWith("offset 0: not an audit-1 audit record");
    }

    @Test
    void fieldsCannotBreakTheRecordsFieldsAndAHashMustBeOne()
    {
        final AuditRecord record = new AuditRecord(1, "n1", "client:x", "a\tb", "GRANT", "line\nbreak", "", null,
            AuditRecord.GENESIS);
        final AuditRecord back = AuditRecord.decode(record.encode());
        assertThat(back.source()).isEqualTo("a b");
        assertThat(back.resource()).isEqualTo("line break");
        assertThat(back.result()).isEqualTo("-");
        assertThatThrownBy(() -> new AuditRecord(1, "n1", "p", "s", "a", "r", "ok", "-", "abc"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 lowercase hex");
    }

    /** A record's trace id comes from a W3C traceparent, and only from a well-formed one. */
    @Test
    void aTraceIdIsTakenFromAWellFormedTraceparentOnly()
    {
        assertThat(AuditRecord.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
            .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(AuditRecord.traceIdOf(null)).isNull();
        assertThat(AuditRecord.traceIdOf("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).as("uppercase")
            .isNull();
        assertThat(AuditRecord.traceIdOf("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).as("invalid id")
            .isNull();
        assertThat(AuditRecord.traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736\tforged-0ba902b7-01")).isNull();
        assertThat(AuditRecord.traceIdOf("short")).isNull();
    }
}
