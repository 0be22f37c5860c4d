package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One command's failure never costs the others their output: usage errors, missing layouts, kdive's own bugs. */
class ShellErrorsTest {
    private record Fixed(String name, Output output) implements ShellCommand {
        @Override
        public String synopsis() {
            return name;
        }

        @Override
        public String example() {
            return name;
        }

        @Override
        public Output run(dev.kdive.program.Program program, List<String> args) {
            return output;
        }
    }

    private record Throwing(String name, RuntimeException e) implements ShellCommand {
        @Override
        public String synopsis() {
            return name;
        }

        @Override
        public String example() {
            return name;
        }

        @Override
        public Output run(dev.kdive.program.Program program, List<String> args) {
            throw e;
        }
    }

    private final StringWriter text = new StringWriter();

    private Shell shell(boolean json) {
        return new Shell(null, new PrintWriter(text), json, List.of(new Fixed("sys", Text.of("RELEASE: 6.1.0-57-amd64")),
                new Throwing("bt", new IllegalStateException("frame list out of order")),
                new Throwing("ps", new TypeException("struct task_struct has no member rss_stat"))));
    }

    @Test
    void reportsAnInternalErrorAndRunsTheRemainingCommands() {
        Shell s = shell(false);
        s.runLine("sys; bt; sys");
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("RELEASE: 6.1.0-57-amd64");
        assertThat(lines.get(1)).startsWith("bt: internal error: IllegalStateException: frame list out of order (at dev.kdive.cli.shell.ShellErrorsTest.shell(")
                .endsWith("; --debug prints the whole trace");
        assertThat(lines.get(2)).isEqualTo("RELEASE: 6.1.0-57-amd64");
        assertThat(s.failures()).isEqualTo(1);
    }

    @Test
    void aMissingLayoutIsOneCommandsErrorNotAnInternalOne() {
        Shell s = shell(false);
        s.runLine("ps; sys");
        assertThat(text.toString().lines()).containsExactly("ps: struct task_struct has no member rss_stat", "RELEASE: 6.1.0-57-amd64");
    }

    @Test
    void jsonKeepsEveryCommandsObject() throws Exception {
        shell(true).runLine("sys; bt; nosuch");
        List<JsonNode> objects = text.toString().lines().map(l -> {
            try {
                return Json.mapper().readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertThat(objects).hasSize(3);
        assertThat(objects.get(0).get("result").get("text").asText()).isEqualTo("RELEASE: 6.1.0-57-amd64");
        assertThat(objects.get(1).get("error").asText()).startsWith("bt: internal error: IllegalStateException");
        assertThat(objects.get(2).get("error").asText()).startsWith("nosuch: command not found");
    }

    @Test
    void printsWhatEarlierCommandsWroteBeforeALaterOneFails() {
        StringWriter sink = new StringWriter();
        PrintWriter out = new PrintWriter(sink);
        List<String> seenAtFailure = new java.util.ArrayList<>();
        Shell s = new Shell(null, out, false, List.of(new Fixed("sys", Text.of("RELEASE: r")), new ShellCommand() {
            @Override
            public String name() {
                return "bt";
            }

            @Override
            public String synopsis() {
                return "bt";
            }

            @Override
            public String example() {
                return "bt";
            }

            @Override
            public Output run(dev.kdive.program.Program program, List<String> args) {
                seenAtFailure.add(sink.toString());
                throw new IllegalStateException("x");
            }
        }));
        s.runLine("sys; bt");
        assertThat(seenAtFailure).containsExactly("RELEASE: r" + System.lineSeparator());
    }
}
