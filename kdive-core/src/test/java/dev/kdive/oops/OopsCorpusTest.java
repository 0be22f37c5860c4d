package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Real-world oops texts from public bug reports (each file names its source URL), with the titles a
 * kernel engineer gives them, written before the parser ran on them. Prints the agreement; the
 * assertion keeps it from regressing below what was measured.
 */
class OopsCorpusTest {
    static final Path CORPUS = Path.of("src/test/resources/oops/corpus");

    record Outcome(String file, List<String> expected, List<String> actual) {}

    static List<Outcome> run() throws IOException {
        List<Outcome> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(CORPUS)) {
            for (Path p : s.sorted().toList()) {
                List<String> expected = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (l.startsWith("# expected-title: ")) {
                        expected.add(l.substring(18));
                    } else if (!l.startsWith("# ")) {
                        text.append(l).append('\n');
                    }
                }
                List<String> actual = OopsParser.parse(text.toString()).stream().map(OopsReport::title).toList();
                out.add(new Outcome(p.getFileName().toString(), expected, actual));
            }
        }
        return out;
    }

    @Test
    void titlesAgreeWithAnEngineersReading() throws IOException {
        int agree = 0;
        int total = 0;
        StringBuilder differ = new StringBuilder();
        for (Outcome o : run()) {
            int n = Math.max(o.expected().size(), o.actual().size());
            if (n == 0) { // no report expected, none found
                agree++;
                total++;
                continue;
            }
            for (int i = 0; i < n; i++) {
                String e = i < o.expected().size() ? o.expected().get(i) : "(no report)";
                String a = i < o.actual().size() ? o.actual().get(i) : "(no report)";
                total++;
                if (e.equals(a)) {
                    agree++;
                } else {
                    differ.append(String.format("  %s #%d: expected \"%s\", got \"%s\"%n", o.file(), i + 1, e, a));
                }
            }
        }
        System.out.printf("oops corpus: %d/%d titles agree%n%s", agree, total, differ);
        assertThat(agree).as("titles agreeing, of %d:%n%s", total, differ).isGreaterThanOrEqualTo(total * 95 / 100);
    }
}
