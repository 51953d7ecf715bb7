package io.tributary.jepsen.visual;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders an explained {@link Analysis} as one self-contained HTML file: a timeline per partition with
 * each client's operations as bars, the longest linearizable prefix numbered in order, the point of
 * failure highlighted (the operations that could not come next, and the return no linearization gets
 * past), and the model's state before and after each operation on hover. Clicking an operation shows the
 * longest partial linearization that contains it. The page needs no network: its CSS, script and data are
 * inline. Stateless and thread-safe.
 */
public final class HtmlReport
{
    private static final String TEMPLATE = "timeline.html";
    private static final String DATA_PLACEHOLDER = "/*TRIBUTARY_DATA*/null";
    private static final String TITLE_PLACEHOLDER = "TRIBUTARY_TITLE";

    private HtmlReport()
{
    }

    /**
     * The report as a string.
     *
     * @throws IllegalArgumentException if the analysis was made without explanations
     */
    public static <I, O> String render(final Analysis<I, O> analysis, final String title)
    {
        if (!analysis.explained())
        {
            throw new IllegalArgumentException("the analysis has no explanations to show; check with "
                + "CheckOptions.withExplain(true) to render a report");
        }
        String data = Json.write(new ReportData().of(analysis, title));
        return template()
            .replace(TITLE_PLACEHOLDER, escapeHtml(title))
            .replace(DATA_PLACEHOLDER, data);
    }

    /** Writes the report to a file (UTF-8), replacing it. */
    public static <I, O> void write(final Analysis<I, O> analysis, final String title, final Path file)
        throws IOException
    {
        Files.writeString(file, render(analysis, title), StandardCharsets.UTF_8);
    }

    private static String template()
    {
        try (InputStream in = HtmlReport.class.getResourceAsStream(TEMPLATE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + TEMPLATE + " is missing next to "
                    + HtmlReport.class.getName() + "; the jar was built without its resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("reading resource " + TEMPLATE, e);
        }
    }

    static String escapeHtml(final String text)
    {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            char c = text.charAt(i);
            switch (c)
            {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }
}
