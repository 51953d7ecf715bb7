package io.tributary.bench.kafka;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

import io.tributary.bench.load.SvgPlots;

/** The combined percentile plot: per configuration, the produce latency of all its fixed-rate runs merged. */
final class ComparePlot
{
    static final String FILE = "percentiles-rate.svg";

    private ComparePlot()
    {
    }

    /** Writes {@code out/percentiles-rate.svg}; returns its path, or null when no fixed-rate run succeeded. */
    static Path write(final List<RunResult> results, final List<SystemConfiguration> configurations, final int rate,
        final Path out)
        throws IOException
    {
        final List<SvgPlots.Series> series = new ArrayList<>();
        int runsMerged = 0;
        for (final SystemConfiguration configuration : configurations)
        {
            final Histogram merged = new Histogram(3);
            int runs = 0;
            for (final RunResult result : results)
            {
                if (result.configuration() == configuration && result.experiment() == Experiment.RATE && result.ok())
                {
                    merged.add(read(result.dir().resolve("produce.hlog")));
                    runs++;
                }
            }
            if (runs > 0)
            {
                series.add(new SvgPlots.Series(configuration.label, merged));
                runsMerged = Math.max(runsMerged, runs);
            }
        }
        if (series.isEmpty())
        {
            return null;
        }
        final String title = String.format(Locale.ROOT, "Produce latency at %,d records/s (%d run%s merged per system)",
            rate,
            runsMerged, runsMerged == 1 ? "" : "s");
        final Path file = out.resolve(FILE);
        Files.writeString(file, SvgPlots.percentilePlot(title, series));
        return file;
    }

    /**
     * Every interval of an HdrHistogram interval log (the measured seconds only: the load generator logs no warm-up),
     * in ns.
     */
    static Histogram read(final Path hlog) throws FileNotFoundException
    {
        final Histogram total = new Histogram(3);
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile()))
        {
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                if (interval instanceof Histogram histogram)
                {
                    total.add(histogram);
                }
            }
        }
        return total;
    }
}
