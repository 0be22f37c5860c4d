package dev.kdive.cli.shell;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kdive's sys, rd, sym, mod, log and vtop against the kernel's own suite's crash on every lab dump (every scenario, every
 * format): the same commands, with the debug vmlinux for crash and nothing but the dump for kdive.
 */
@Tag("lab")
class CrashCrossCheckTest {
    private static final Pattern SYS_LINE = Pattern.compile("^\\s*([A-Z ]+): (.*)$", Pattern.MULTILINE);
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    /** One dump: kdive's and crash's output for the same commands, and the addresses walked. */
    record Case(Scenario scenario, Path dump, List<String> commands, List<String> kdive, List<String> crash,
                JsonNode groundTruth, List<String> kdiveWithVmlinux) {}

    static List<Arguments> dumps() throws Exception {
        prepare();
        return CASES.values().stream().map(c -> Arguments.of(c.scenario().id() + "/" + c.dump().getFileName())).toList();
    }

    @BeforeAll
    static synchronized void prepare() throws Exception {
        if (!CASES.isEmpty()) {
            return;
        }
        Lab lab = Lab.standard();
        Path vmlinux = lab.debuginfo(System.out::println);
        for (CrashReference.Transcript t : CrashReference.transcripts(lab).values()) {
            Case c = run(t, vmlinux);
            CASES.put(c.scenario().id() + "/" + c.dump().getFileName(), c);
        }
    }

