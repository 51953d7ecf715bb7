package io.tributary.engine;

import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Runs one rule table (a text file under {@code src/test/resources/rules}) against a real shard log, line by line,
 * in the style of etcd-io/raft's {@code testdata}: a new case is one line.
 *
 * <pre>
 * # a comment; blank lines are skipped
 * open max-keys=2 max-producers=1            (a fresh log; optional, defaults otherwise)
 * append producer=1 epoch=0 seq=0 records=2  =&gt; APPENDED 0..1
 * append key=a if-key=a@-1                   =&gt; KEY_CONDITION_FAILED expected=-1 found=0
 * reopen                                     (close and open the same folder: state must survive)
 * </pre>
 *
 * <p>{@code append} takes: {@code key=K} (every record's key), {@code keys=a,b,c} (one record per key),
 * {@code records=N}, {@code producer=P epoch=E seq=S} (idempotent), {@code if-shard=O} and {@code if-key=K@O}
 * (conditions), {@code raft=I} (the entry's Raft index), {@code damage=crc} (one payload byte flipped). The outcome
 * after {@code =>} is {@code STATUS base..last} when offsets are set, else {@code STATUS expected=X found=Y} (each
 * only when set), optionally followed by a quoted substring of the message.
 */
final class RuleTable
{
    private final String name;
    private final Path dir;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);
    private final AppendResult result = new AppendResult();
    private ShardLogConfig config;
    private ShardLog log;
    private int opened;

    RuleTable(final String name, final Path dir)
    {
        this.name = name;
        this.dir = dir;
    }

    /** Runs every line; returns the statuses the table expects, so the caller can check that all are covered. */
    List<AppendStatus> run(final List<String> lines)
    {
        final List<AppendStatus> expected = new ArrayList<>();
        try
        {
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String where = name + ":" + (i + 1) + ": " + line;
                final int arrow = line.indexOf("=>");
                final String command = (arrow < 0 ? line : line.substring(0, arrow)).strip();
                final String outcome = arrow < 0 ? null : line.substring(arrow + 2).strip();
                final String actual = execute(command, where);
                if (outcome == null)
                {
                    if (actual != null)
                    {
                        throw new AssertionError(where + "\n  has no expected outcome; it gave: " + actual);
                    }
                    continue;
                }
                expected.add(AppendStatus.valueOf(outcome.split("[ \"]")[0]));
                check(where, outcome, actual);
            }
        }
        finally
        {
            closeLog();
        }
        return expected;
    }

    private void check(final String where, final String outcome, final String actual)
    {
        final int quote = outcome.indexOf('"');
        final String wanted = (quote < 0 ? outcome : outcome.substring(0, quote)).strip();
        final String actualOutcome = actual.substring(0, actual.indexOf('|'));
        final String message = actual.substring(actual.indexOf('|') + 1);
        if (!wanted.equals(actualOutcome))
        {
            throw new AssertionError(where + "\n  expected: " + wanted + "\n  but was:  " + actualOutcome
                + (message.isEmpty() ? "" : " (" + message + ")"));
        }
        if (quote >= 0)
        {
            final String part = outcome.substring(quote + 1, outcome.lastIndexOf('"'));
            if (!message.contains(part))
            {
                throw new AssertionError(where + "\n  expected the message to contain: " + part + "\n  but it is: "
                    + message);
            }
        }
    }

    /** Returns "OUTCOME|message" for an append, null for a command without an outcome. */
    private String execute(final String command, final String where)
    {
        final String[] words = command.split("\\s+");
        final Map<String, String> args = new HashMap<>();
        for (int w = 1; w < words.length; w++)
        {
            final int eq = words[w].indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException(where + "\n  argument '" + words[w] + "' is not name=value");
            }
            args.put(words[w].substring(0, eq), words[w].substring(eq + 1));
        }
        switch (words[0])
        {
            case "open" -> open(args);
            case "reopen" -> reopen();
            case "append" ->
            {
                return append(args, where);
            }
            default -> throw new IllegalArgumentException(where + "\n  unknown command '" + words[0]
                + "' (open, reopen, append)");
        }
        return null;
    }

    private void open(final Map<String, String> args)
    {
        closeLog();
        config = new ShardLogConfig().directory(dir.resolve("log-" + ++opened));
        args.forEach((key, value) ->
        {
            switch (key)
            {
                case "max-keys" -> config.maxKeys(Integer.parseInt(value));
                case "max-producers" -> config.maxProducers(Integer.parseInt(value));
                case "max-key-bytes" -> config.maxKeyBytes(Integer.parseInt(value));
                default -> throw new IllegalArgumentException("open: unknown setting '" + key
                    + "' (max-keys, max-producers, max-key-bytes)");
            }
        });
        log = ShardLog.open(config);
    }

    private void reopen()
    {
        ensureOpen();
        log.close();
        log = ShardLog.open(config);
    }

    private void ensureOpen()
    {
        if (log == null)
        {
            open(Map.of());
        }
    }

    private void closeLog()
    {
        if (log != null)
        {
            log.close();
            log = null;
        }
    }

    private String append(final Map<String, String> args, final String where)
    {
        ensureOpen();
        final RecordBatchBuilder builder = new RecordBatchBuilder(scratch);
        if (args.containsKey("producer"))
        {
            builder.reset(Long.parseLong(args.get("producer")), Short.parseShort(args.getOrDefault("epoch", "0")),
                Integer.parseInt(args.getOrDefault("seq", "0")));
        }
        else
        {
            builder.reset();
        }
        final String[] keys = args.containsKey("keys") ? args.get("keys").split(",") : null;
        final int records = keys != null ? keys.length : Integer.parseInt(args.getOrDefault("records", "1"));
        for (int r = 0; r < records; r++)
        {
            final String key = keys != null ? keys[r] : args.get("key");
            if (!builder.tryAppend(1_700_000_000_000L + r, bytes(key), bytes("value-" + r)))
            {
                throw new IllegalArgumentException(where + "\n  the batch does not fit the test's buffer");
            }
        }
        final int length = builder.build();
        if ("crc".equals(args.get("damage")))
        {
            final int at = length - 1;
            scratch.putByte(at, (byte)(scratch.getByte(at) ^ 0x5A));
        }
        AppendCondition condition = null;
        if (args.containsKey("if-shard"))
        {
            condition = new AppendCondition().expectShardLastOffset(Long.parseLong(args.get("if-shard")));
        }
        if (args.containsKey("if-key"))
        {
            final String[] keyAt = args.get("if-key").split("@");
            condition = (condition == null ? new AppendCondition() : condition)
                .expectKeyLastOffset(bytes(keyAt[0]), Long.parseLong(keyAt[1]));
        }
        final long raftIndex = Long.parseLong(args.getOrDefault("raft", "0"));
        log.append(scratch, 0, length, raftIndex, condition, result);
        return describe(result) + "|" + (result.message() == null ? "" : result.message());
    }

    static String describe(final AppendResult result)
    {
        final StringBuilder text = new StringBuilder(result.status().name());
        if (result.baseOffset() != AppendResult.NONE)
        {
            text.append(' ').append(result.baseOffset()).append("..").append(result.lastOffset());
            return text.toString();
        }
        if (result.expected() != AppendResult.NONE)
        {
            text.append(" expected=").append(result.expected());
        }
        if (result.found() != AppendResult.NONE)
        {
            text.append(" found=").append(result.found());
        }
        return text.toString();
    }

    private static byte[] bytes(final String text)
    {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
