package io.tributary.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.tributary.raft.node.LeaderBalance.GroupView;
import io.tributary.raft.node.LeaderBalance.Verdict;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The preferred-leader policy on a fake clock: when a pass runs, when a shard may move, and when not (a rule table).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LeaderBalanceTest
{
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);

    @Test
    void passesRunOncePerIntervalAndNewShardsBringTheNextForward()
    {
        final LeaderBalance balance = new LeaderBalance(5 * SECOND_NS, 1_000);
        final long start = 123 * SECOND_NS;
        assertThat(balance.startPass(start)).as("the first pass runs at once").isTrue();
        assertThat(balance.startPass(start + SECOND_NS)).isFalse();
        assertThat(balance.startPass(start + 5 * SECOND_NS - 1)).isFalse();
        assertThat(balance.startPass(start + 5 * SECOND_NS)).isTrue();
        balance.passNoLaterThan(start + 7 * SECOND_NS);
        assertThat(balance.startPass(start + 7 * SECOND_NS - 1)).isFalse();
        assertThat(balance.startPass(start + 7 * SECOND_NS)).as("brought forward after a shard was created").isTrue();
        balance.passNoLaterThan(start + 60 * SECOND_NS);
        assertThat(balance.startPass(start + 12 * SECOND_NS)).as("never pushed back").isTrue();
    }

    @Test
    void aShardMovesAtMostOncePerIntervalSoAFailingPreferredNodeCannotPingPong()
    {
        final LeaderBalance balance = new LeaderBalance(5 * SECOND_NS, 1_000);
        final long now = -7 * SECOND_NS; // nanoTime may be negative
        assertThat(balance.mayTransfer("1/0", now)).isTrue();
        balance.transferred("1/0", now, true);
        assertThat(balance.mayTransfer("1/0", now + 5 * SECOND_NS - 1)).isFalse();
        assertThat(balance.mayTransfer("1/1", now + SECOND_NS)).as("other shards are not held back").isTrue();
        assertThat(balance.mayTransfer("1/0", now + 5 * SECOND_NS)).isTrue();
        balance.transferred("1/0", now + 5 * SECOND_NS, true);
        balance.retain(Set.of("1/1"));
        assertThat(balance.mayTransfer("1/0", now + 5 * SECOND_NS + 1)).as("a deleted shard is forgotten").isTrue();
    }

    @Test
    void failedTransfersBackOffUntilThePreferredReplicaIsSeenLeading()
    {
        final LeaderBalance balance = new LeaderBalance(5 * SECOND_NS, 1_000);
        long now = 0;
        final long[] waitsS = {10, 20, 40, 40, 40};
        for (final long waitS : waitsS)
        {
            balance.transferred("1/0", now, false);
            assertThat(balance.mayTransfer("1/0", now + waitS * SECOND_NS - 1)).as("wait %d s", waitS).isFalse();
            assertThat(balance.mayTransfer("1/0", now + waitS * SECOND_NS)).as("wait %d s", waitS).isTrue();
            now += waitS * SECOND_NS;
        }
        balance.transferred("1/0", now, false); // reported failed, yet the next pass sees the preferred replica lead
        assertThat(balance.settled("1/0")).as("the move is seen after a failed reply").isTrue();
        assertThat(balance.settled("1/0")).as("and reported once").isFalse();
        assertThat(balance.mayTransfer("1/0", now + 5 * SECOND_NS - 1)).as("the last attempt still counts").isFalse();
        assertThat(balance.mayTransfer("1/0", now + 5 * SECOND_NS)).as("back to one interval").isTrue();
    }

    /**
     * The verdicts as a table (src/test/resources/rules/leader-balance.txt): each line changes a baseline view by
     * field name and gives the verdict; every verdict is the outcome of some line.
     */
    @Test
    void verdictsFollowTheRuleTable() throws Exception
    {
        final Path table = Path.of("src", "test", "resources", "rules", "leader-balance.txt");
        final List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        final Map<String, String> baseline = new LinkedHashMap<>();
        final Set<Verdict> covered = EnumSet.noneOf(Verdict.class);
        LeaderBalance balance = null;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String where = table.getFileName() + ":" + (i + 1) + ": " + line;
            final int arrow = line.indexOf("=>");
            final String command = (arrow < 0 ? line : line.substring(0, arrow)).strip();
            final Map<String, String> fields = fields(command.replaceFirst("^(limits|baseline)\\b", ""), where);
            if (command.startsWith("limits"))
            {
                assertThat(Map.of("LAG_ENTRIES_MAX", LeaderBalance.LAG_ENTRIES_MAX,
                    "APPLY_LAG_ENTRIES_MAX", LeaderBalance.APPLY_LAG_ENTRIES_MAX,
                    "FOLLOWING_MIN_MS", LeaderBalance.FOLLOWING_MIN_MS)).as(where)
                    .containsAllEntriesOf(Map.of("LAG_ENTRIES_MAX", Long.parseLong(fields.get("LAG_ENTRIES_MAX")),
                    "APPLY_LAG_ENTRIES_MAX", Long.parseLong(fields.get("APPLY_LAG_ENTRIES_MAX")),
                    "FOLLOWING_MIN_MS", Long.parseLong(fields.get("FOLLOWING_MIN_MS"))));
                balance = new LeaderBalance(5 * SECOND_NS, Long.parseLong(fields.get("silence-max-ms")));
                continue;
            }
            if (command.startsWith("baseline"))
            {
                baseline.putAll(fields);
                continue;
            }
            assertThat(arrow).as(where + ": no verdict after =>").isNotNegative();
            assertThat(balance).as(where + ": no limits line before the first case").isNotNull();
            final Map<String, String> view = new LinkedHashMap<>(baseline);
            final String active = fields.remove("active");
            view.putAll(fields);
            final Verdict expected = Verdict.valueOf(line.substring(arrow + 2).strip());
            assertThat(balance.decide(!"false".equals(active), groupView(view, where))).as(where).isEqualTo(expected);
            covered.add(expected);
        }
        assertThat(covered).as("verdicts the table covers").containsExactlyInAnyOrder(Verdict.values());
    }

    /** {@code name=value} pairs, in order. */
    private static Map<String, String> fields(final String text, final String where)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String pair : text.strip().split("\\s+"))
        {
            if (pair.isEmpty())
            {
                continue;
            }
            final int equals = pair.indexOf('=');
            assertThat(equals).as(where + ": '" + pair + "' is not name=value").isPositive();
            fields.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return fields;
    }

    /** A view from its fields by name: every field of the record must be given, and no other. */
    private static GroupView groupView(final Map<String, String> fields, final String where) throws Exception
    {
        final RecordComponent[] components = GroupView.class.getRecordComponents();
        final Class<?>[] types = new Class<?>[components.length];
        final Object[] values = new Object[components.length];
        final Set<String> unknown = new TreeSet<>(fields.keySet());
        for (int c = 0; c < components.length; c++)
        {
            final String name = components[c].getName();
            final String text = fields.get(name);
            assertThat(text).as(where + ": no value for " + name + " (give it in a baseline line)").isNotNull();
            unknown.remove(name);
            types[c] = components[c].getType();
            values[c] = types[c] == boolean.class ? Boolean.parseBoolean(text)
                : types[c] == long.class ? Long.parseLong(text) : "null".equals(text) ? null : text;
        }
        assertThat(unknown).as(where + ": not fields of GroupView").isEmpty();
        return GroupView.class.getDeclaredConstructor(types).newInstance(values);
    }
}
