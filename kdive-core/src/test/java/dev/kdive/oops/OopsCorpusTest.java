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
    /**
     * Public reports titled by syzbot (its e-mail subjects; a few from other trackers, titled by its
     * conventions, each file says why), kept apart from {@link #CORPUS}'s excerpts whose crash
     * classes the triage tests check.
     */
    static final Path SYZBOT = Path.of("src/test/resources/oops/syzbot");

    /**
     * A file's titles: {@code # expected-title:} names every report of the log in order;
     * {@code # expected-first-title:} names the first only, as syzbot titles a log by its first
     * report (its e-mails carry the console after it, often with further reports).
     */
    record Outcome(String file, List<String> expected, List<String> actual) {}

    static List<Outcome> run() throws IOException {
        List<Outcome> out = new ArrayList<>(run(CORPUS));
        out.addAll(run(SYZBOT));
        return out;
    }

    static List<Outcome> run(Path dir) throws IOException {
        List<Outcome> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                List<String> expected = new ArrayList<>();
                boolean firstOnly = false;
                StringBuilder text = new StringBuilder();
                for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (l.startsWith("# expected-title: ")) {
                        expected.add(l.substring(18));
                    } else if (l.startsWith("# expected-first-title: ")) {
                        expected.add(l.substring(24));
                        firstOnly = true;
                    } else if (!l.startsWith("# ")) {
                        text.append(l).append('\n');
                    }
                }
                List<String> actual = OopsParser.parse(text.toString()).stream().map(OopsReport::title).toList();
                if (firstOnly && actual.size() > 1) {
                    actual = actual.subList(0, 1);
                }
                out.add(new Outcome(p.getFileName().toString(), expected, actual));
            }
        }
        return out;
    }

    @Test
    void titlesAgreeWithSyzbotAndAnEngineersReading() throws IOException {
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
        // 75%: what syzbot's conventions give on these logs today (issue 19 aims at 95%); a floor against regressions
        assertThat(agree).as("titles agreeing, of %d:%n%s", total, differ).isGreaterThanOrEqualTo(total * 75 / 100);
    }
}
