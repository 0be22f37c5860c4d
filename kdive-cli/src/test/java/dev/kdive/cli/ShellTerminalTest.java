package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive shell as a user meets it: tmux types into a real terminal and the test reads the
 * screen. Completion, pipes, redirection, !cmd, set then bt, Ctrl-C, history after a restart.
 */
@Tag("lab")
class ShellTerminalTest {
    private static final java.util.concurrent.atomic.AtomicInteger SERVERS = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * A tmux server of each test's own: a socket the previous test's kill-server is still closing
     * answers a new client with "server exited unexpectedly".
     */
    private final String server = "kdive-test-" + ProcessHandle.current().pid() + "-" + SERVERS.incrementAndGet();

    @TempDir
    Path home;

    @AfterEach
    void killServer() throws Exception {
        new ProcessBuilder("tmux", "-L", server, "kill-server").redirectErrorStream(true).start().waitFor();
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tmux %s: %s", args[0], out).isZero();
        return out;
    }

    /** Starts kdive on the dump in a 160x50 tmux window, with its own cache folder (the history lives there). */
    private void start(Path dump) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String command = String.join(" ", "env", "XDG_CACHE_HOME=" + home, "TERM=xterm-256color", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", "'" + System.getProperty("java.class.path") + "'", Main.class.getName(), dump.toString());
        if (hasSession()) {
            tmux("kill-session", "-t", "k");
        }
        tmux("new-session", "-d", "-s", "k", "-x", "160", "-y", "50", command + "; echo kdive-exited-$?; sleep 600");
        screen(s -> s.contains("kdive> "), "the first prompt");
    }

    private boolean hasSession() {
        try {
            tmux("has-session", "-t", "k");
            return true;
        } catch (AssertionError | Exception e) {
            return false;
        }
    }

    private void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "k"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types a line literally (no key names), then Enter. */
    private void line(String text) throws Exception {
        tmux("send-keys", "-t", "k", "-l", text);
        keys("Enter");
    }

    /** {@return the screen (and scroll-back) once it satisfies {@code ready}; fails after 60 s with what it showed} */
    private String screen(Predicate<String> ready, String what) throws Exception {
        String s = "";
        for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end; Thread.sleep(100)) {
            s = tmux("capture-pane", "-p", "-J", "-S", "-3000", "-t", "k");
            if (ready.test(s)) {
                return s;
            }
        }
        throw new AssertionError("waiting for " + what + "; the screen showed:\n" + s);
    }

    private static long count(String s, String what) {
        return s.lines().filter(l -> l.contains(what)).count();
    }

    @Test
    void aSessionAtTheKdivePrompt() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        start(dir.resolve(Lab.Artifact.D31_ZLIB.file));

        // completion: a struct name, then its member
        tmux("send-keys", "-t", "k", "-l", "struct kmem_c");
        keys("Tab");
        screen(s -> s.contains("kdive> struct kmem_cache"), "struct kmem_c<TAB> completed to the common prefix");
        keys("Tab");
        screen(s -> s.contains("kmem_cache_node") && s.contains("kmem_cache_cpu"), "the candidates listed");
        tmux("send-keys", "-t", "k", "-l", ".na");
        keys("Tab");
        screen(s -> s.contains("kdive> struct kmem_cache.name"), "struct kmem_cache.na<TAB> completed to the member");
        keys("C-u");
        tmux("send-keys", "-t", "k", "-l", "foreach lab-tr");
        keys("Tab");
        screen(s -> s.contains("kdive> foreach lab-trigger "), "a comm completed");
        keys("C-u");

        // a pipe, a redirection, a shell command, set then bt
        line("bt | grep -c '#'");
        String s = screen(t -> t.lines().anyMatch(l -> l.matches("\\d+")), "bt | grep -c's count");
        assertThat(s.lines().filter(l -> l.matches("\\d+")).mapToInt(Integer::parseInt).findFirst().orElseThrow()).isGreaterThan(3);
        Path file = home.resolve("bt.txt");
        line("bt > " + file);
        line("!wc -l < " + file + " | tr -d ' '");
        s = screen(t -> t.contains("kdive> !wc") && t.substring(t.indexOf("kdive> !wc")).lines().skip(1).anyMatch(l -> l.matches("\\d+")),
                "!wc's line count");
        assertThat(Files.readString(file)).startsWith("PID: ").contains(" #0 [");
        line("set 1");
        line("bt");
        screen(t -> t.contains("kdive> bt\nPID: 1 ") && t.substring(t.indexOf("kdive> bt\nPID: 1 ")).contains("entry_SYSCALL_64"),
                "bt of pid 1 after set 1");
        line("sys | head -1");
        screen(t -> t.matches("(?s).*kdive> sys \\| head -1\n\\s+KERNEL: [^\n]*\nkdive>\\s*"), "sys | head -1, then the prompt");
        keys("C-d");
        screen(t -> t.contains("kdive-exited-0"), "kdive ending on Ctrl-D with status 0");

        // history survives the restart
        start(dir.resolve(Lab.Artifact.D31_ZLIB.file));
        keys("Up");
        screen(t -> t.contains("kdive> sys | head -1"), "the last command of the previous session, after Up");
        assertThat(Files.readString(home.resolve("kdive/history"))).contains("set 1", "bt | grep -c '#'");
        keys("C-u");
        line("q");
        screen(t -> t.contains("kdive-exited-0"), "q ending the session");
    }

    @Test
    void ctrlCInterruptsTheCommandNotTheSession() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        start(dir.resolve(Lab.Artifact.ELF.file)); // every page present: a long read
        line("rd -p 0x1000000 16777216");
        Thread.sleep(1500);
        keys("C-c");
        screen(t -> t.contains("rd: interrupted"), "rd interrupted");
        line("foreach bt | sleep 600");
        Thread.sleep(1500);
        keys("C-c");
        // The pipeline's processes get the SIGINT too and end: the prompt comes back, with "foreach:
        // interrupted" when the signal found kdive still waiting for them
        screen(t -> t.matches("(?s).*kdive> foreach bt \\| sleep 600\n\\^C(foreach: interrupted\n)?kdive>.*"), "the pipeline interrupted");
        line("sys | grep -c RELEASE");
        screen(t -> t.contains("kdive> sys | grep -c RELEASE\n1\nkdive> "), "the next command, answered");
        line("exit");
        screen(t -> t.contains("kdive-exited-0"), "exit ending the session");
    }

    /** {@return what kdive printed, run as its own process on these arguments with {@code stdin} piped in} */
    private static String process(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void pipedStdinAndACommandFileAreOneSession() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        String pid = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile())
                .path("crashing").path("pid").asText();
        String dump = dir.resolve(Lab.Artifact.D31_ZLIB.file).toString();
        // set carries over to the next line; a pipe works without a terminal; q ends the session
        String out = process("set " + pid + "\nbt | head -1 | awk '{print $1, $2}'\nq\nsys\n", dump);
        List<String> lines = out.lines().filter(l -> !l.startsWith("kdive: ")).toList();
        assertThat(lines).contains("    PID: " + pid, "COMMAND: \"lab-trigger\"").endsWith("PID: " + pid);
        assertThat(out).doesNotContain("RELEASE"); // after q
        Path file = home.resolve("commands");
        Files.writeString(file, "set 1\n");
        out = process("", dump, "-i", file.toString(), "-c", "bt | grep -c 'PID: 1 '");
        assertThat(out.lines().toList()).endsWith("1");
    }
}
