package io.tributary.jepsen.history;

import io.tributary.jepsen.internal.Edn;
import io.tributary.jepsen.internal.SyntaxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads operations from a Jepsen log, as in the etcd histories of porcupine and Knossos:
 *
 * <pre>
 * INFO  jepsen.util - 2&#9;:invoke&#9;:cas&#9;[3 0]
 * INFO  jepsen.util - 2&#9;:ok&#9;:cas&#9;[3 0]
 * INFO  jepsen.util - 3&#9;:fail&#9;:read&#9;:timed-out
 * INFO  jepsen.util - 4&#9;:info&#9;:write&#9;:timed-out
 * </pre>
 *
 * An operation line holds {@code jepsen.util - }, then the process, the type, the operation and an EDN
 * value, separated by tabs or spaces; anything after the value is the error text. Whatever comes before
 * {@code jepsen.util} (a timestamp, a level) is ignored. Lines without {@code jepsen.util - } belong to
 * other loggers and are skipped; a file with no operation line at all is an error, since it is surely in
 * another format. Lines of the nemesis process are skipped.
 *
 * <p>In this form a {@code :timed-out} keyword in the value slot of a fail or info line is the error, not
 * a value: {@code :fail :read :timed-out} is an indeterminate read. The log has no clock, so records have
 * no time: the line order is the history order. Stateless and thread-safe.
 */
public final class JepsenLogReader implements HistoryReader
{
    private static final String MARKER = "jepsen.util - ";
    private static final Pattern OPERATION = Pattern.compile("(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*(.*)");
    private static final String EXPECTED = "'jepsen.util - PROCESS :TYPE :F VALUE', such as "
        + "'INFO  jepsen.util - 3\t:invoke\t:write\t4'";

    @Override
    public List<HistoryRecord> read(final BufferedReader in, final String source) throws IOException,
        HistoryFormatException
    {
        List<HistoryRecord> records = new ArrayList<>();
        String text;
        int line = 0;
        int operationLines = 0;
        while ((text = in.readLine()) != null)
        {
            line++;
            int marker = text.indexOf(MARKER);
            if (marker < 0)
            {
                continue;
            }
            operationLines++;
            HistoryRecord record = parse(text.substring(marker + MARKER.length()).strip(), source, line);
            if (record != null)
            {
                records.add(record);
            }
        }
        if (operationLines == 0 && line > 0)
        {
            throw new HistoryFormatException(source, 0, "no Jepsen operation line in " + line
                + " lines; expected lines like " + EXPECTED + ". Is this the right --format?");
        }
        return records;
    }

    private HistoryRecord parse(final String operation, final String source, final int line)
        throws HistoryFormatException
    {
        Matcher m = OPERATION.matcher(operation);
        if (!m.matches())
        {
            throw new HistoryFormatException(source, line, "expected " + EXPECTED + ", found '" + operation + "'");
        }
        if (m.group(1).equals(":nemesis"))
        {
            return null;
        }
        long process = processOf(m.group(1), source, line);
        RecordType type = m.group(2).startsWith(":") ? RecordType.fromJepsenName(m.group(2).substring(1)) : null;
        if (type == null)
        {
            throw new HistoryFormatException(source, line, "expected :invoke, :ok, :fail or :info after process "
                + process + ", found '" + m.group(2) + "'");
        }
        if (!m.group(3).startsWith(":") || m.group(3).length() < 2)
        {
            throw new HistoryFormatException(source, line, "expected an operation keyword such as :read after "
                + m.group(2) + ", found '" + m.group(3) + "'");
        }
        String f = m.group(3).substring(1);
        return valueAndError(m.group(4), source, line, new HistoryRecord(line, process, type, f, null, null,
            OptionalLong.empty(), null));
    }

    private static long processOf(final String text, final String source, final int line) throws HistoryFormatException
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException e)
        {
            throw new HistoryFormatException(source, line, "expected an integer process id (or :nemesis) after '"
                + MARKER + "', found '" + text + "'");
        }
    }

    private static HistoryRecord valueAndError(final String rest, final String source, final int line,
        final HistoryRecord base)
        throws HistoryFormatException
    {
        if (rest.isEmpty())
        {
            throw new HistoryFormatException(source, line, "expected a value (nil, a number, [a b], ...) after :"
                + base.f() + ", found end of line");
        }
        Edn.Prefix parsed;
        try
        {
            parsed = Edn.parsePrefix(rest);
        }
        catch (final SyntaxException e)
        {
            throw new HistoryFormatException(source, line, "value of :" + base.f() + ": " + e.getMessage());
        }
        String errorText = rest.substring(parsed.end()).strip();
        Object value = parsed.value();
        String error = errorText.isEmpty() ? null : errorText;
        boolean completion = base.type() == RecordType.FAIL || base.type() == RecordType.INFO;
        if (completion && new Keyword(HistoryRecord.TIMED_OUT).equals(value))
        {
            value = null;
            error = HistoryRecord.TIMED_OUT;
        }
        return new HistoryRecord(line, base.process(), base.type(), base.f(), null, value, base.time(), error);
    }
}