    /** kdive's answers to the transcript's commands but the kmem, bt and log -T ones, which other tests compare. */
    private static Case run(CrashReference.Transcript t, Path vmlinux) throws Exception {
        Path dump = t.dump();
        List<String> commands = t.commands().stream()
                .filter(c -> !c.startsWith("kmem ") && !c.startsWith("bt ") && !c.equals("log -T")).toList();
        List<String> kdive = new ArrayList<>();
        try (Program p = Kernel.open(dump, Optional.empty())) {
            for (String c : commands) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine(c);
                kdive.add(w.toString());
            }
        }
        List<String> crash = commands.stream().map(t::of).toList();
        JsonNode gt = new ObjectMapper().readTree(dump.resolveSibling(Lab.Artifact.GROUND_TRUTH.file).toFile());
        List<String> withVmlinux = new ArrayList<>();
        if (dump.getFileName().toString().equals(Lab.Artifact.ELF.file)) { // symbols + DWARF lines, once per scenario
            try (Program p = Kernel.open(dump, Optional.of(vmlinux))) {
                for (String c : commands) {
                    StringWriter w = new StringWriter();
                    new Shell(p, new PrintWriter(w), false).runLine(c.startsWith("sym ") ? c : "help");
                    withVmlinux.add(w.toString());
                }
            }
        }
        return new Case(t.scenario(), dump, commands, kdive, crash, gt, withVmlinux);
    }

    private static Map<String, String> sysFields(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = SYS_LINE.matcher(out);
        while (x.find()) {
            m.put(x.group(1).strip(), x.group(2).strip());
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void sysAgreesWithCrashAndPanicWithTheConsole(String id) {
        Case c = CASES.get(id);
        Map<String, String> ours = sysFields(c.kdive().get(0));
        Map<String, String> theirs = sysFields(c.crash().get(0));
        for (String k : List.of("RELEASE", "VERSION", "MACHINE", "MEMORY", "CPUS", "NODENAME", "DATE", "UPTIME")) {
            assertThat(ours.get(k)).as(id + " sys " + k).isNotNull().isEqualTo(theirs.get(k));
        }
        assertThat(ours.get("PANIC")).as(id + " PANIC")
                .isEqualTo("\"Kernel panic - not syncing: " + c.groundTruth().path("panic").asText() + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void rdStringsAndSymbolsEqualCrashs(String id) {
        Case c = CASES.get(id);
        int checked = 0;
        for (int i = 1; i < c.commands().size(); i++) {
            String cmd = c.commands().get(i);
            if (cmd.startsWith("rd -a")) {
                assertThat(c.kdive().get(i).strip()).as(id + ": " + cmd).isEqualTo(c.crash().get(i).strip());
                checked++;
            } else if (cmd.startsWith("sym ")) {
                // crash appends " FILE: LINE" from DWARF, which kdive reads only with a vmlinux.
                String theirs = c.crash().get(i).strip().replaceAll("(?m) \\S*/\\S+: \\d+$", "");
                assertThat(c.kdive().get(i).strip()).as(id + ": " + cmd).isEqualTo(theirs);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(c.commands().stream().filter(x -> x.startsWith("rd -a") || x.startsWith("sym ")).count())
                .isGreaterThanOrEqualTo(12 + 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void symWithTheVmlinuxAddsCrashsSourceLines(String id) {
        Case c = CASES.get(id);
        if (c.kdiveWithVmlinux().isEmpty()) {
            return; // checked once per scenario, on its ELF core
        }
        int checked = 0;
        int binutils = 0;
        for (int i = 0; i < c.commands().size(); i++) {
            if (c.commands().get(i).startsWith("sym ")) {
                String ours = c.kdiveWithVmlinux().get(i).strip();
                String theirs = c.crash().get(i).strip();
                Matcher o = SYM_LINE.matcher(ours);
                Matcher t = SYM_LINE.matcher(theirs);
                if (!ours.equals(theirs) && o.matches() && t.matches() && o.group(1).equals(t.group(1))) {
                    // gdb (crash) sometimes names an inlined callee's line at a function's first byte
                    // (sev_es_terminate: msr.h:96 on 6.12); binutils' addr2line decides
                    assertThat(o.group(3) + ":" + o.group(4)).as(id + ": " + c.commands().get(i) + ", crash: " + theirs)
                            .isEqualTo(addr2line(o.group(2)));
                    binutils++;
                } else {
                    assertThat(ours).as(id + ": " + c.commands().get(i)).isEqualTo(theirs);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
        assertThat(binutils).as("lines where crash and binutils differ").isLessThan(3);
    }

    /** "ADDR (t) NAME[+OFF] FILE: LINE", as sym prints with DWARF. */
    private static final Pattern SYM_LINE = Pattern.compile("([0-9a-f]+ \\(\\w\\) ([\\w.]+(?:\\+\\d+)?)) (\\S+): (\\d+)");

    /** binutils' addr2line of NAME[+OFF] in the debug vmlinux (its link-time address): "FILE:LINE". */
    private static String addr2line(String symbol) {
        try {
            Path vmlinux = Lab.standard().debuginfo(m -> { });
            String name = symbol.replaceFirst("\\+.*", "");
            long off = symbol.contains("+") ? Long.parseLong(symbol.replaceFirst(".*\\+", "")) : 0;
            long link;
            try (dev.kdive.elf.ElfFile elf = dev.kdive.elf.ElfFile.open(vmlinux)) {
                link = elf.symbols().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow().value() + off;
            }
            Process p = new ProcessBuilder("addr2line", "-e", vmlinux.toString(), "0x" + Long.toHexString(link)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out.replaceFirst(" \\(discriminator \\d+\\)$", "");
        } catch (Exception e) {
            throw new AssertionError("addr2line of " + symbol + ": " + e, e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void logEqualsCrashs(String id) {
        Case c = CASES.get(id);
        for (String cmd : List.of("log", "log -m")) {
            int i = c.commands().indexOf(cmd);
            List<String> ours = c.kdive().get(i).lines().toList();
            assertThat(ours).as(id + ": " + cmd).isEqualTo(c.crash().get(i).lines().toList()).hasSizeGreaterThan(300);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void modulesListEqualsCrashs(String id) {
        Case c = CASES.get(id);
        int i = c.commands().indexOf("mod");
        assertThat(c.kdive().get(i).stripTrailing().lines().map(String::stripTrailing).toList())
                .as(id + ": mod").isEqualTo(c.crash().get(i).stripTrailing().lines().map(String::stripTrailing).toList())
                .hasSizeGreaterThanOrEqualTo(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void vtopOfTextDirectMapVmallocAndModuleEqualsCrashs(String id) {
        Case c = CASES.get(id);
        int checked = 0;
        for (int i = 0; i < c.commands().size(); i++) {
            if (c.commands().get(i).startsWith("vtop ")) {
                String ours = c.kdive().get(i).lines().skip(1).findFirst().orElse("");
                String theirs = c.crash().get(i).lines().skip(1).findFirst().orElse("");
                assertThat(ours.strip()).as(id + ": " + c.commands().get(i)).isEqualTo(theirs.strip()).doesNotContain("not mapped");
                checked++;
            }
        }
        assertThat(checked).isEqualTo(4);
    }
}
