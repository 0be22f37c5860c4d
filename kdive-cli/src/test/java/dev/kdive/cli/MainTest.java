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

    /** The plain spellings are parsed without picocli, and to what picocli makes of them. */
    @Test
    void plainArgumentsParseAsPicocliParsesThem() {
        String[][] cases = {
            {"vmcore"},
            {"vmcore", "-c", "sys; bt"},
            {"--vmlinux", "/x/vmlinux", "vmcore", "-c", "bt -a", "--json"},
            {"vmcore", "--vmlinux=/x/vmlinux", "--debug", "-i", "cmds.txt"},
            {"vmcore", "--src", "/a", "--modules", "/m1", "--src", "/b", "--modules=/m2"},
        };
        for (String[] args : cases) {
            Main plain = Main.plainSession(args);
            Main parsed = new Main();
            new CommandLine(parsed).parseArgs(args);
            assertThat(plain).as(String.join(" ", args)).isNotNull();
            assertThat(java.util.List.of(String.valueOf(plain.dump), String.valueOf(plain.commands), String.valueOf(plain.inputFile),
                    String.valueOf(plain.vmlinux), plain.json, plain.debug, plain.sources, plain.moduleDirs))
                    .as(String.join(" ", args))
                    .isEqualTo(java.util.List.of(String.valueOf(parsed.dump), String.valueOf(parsed.commands), String.valueOf(parsed.inputFile),
                            String.valueOf(parsed.vmlinux), parsed.json, parsed.debug, parsed.sources, parsed.moduleDirs));
        }
    }

    /** Anything else goes to picocli: help, subcommands, other spellings, repeats, a missing value, two dumps. */
    @Test
    void otherArgumentsAreLeftToPicocli() {
        String[][] cases = {
            {"--help"}, {"-V"}, {"oops", "x.log"}, {"vmcore", "-c"}, {"vmcore", "-c", "sys", "-c", "bt"},
            {"vmcore", "other"}, {"vmcore", "-csys"}, {"vmcore", "--json=true"}, {"vmcore", "-c", "--json"},
            {"-c", "sys"}, {"vmcore", "--", "-c"}, {"vmcore", "--unknown"},
        };
        for (String[] args : cases) {
            assertThat(Main.plainSession(args)).as(String.join(" ", args)).isNull();
        }
    }

    /** Every option of the dump session is one the plain parser knows: none is left to picocli's slower start. */
    @Test
    void thePlainParserKnowsEverySessionOption() {
        java.util.Set<String> names = new java.util.HashSet<>();
        Main.commandLine(new String[] {"vmcore"}).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp()).forEach(o -> names.add(o.longestName()));
        assertThat(names).isEqualTo(Main.PLAIN_OPTIONS);
    }
}
