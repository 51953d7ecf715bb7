package io.tributary.jepsen.history;

import io.tributary.jepsen.internal.Json;

/**
 * Reads Tributary's JSON-lines histories: one JSON object per line, one line per invocation or
 * completion, in the order they happened, as {@link JsonLinesWriter} writes them.
 *
 * <pre>
 * {"process":3,"type":"invoke","f":"write","key":"k1","value":5,"time":123456}
 * {"process":3,"type":"ok","f":"write","key":"k1","value":5,"time":123789}
 * {"process":4,"type":"invoke","f":"read","key":"k1","value":null,"time":123800}
 * {"process":4,"type":"info","f":"read","key":"k1","value":null,"time":124900,"error":"timed-out"}
 * </pre>
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>required</th><th>meaning</th></tr>
 *   <tr><td>process</td><td>yes</td><td>integer id of the client process; a process runs one operation at
 *       a time. The string "nemesis" marks fault records, which are skipped.</td></tr>
 *   <tr><td>type</td><td>yes</td><td>"invoke" when the client calls; then one of "ok" (took effect),
 *       "fail" (did not take effect), "info" (unknown: may or may not have taken effect)</td></tr>
 *   <tr><td>f</td><td>yes</td><td>operation name, per model: read, write, cas (register); get, put,
 *       append (kv); append, read (log)</td></tr>
 *   <tr><td>key</td><td>no</td><td>key (kv) or shard (log); any JSON value; absent or null means none</td></tr>
 *   <tr><td>value</td><td>no</td><td>argument on invoke, result on completion (see the models)</td></tr>
 *   <tr><td>time</td><td>no</td><td>integer nanoseconds from any fixed origin; on every line or on none
 *       (then line order stands for time). Never decreasing.</td></tr>
 *   <tr><td>error</td><td>no</td><td>a string; "timed-out" on a "fail" makes it indeterminate</td></tr>
 * </table>
 *
 * Other fields are ignored. Blank lines are skipped. Stateless and thread-safe.
 */
public final class JsonLinesReader extends MapRecordReader
{

    @Override
    Object parseLine(final String line)
    {
        return Json.parse(line);
    }

    @Override
    Object fieldKey(final String name)
    {
        return name;
    }

    @Override
    String expectedLine()
    {
        return "a JSON object such as {\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}";
    }

    @Override
    boolean isBlank(final String line)
    {
        return line.isBlank();
    }
}
