package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** crash's command-line syntax: pipes through /bin/sh, redirections, !shell commands, help CMD, Ctrl-C. */
class ShellSyntaxTest {
    private record Fixed(String name, String text) implements ShellCommand {
        @Override
        public String synopsis() {
            return name + " [-a|-b] ARG   a fixed text";
        }

        @Override
        public String example() {
            return name + " -a 1   prints its text";
        }

        @Override
        public Output run(dev.kdive.program.Program program, List<String> args) {
            return Text.of(text + (args.isEmpty() ? "" : "\nargs " + args));
        }
    }

    /** A command that runs until its thread is interrupted, then stops as a page read does. */
    private record Spinning(String name) implements ShellCommand {
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
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
            throw new CancellationException("interrupted");
        }
    }

    private static final String PS = IntStream.rangeClosed(1, 50_000).mapToObj(i -> "   " + i + "  task-" + i).collect(Collectors.joining("\n"));
    private final StringWriter text = new StringWriter();
    private final Shell shell = new Shell(null, new PrintWriter(text), false,
            List.of(new Fixed("sys", "RELEASE: 6.1.0-57-amd64\nMACHINE: x86_64"), new Fixed("ps", PS), new Spinning("foreach")));

    @Test
    void aPipeRunsThroughTheShellAndItsSemicolonsStayQuoted() {
        shell.runLine("sys | tr a-z A-Z; ps | grep -c task-; sys | awk '{n++; print n\": \"$1}'");
        assertThat(text.toString().lines()).containsExactly("RELEASE: 6.1.0-57-AMD64", "MACHINE: X86_64", "50000", "1: RELEASE:", "2: MACHINE:");
        assertThat(shell.failures()).isZero();
    }

    @Test
    void aPipelineThatStopsReadingEarlyEndsTheCommandQuietly() {
        shell.runLine("ps | head -2; sys | grep -c nothing-matches; sys | head -1");
        // grep's exit status 1 (no match) is its own, not a kdive failure
        assertThat(text.toString().lines()).containsExactly("   1  task-1", "   2  task-2", "0", "RELEASE: 6.1.0-57-amd64");
        assertThat(shell.failures()).isZero();
    }

    @Test
    void redirectionsWriteAndAppend(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("out.txt");
        shell.runLine("sys > " + f + "; sys x >> '" + f + "'");
        assertThat(text.toString()).isEmpty();
        assertThat(Files.readAllLines(f)).containsExactly("RELEASE: 6.1.0-57-amd64", "MACHINE: x86_64", "RELEASE: 6.1.0-57-amd64",
                "MACHINE: x86_64", "args [x]");
        shell.runLine("sys > " + f);
        assertThat(Files.readAllLines(f)).hasSize(2);
    }

    @Test
    void aFileThatCannotBeWrittenIsOneLineAndTheSessionGoesOn(@TempDir Path dir) {
        shell.runLine("sys > " + dir.resolve("no/such/dir/x") + "; sys >; sys |; | grep x; sys | head -1");
        assertThat(text.toString().lines()).containsExactly(
                "sys: " + dir.resolve("no/such/dir/x") + ": cannot write: no such directory",
                "sys >: > needs a kdive command before it and one file name after it",
                "sys |: a pipe needs a kdive command before it and a shell command after it",
                "| grep x: a pipe needs a kdive command before it and a shell command after it",
                "RELEASE: 6.1.0-57-amd64");
        assertThat(shell.failures()).isEqualTo(4);
    }

    @Test
    void aBangLineIsOneShellCommand() {
        shell.runLine("!echo one; echo two | tr a-z A-Z");
        assertThat(text.toString().lines()).containsExactly("one", "TWO");
    }

    @Test
    void helpGivesEachCommandsUsageAndExample() {
        shell.runLine("help; help ps; help nosuch");
        assertThat(text.toString().lines()).contains("sys [-a|-b] ARG   a fixed text", "usage:   ps [-a|-b] ARG   a fixed text",
                "example: ps -a 1   prints its text", "help: no command nosuch (help lists them)");
    }

    @Test
    void anInterruptEndsTheCommandAndTheRestOfItsLineButNotTheSession() throws Exception {
        Thread worker = Thread.ofPlatform().start(() -> shell.runLine("foreach bt; sys"));
        Thread.sleep(200);
        worker.interrupt(); // what Ctrl-C at the prompt does
        worker.join(5_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(text.toString().lines()).containsExactly("foreach: interrupted");
        shell.runLine("sys | head -1");
        assertThat(text.toString().lines()).containsExactly("foreach: interrupted", "RELEASE: 6.1.0-57-amd64");
    }

    @Test
    void quotesKeepPipesAndRedirectionsLiteral() throws Exception {
        assertThat(Invocation.split("p \"a|b>c;\"; rd -a x ;; ")).containsExactly("p \"a|b>c;\"", "rd -a x");
        assertThat(Invocation.split(" !ls; echo")).containsExactly("!ls; echo");
        assertThat(Invocation.of("p \"a|b>c\"")).isEqualTo(new Invocation("p \"a|b>c\"", new Invocation.Sink.Screen()));
        assertThat(Invocation.of("bt >> ~/bt.txt")).isEqualTo(
                new Invocation("bt", new Invocation.Sink.File(Path.of(System.getProperty("user.home"), "bt.txt"), true)));
        assertThat(Invocation.of("kmem -S | grep invalid")).isEqualTo(new Invocation("kmem -S", new Invocation.Sink.Pipe("grep invalid")));
        assertThatThrownBy(() -> Invocation.of("bt > a b")).isInstanceOf(UsageException.class);
        assertThat(Invocation.of("p ((struct kmem_cache **)&kmalloc_caches)[2]->name > x")).isEqualTo(
                new Invocation("p ((struct kmem_cache **)&kmalloc_caches)[2]->name", new Invocation.Sink.File(Path.of("x"), false)));
    }

    @Test
    void flagsComeFromTheSynopsis() {
        assertThat(Completion.flags("kmem -s|-S|-V [CACHE] | -p [ADDR] | ADDR   slab caches; -V, kdive's")).containsExactly("-S", "-V", "-p", "-s");
        assertThat(Completion.flags("rd [-8|-16|-32|-64] [-a] ADDR [COUNT | -e END]   read memory")).containsExactly("-16", "-32", "-64", "-8", "-a", "-e");
        assertThat(Completion.startingWith(new String[] {"kmem_cache", "kmem_cache_cpu", "kmem_cache_node", "kobject"}, "kmem_c"))
                .containsExactly("kmem_cache", "kmem_cache_cpu", "kmem_cache_node");
        assertThat(Completion.endsWord(List.of("struct"))).isFalse();
        assertThat(Completion.endsWord(List.of("struct", "-o"))).isFalse();
        assertThat(Completion.endsWord(List.of("struct", "kmem_cache"))).isTrue();
        assertThat(Completion.endsWord(List.of("bt"))).isTrue();
    }
}
