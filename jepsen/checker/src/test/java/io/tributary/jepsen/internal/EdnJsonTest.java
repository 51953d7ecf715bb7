package io.tributary.jepsen.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.history.Keyword;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EdnJsonTest
{

    @Test
    void ednReadsTheValuesOfJepsenHistories()
    {
        Object parsed = Edn.parse("{:process 3, :type :ok, :f :cas, :value [1 -2], :s \"a\\\"b\\n\\u0041\", :x nil,"
            + " :t true, :d 1.5, :big 12N, :set #{:a}, :l (1 2)} ; trailing comment");
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put(new Keyword("process"), 3L);
        expected.put(new Keyword("type"), new Keyword("ok"));
        expected.put(new Keyword("f"), new Keyword("cas"));
        expected.put(new Keyword("value"), List.of(1L, -2L));
        expected.put(new Keyword("s"), "a\"b\nA");
        expected.put(new Keyword("x"), null);
        expected.put(new Keyword("t"), true);
        expected.put(new Keyword("d"), 1.5);
        expected.put(new Keyword("big"), 12L);
        expected.put(new Keyword("set"), Set.of(new Keyword("a")));
        expected.put(new Keyword("l"), List.of(1L, 2L));
        assertThat(parsed).isEqualTo(expected);
    }

    @Test
    void ednDropsTagsAndParsesPrefixes()
    {
        assertThat(Edn.parse("#jepsen.history.Op{:index 0}")).isEqualTo(Map.of(new Keyword("index"), 0L));
        Edn.Prefix prefix = Edn.parsePrefix("[3 4]\tindeterminate: timeout");
        assertThat(prefix.value()).isEqualTo(List.of(3L, 4L));
        assertThat("[3 4]\tindeterminate: timeout".substring(prefix.end())).isEqualTo("\tindeterminate: timeout");
    }

    @Test
    void ednErrorsSayWhereAndWhat()
    {
        assertThatThrownBy(() -> Edn.parse("{:a 1")).isInstanceOf(SyntaxException.class)
            .hasMessage("expected '}' to close the collection, found end of line");
        assertThatThrownBy(() -> Edn.parse("{:a}"))
            .hasMessageContaining("a map with a value for every key (found 1 forms)");
        assertThatThrownBy(() -> Edn.parse("[1 foo]")).hasMessageContaining("expected nil, true, false, a number")
            .hasMessageContaining("found 'foo]'");
        assertThatThrownBy(() -> Edn.parse("99999999999999999999")).hasMessageContaining("fits in 64 bits");
        assertThatThrownBy(() -> Edn.parse("1 2")).hasMessageContaining("end of line after the value");
        SyntaxException e = (SyntaxException) Assertions.catchThrowable(() -> Edn.parse("[1 \"x]"));
        assertThat(e.column()).isEqualTo(7);
        char[] deep = new char[200];
        Arrays.fill(deep, '[');
        assertThatThrownBy(() -> Edn.parse(new String(deep))).hasMessageContaining("nested at most");
    }

    @Test
    void jsonReadsStrictJson()
    {
        assertThat(Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": \"\\u00e9\\/\\t\", \"c\": {}} "))
            .isEqualTo(mapOf("a", Arrays.asList(1L, -25.0, true, false, null), "b", "\u00e9/\t", "c", Map.of()));
        assertThat(Json.parse("[]")).isEqualTo(List.of());
    }

    @Test
    void jsonErrorsSayWhereAndWhat()
    {
        assertThatThrownBy(() -> Json.parse("{\"a\" 1}"))
            .hasMessage("expected ':' after member name \"a\", found '1}'");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).hasMessageContaining("expected a \"quoted\" member name");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("no second member named \"a\"");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("',' or ']' in the array");
        assertThatThrownBy(() -> Json.parse("nul")).hasMessageContaining("a JSON value");
        assertThatThrownBy(() -> Json.parse("\"a\tb\"")).hasMessageContaining("escaped control character");
    }

    @Test
    void jsonWritesWhatItReadsAndIsSafeInsideScript()
    {
        Map<String, Object> value = mapOf("s", "</script><!-- & \u2028 \"q\" \\ \n", "n", 5L, "l",
            Arrays.asList(1L, null, 2.5),
            "k", new Keyword("timed-out"), "b", true);
        String written = Json.write(value);
        assertThat(written).doesNotContain("<", ">", "&", "\u2028");
        Map<String, Object> expected = new LinkedHashMap<>(value);
        expected.put("k", "timed-out");
        assertThat(Json.parse(written)).isEqualTo(expected);
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("JSON has no NaN");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write a java.lang.Object");
    }

    private static Map<String, Object> mapOf(final Object... keysAndValues)
    {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
