package dev.kdive.bench;

import dev.kdive.oops.OopsParser;
import dev.kdive.oops.OopsReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Oops parsing throughput on one thread. A whole serial console (boot messages, then a crash)
 * is the common case fleets feed in; "reports" is the worst case, a log of nothing but reports.
 * MB/s = bytes per operation / time per operation (the benchmark prints both).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 12, time = 2) // C2 takes a while on the parser's big methods, sharing the one core (8 left one run at 30 MB/s)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OopsParseBenchmark {
    /** "console": the lab's slab-uaf console.log (≈ 40 KB, one oops); "reports": the oops corpus concatenated. */
    @Param({"console", "reports"})
    public String log;

    public byte[] bytes;

    @Setup(Level.Trial)
    public void load() throws IOException {
        String dir = System.getProperty("kdive.bench.data", ".");
        StringBuilder b = new StringBuilder();
        Path p = Path.of(dir, log.equals("console") ? "console.log" : "reports.log");
        String text = Files.readString(p, StandardCharsets.ISO_8859_1);
        while (b.length() < 4 << 20) { // a 4 MB log, so per-call costs do not dominate
            b.append(text);
        }
        bytes = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        System.out.printf("%n%s: %d bytes per operation%n", log, bytes.length);
    }

    @Benchmark
    public List<OopsReport> parse() {
        return OopsParser.parse(bytes);
    }
}
