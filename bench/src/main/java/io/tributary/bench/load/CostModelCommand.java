package io.tributary.bench.load;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary bench cost-model DIR...}: fits {@link CostModel} to the runs whose results
 * folders are given (each with the {@code summary.json} of a {@code bench --local} run) and prints
 * the coefficients and each run against the fit. A folder that cannot be used is named with the
 * reason and left out.
 */
@Command(name = "cost-model", mixinStandardHelpOptions = true,
    description =
        {"Fit CPU us/s = idle + C_entry x entries/s + c_byte x KiB/s by least squares over the summary.json of",
        "several 'bench --local' runs (vary --rate and --size so entries and bytes vary independently).",
        "Prints C_entry (us per Raft entry), c_byte (us per KiB of values), idle (us/s) and R^2."})
public final class CostModelCommand implements Callable<Integer>
{
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Results folders of bench runs (their --out).")
    List<Path> dirs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<CostModel.Run> runs = new ArrayList<>();
        for (final Path dir : dirs)
        {
            try
            {
                runs.add(CostModel.read(dir));
            }
            catch (final IllegalArgumentException e)
            {
                out.println("left out: " + e.getMessage());
            }
        }
        out.print(CostModel.report(CostModel.fit(runs), runs));
        out.flush();
        return 0;
    }
}
