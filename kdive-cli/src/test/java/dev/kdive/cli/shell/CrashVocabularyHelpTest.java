package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * crash 8.0.2's commands, all but the two that write ({@code wr}) or load code ({@code extend}), are
 * kdive's too, each with its usage and an example in {@code help}; the calculators answer as crash
 * does without a dump.
 */
class CrashVocabularyHelpTest {
    /** crash 8.0.2's "help" list. */
    private static final List<String> CRASH = List.of("*", "alias", "ascii", "bpf", "bt", "btop", "dev", "dis", "eval", "exit", "extend",
            "files", "foreach", "fuser", "gdb", "help", "ipcs", "irq", "kmem", "list", "log", "mach", "mod", "mount", "net", "p", "ps", "pte",
            "ptob", "ptov", "q", "rd", "repeat", "runq", "sbitmapq", "search", "set", "sig", "struct", "swap", "sym", "sys", "task", "timer",
            "tree", "union", "vm", "vtop", "waitq", "whatis", "wr");

    private static String run(String line) {
        StringWriter w = new StringWriter();
        Shell shell = new Shell(null, new PrintWriter(w), false);
        shell.runLine(line);
        assertThat(shell.failures()).as(w.toString()).isZero();
        return w.toString();
    }

    @Test
    void helpListsEveryReadOnlyCrashCommandWithAnExample() {
        List<String> listed = run("help").lines().map(l -> l.split(" ", 2)[0]).toList();
        for (String c : CRASH) {
            switch (c) {
                case "wr", "extend" -> assertThat(listed).as("kdive never writes to a dump or loads code").doesNotContain(c);
                case "help" -> { }
                case "q", "exit" -> assertThat(run("help")).contains("q, quit or exit ends the session");
                default -> {
                    String name = c.equals("*") ? "*NAME[.MEMBER,…]" : c;
                    assertThat(listed).as("help lists " + c).anyMatch(l -> l.equals(name) || l.equals(c));
                    String page = run("help " + c);
                    assertThat(page).as("help " + c).startsWith("usage:   ").contains("\nexample: ");
                    assertThat(page.substring(page.indexOf("example: ") + 9).strip()).as("help " + c + "'s example").isNotEmpty();
                }
            }
        }
    }

    @Test
    void calculatorsAnswerInCrashsLayout() {
        assertThat(run("eval 5k")).isEqualTo("""
                hexadecimal: 1400  (5KB)
                    decimal: 5120 \s
                      octal: 12000
                     binary: 0000000000000000000000000000000000000000000000000001010000000000
                """);
        String bits = java.util.stream.IntStream.iterate(62, b -> b >= 1, b -> b - 1).mapToObj(b -> b + " ").reduce("", String::concat);
        assertThat(run("eval -b ~0 ^ 0x8000000000000001")).contains("    decimal: 9223372036854775806  \n")
                .endsWith("   bits set: " + bits + "\n");
        assertThat(run("ascii 0a41ff7f2009")).isEqualTo("00000a41ff7f2009: <HT> <DEL><ff>A<LF><NUL><NUL>\n");
        assertThat(run("btop 512a000 1fff; ptob 512a")).isEqualTo("512a000: 512a\n1fff: 1\n512a: 512a000\n");
        assertThat(run("pte 0")).isEqualTo("PTE  PHYSICAL  FLAGS\n 0       0     (no mapping)\n");
        assertThat(run("pte 12345081")).isEqualTo("  PTE     PHYSICAL  FLAGS\n12345081  12345000  (PRESENT|PSE)\n");
    }

    @Test
    void theAsciiChartIsAscii() {
        List<String> rows = run("ascii").lines().skip(3).toList();
        assertThat(rows).hasSize(16);
        for (int low = 0; low < 16; low++) {
            String row = rows.get(low);
            for (int high = 2; high < 8; high++) {
                int c = high << 4 | low;
                String cell = row.substring(5 + 4 * high, Math.min(row.length(), 9 + 4 * high)).strip();
                String expected = c == 0x20 ? "SP" : c == 0x7f ? "DEL" : String.valueOf((char) c);
                // crash's own chart swaps ' with ` and - with _; this one is ASCII's
                assertThat(cell).as("row %X column %d", low, high).isEqualTo(expected);
            }
        }
    }

    @Test
    void aliasesStandForTheirCommandsAndRepeatRunsOnce() {
        assertThat(run("alias pg btop; pg 2000")).endsWith("2000: 2\n");
        assertThat(run("alias")).contains("builtin  lsmod    mod \n");
        assertThat(run("repeat -5 ptob 1")).isEqualTo("1: 1000\nrepeat: a dump does not change; repeating \"ptob 1\" would print the same, so it ran once\n");
    }
}
