package dev.kdive.cli.shell;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kdive.kernel.Kernel;
import dev.kdive.kernel.Stacks;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * bt of the panic task, unwound with ORC from the dump alone, against the kernel's own console:
 * the reliable frames of the last call trace, in order, and for oopses the exception RIP and
 * registers of the oops.
 */
@Tag("lab")
class BtTest {
    private static final Pattern FRAME = Pattern.compile("^\\[[ \\d.]+\\]  ([\\w.]+)\\+0x[0-9a-f]+/0x[0-9a-f]+( \\[\\w+\\])?$");
    private static final Pattern RIP = Pattern.compile("RIP: 0010:([\\w.]+)\\+0x([0-9a-f]+)/0x[0-9a-f]+");
    private static final Pattern REG = Pattern.compile("\\b(R[A-Z0-9]{2}): ([0-9a-f]{16})");

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void panicTaskTraceHasTheConsolesReliableFramesAndOopsRegisters(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        List<String> console = Files.readAllLines(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
        int last = -1;
        for (int i = 0; i < console.size(); i++) {
            if (console.get(i).endsWith("Call Trace:")) {
                last = i;
            }
        }
        assertThat(last).as("the console has a call trace").isPositive();
        List<String> reliable = new ArrayList<>();
        for (int i = last + 1; i < console.size(); i++) {
            Matcher m = FRAME.matcher(console.get(i));
            if (m.matches()) {
                reliable.add(m.group(1));
            } else if (!console.get(i).startsWith("[")) {
                continue; // not the kernel's: another writer's line on the console (no printk timestamp)
            } else if (!console.get(i).matches("^\\[[ \\d.]+\\]  (\\? .*|</?\\w+>)$")) {
                break;
            }
        }
        // dump_stack_lvl printed this trace from inside panic() and had returned before the dump was taken.
        while (!reliable.isEmpty() && reliable.getFirst().startsWith("dump_stack")) {
            reliable.removeFirst();
        }
        assertThat(reliable).hasSizeGreaterThan(2);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            StringWriter w = new StringWriter();
            Shell shell = new Shell(p, new PrintWriter(w), false);
            shell.runLine("bt");
            assertThat(shell.failures()).isZero();
            String bt = w.toString();
            List<String> functions = new ArrayList<>();
            for (String line : bt.lines().toList()) {
                Matcher m = Pattern.compile("^ ?#\\d+ \\[[0-9a-f]+\\] ([\\w.]+) at ").matcher(line);
                if (m.find()) {
                    functions.add(m.group(1));
                }
            }
            int at = 0;
            for (String f : functions) {
                if (at < reliable.size() && f.equals(reliable.get(at))) {
                    at++;
                }
            }
            assertThat(at).as("console frames %s found in order in:%n%s", reliable, bt).isEqualTo(reliable.size());
            // The same trace as data: bt --json's frames name the same functions, in the same order.
            StringWriter j = new StringWriter();
            new Shell(p, new PrintWriter(j), true).runLine("bt");
            JsonNode trace = Json.mapper().readTree(j.toString()).get("result");
            assertThat(trace.get("task").get("pid").asInt()).isEqualTo(Stacks.panicTask(p).orElseThrow().pid());
            List<String> jsonFunctions = new ArrayList<>();
            trace.get("frames").forEach(f -> {
                if (f.get("level").asInt() >= 0) {
                    jsonFunctions.add(f.path("function").asText());
                }
            });
            assertThat(jsonFunctions).as(j.toString()).isEqualTo(functions);
            assertThat(jsonFunctions).containsSubsequence(reliable);
            assertThat(trace.get("end").asText()).isIn("user mode", "end of the kernel stack");
            assertThat(bt).doesNotContain("bt: stopped");
            Optional<String> oopsRip = console.stream().filter(l -> RIP.matcher(l).find()).findFirst();
            if (s.oopses() && oopsRip.isPresent()) {
                Matcher m = RIP.matcher(oopsRip.get());
                assertThat(m.find()).isTrue();
                assertThat(bt).contains("[exception RIP: " + m.group(1) + "+" + Long.parseLong(m.group(2), 16) + "]");
                JsonNode faulting = null;
                for (JsonNode f : trace.get("frames")) {
                    if (faulting == null && f.has("exceptionRegisters") && f.get("level").asInt() >= 0) {
                        faulting = f;
                    }
                }
                assertThat(faulting).as("the oops's exception frame in %s", j).isNotNull();
                assertThat(faulting.get("function").asText()).isEqualTo(m.group(1));
                assertThat(faulting.get("offset").asLong()).isEqualTo(Long.parseLong(m.group(2), 16));
                assertThat(faulting.get("exact").asBoolean()).isTrue();
                assertThat(faulting.get("exceptionRegisters").get("ip").asText()).isEqualTo(faulting.get("ip").asText()).startsWith("0xffffffff");
                int rip = console.indexOf(oopsRip.get());
                for (String line : console.subList(rip, rip + 7)) {
                    Matcher r = REG.matcher(line);
                    while (r.find()) {
                        String name = r.group(1).replace("R08", "R8").replace("R09", "R9");
                        if (!name.equals("RSP")) {
                            assertThat(bt).as(name).containsPattern("\\b" + name + ": " + r.group(2));
                        }
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theHungTaskVictimUnwindsFromItsSavedFrameAsTheKernelReportedIt() throws Exception {
        Path dir = Lab.standard().build(Scenario.HUNG_TASK, System.out::println);
        List<String> console = Files.readAllLines(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
        int report = -1;
        String pid = null;
        for (int i = 0; i < console.size() && report < 0; i++) {
            Matcher m = Pattern.compile("INFO: task [\\w-]+:(\\d+) blocked for more than").matcher(console.get(i));
            if (m.find()) {
                report = i;
                pid = m.group(1);
            }
        }
        assertThat(report).as("khungtaskd's report").isPositive();
        List<String> reliable = new ArrayList<>();
        boolean inTrace = false;
        for (int i = report; i < console.size(); i++) {
            if (console.get(i).endsWith("Call Trace:")) {
                inTrace = true;
                continue;
            }
            if (!inTrace) {
                continue;
            }
            Matcher m = FRAME.matcher(console.get(i));
            if (m.matches()) {
                reliable.add(m.group(1));
            } else if (!console.get(i).startsWith("[")) {
                continue; // not the kernel's: another writer's line on the console (no printk timestamp)
            } else if (!console.get(i).matches("^\\[[ \\d.]+\\]  (\\? .*|</?\\w+>)$")) {
                break;
            }
        }
        assertThat(reliable).hasSizeGreaterThan(3);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_LZO.file), Optional.empty())) {
            StringWriter w = new StringWriter();
            new Shell(p, new PrintWriter(w), false).runLine("bt " + pid);
            List<String> functions = w.toString().lines().map(l -> l.replaceFirst("^ ?#\\d+ \\[[0-9a-f]+\\] ([\\w.]+) at .*", "$1"))
                    .filter(l -> !l.contains(" ")).toList();
            assertThat(functions).as(w.toString()).containsSubsequence(reliable);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"SLAB_UAF", "SOFT_LOCKUP", "HUNG_TASK"})
    void everyCpuUnwindsAndLinesComeFromDwarf(Scenario s) throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(s, System.out::println);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.of(lab.debuginfo(System.out::println)))) {
            StringWriter w = new StringWriter();
            Shell shell = new Shell(p, new PrintWriter(w), false);
            shell.runLine("bt -a");
            assertThat(shell.failures()).isZero();
            String all = w.toString();
            assertThat(all.lines().filter(l -> l.startsWith("PID: ")).count()).as(all).isEqualTo(p.cpus().size());
            assertThat(all).doesNotContain("bt: stopped");
            StringWriter lw = new StringWriter();
            new Shell(p, new PrintWriter(lw), false).runLine("bt -l");
            List<String> lines = lw.toString().lines().toList();
            for (int i = 0; i < lines.size() - 1; i++) {
                if (lines.get(i).matches(" ?#\\d+ .* at ffffffff8\\w+$") || lines.get(i).matches(" ?#\\d+ .* at ffffffff[9ab]\\w+$")) {
                    assertThat(lines.get(i + 1)).as(lines.get(i)).matches("    \\S+\\.[chS]: \\d+");
                }
            }
            assertThat(lines).anyMatch(l -> l.matches("    \\S+/kernel/panic\\.c: \\d+"));
        }
    }
}
