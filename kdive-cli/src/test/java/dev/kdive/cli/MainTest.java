package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    @Test
    void helpListsTheCommandsThatExist() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("info", "lab", "demo");
    }

    /** Start-up builds only the subcommand the arguments name (picocli reflects over each one it is given). */
    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertThat(Main.commandLine(new String[] {"oops", "x.log"}).getSubcommands()).containsOnlyKeys("oops");
        assertThat(Main.commandLine(new String[] {"vmcore", "-c", "sys"}).getSubcommands()).isEmpty();
        assertThat(Main.commandLine(new String[] {"--help"}).getSubcommands()).containsKeys("analyze", "info", "addr2line", "oops", "lab", "demo");
        assertThat(Main.commandLine().getSubcommands()).hasSize(7);
    }

    @Test
    void labBuildRefusesUnknownScenarioInOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("lab", "build", "meltdown")).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("kdive: unknown scenario 'meltdown'; known: "
                + java.util.Arrays.stream(dev.kdive.lab.Scenario.values()).map(dev.kdive.lab.Scenario::id)
                        .collect(java.util.stream.Collectors.joining(" "))).contains("slab-uaf hung-task".split(" ")).doesNotContain("\n");
    }

    /** {@code kdive DUMP} alone skips picocli; its errors are the same one line as with options. */
    @Test
    void aDumpAloneOpensWithoutTheOptionParser(@TempDir Path tmp) throws Exception {
        Path notADump = Files.writeString(tmp.resolve("notes.txt"), "hello, this is text\n");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertThat(Main.run(new String[] {notADump.toString()})).isEqualTo(1);
            assertThat(Main.run(new String[] {tmp.resolve("absent").toString()})).isEqualTo(1);
            assertThat(Main.run(new String[] {notADump.toString(), "-c", "sys"})).isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString().lines()).containsExactly(
                "kdive: " + notADump + ": at offset 0x0: expected an ELF core, a kdump-compressed (\"KDUMP   \") or a makedumpfile flattened file, found signature \"hello, this is t\"",
                "kdive: " + tmp.resolve("absent") + ": no such file",
                "kdive: " + notADump + ": at offset 0x0: expected an ELF core, a kdump-compressed (\"KDUMP   \") or a makedumpfile flattened file, found signature \"hello, this is t\"");
    }

    @Test
    void infoOnANonDumpIsOneLineAndNonZero(@TempDir Path tmp) throws Exception {
        Path notADump = Files.writeString(tmp.resolve("notes.txt"), "hello, this is text\n");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertThat(Main.commandLine().execute("info", notADump.toString())).isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString().lines()).hasSize(1).first().asString()
                .startsWith("kdive: " + notADump + ": at offset 0x0: expected an ELF core");
    }
}
