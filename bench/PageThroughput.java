import dev.kdive.dump.DumpFile;
import dev.kdive.dump.Page;
import dev.kdive.dump.PhysicalMemory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random-page read throughput of one dump on one core: every present page once, in a shuffled
 * order, so the 2048-page cache rarely hits (bench/throughput.sh runs it; prints MB/s decompressed).
 */
public class PageThroughput {
    public static void main(String[] args) throws Exception {
        try (DumpFile d = DumpFile.open(Path.of(args[0]))) {
            PhysicalMemory m = d.memory();
            List<Long> present = new ArrayList<>();
            for (long pfn = 0; pfn < m.maxPfn(); pfn++) {
                if (m.page(pfn) instanceof Page.Data) {
                    present.add(pfn);
                }
            }
            java.util.Collections.shuffle(present, new Random(42));
            for (int round = 0; round < 3; round++) { // the last round is measured, the first two warm the JIT
                long t0 = System.nanoTime();
                long bytes = 0;
                for (long pfn : present) {
                    if (m.page(pfn) instanceof Page.Data data) {
                        bytes += data.bytes().byteSize();
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (round == 2) {
                    System.out.printf("%s\t%d pages\t%.0f MB/s%n", Path.of(args[0]).getFileName(), present.size(), bytes / 1e6 / s);
                }
            }
        }
    }
}
