package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.finding.CrashReport;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Inconsistent;
import dev.kdive.finding.SlabDamage;
import dev.kdive.kernel.Kernel;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.Confidence;
import dev.kdive.triage.Context;
import dev.kdive.triage.CrashClass;
import dev.kdive.triage.Origin;
import dev.kdive.triage.Triage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kdive analyze on every lab scenario: from the makedumpfile -d 31 dump without the debug package,
 * the verdict names the ground truth's class and culprit, and the first finding proves it; from the
 * console log alone, the class is right.
 */
@Tag("lab")
class AnalyzeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CrashClass fromDump(Scenario s) {
        return switch (s) {
            case PANIC -> CrashClass.SYSRQ;
            case NULL_DEREF -> CrashClass.NULL_POINTER;
            case BUG -> CrashClass.BUG;
            case SLAB_UAF, SLAB_UAF_DEFERRED -> CrashClass.SLAB_FREELIST_CORRUPTION;
            case DOUBLE_FREE -> CrashClass.DOUBLE_FREE;
            case SLAB_POISON -> CrashClass.SLAB_DEBUG_REPORT;
            case LIST_CORRUPT -> CrashClass.LIST_CORRUPTION;
            case SOFT_LOCKUP -> CrashClass.SOFT_LOCKUP;
            case HUNG_TASK -> CrashClass.HUNG_TASK;
        };
    }

    /**
     * From the log alone: the same classes, except slab-poison, whose log holds only the module's
     * panic() (the poison check had not run yet; only the dump's memory shows the overwritten bytes).
     */
    static CrashClass fromLog(Scenario s) {
        return s == Scenario.SLAB_POISON ? CrashClass.PANIC : fromDump(s);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void theDumpAloneNamesTheClassAndTheCulprit(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode gt = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        JsonNode m = gt.path("module");
        Analysis a;
        dev.kdive.kernel.MemoryInfo kmem;
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            a = Triage.ofDump("vmcore.d31-zlib", p);
            kmem = dev.kdive.kernel.MemoryInfo.read(p);
        }
        // the memory summary is kmem -i's (itself checked against crash in KmemTest), in bytes; an idle lab guest has no pressure
        assertThat(a.context().memory().total()).isEqualTo(kmem.total() * 4096).isPositive();
        assertThat(a.context().memory().free()).isEqualTo(kmem.free() * 4096).isLessThan(a.context().memory().total());
        assertThat(a.context().memory().pressure()).isEmpty();
        assertThat(a.verdict().crashClass()).as(a.verdict().why()).isEqualTo(fromDump(s));
        assertThat(a.verdict().origin()).isEqualTo(Origin.BOTH);
        assertThat(a.findings()).isNotEmpty();
        Finding first = a.findings().getFirst().finding();
        String provoker = m.path("provoker").asText();
        switch (s) {
            case SLAB_UAF -> {
                assertThat(a.verdict().culprit()).isEqualTo(m.path("cache").asText());
                assertThat(a.verdict().innocent()).as("the allocation that tripped over the damage").isNotNull();
                SlabDamage d = (SlabDamage) first;
                assertThat(d.damage()).isEqualTo(SlabDamage.Damage.NON_CANONICAL);
                assertThat(d.pointer()).isEqualTo(hex(m.path("decoded_pointer")));
                assertThat(text(d)).contains("object " + Long.toHexString(hex(m.path("object"))))
                        .contains("would have stored " + Long.toHexString(hex(m.path("raw_pointer"))));
                // the register that held the fault address, found in the dump's exception frame
                assertThat(d.evidence()).anySatisfy(e -> assertThat(e.value()).isEqualTo(hex(m.path("fault_address"))));
                assertThat(a.nextSteps().getFirst().action()).contains("slub_debug=FZPU," + m.path("cache").asText());
                assertThat(a.nextSteps()).anySatisfy(n -> assertThat(n.action()).contains("KASAN"));
            }
            case SLAB_UAF_DEFERRED -> {
                // the module returned; another task's allocation took the GPF: it is innocent, the cache is named
                assertThat(a.verdict().culprit()).isEqualTo(m.path("cache").asText());
                assertThat(a.verdict().innocent()).contains("(called from ").doesNotContain(provoker);
                assertThat(gt.path("crashing").path("pid").asInt()).isNotEqualTo(m.path("pid").asInt());
                SlabDamage d = (SlabDamage) first;
                assertThat(d.cache()).isEqualTo(m.path("cache").asText());
                assertThat(d.pointer()).isEqualTo(hex(m.path("decoded_pointer")));
                assertThat(a.nextSteps().getFirst().action()).contains("slub_debug=FZPU," + m.path("cache").asText());
            }
            case DOUBLE_FREE -> {
                long object = hex(m.path("object"));
                assertThat(a.verdict().culprit()).contains(m.path("cache").asText()).contains(Long.toHexString(object));
                assertThat(((Inconsistent) first).address()).isEqualTo(object);
            }
            case SLAB_POISON -> {
                SlabDamage d = (SlabDamage) first;
                assertThat(d.damage()).isEqualTo(SlabDamage.Damage.POISON_OVERWRITTEN);
                assertThat(d.object()).isEqualTo(hex(m.path("object")));
                int offset = m.path("write_offset").asInt();
                assertThat(d.pointer()).isEqualTo(hex(m.path("object")) + offset);
                assertThat(text(d)).contains("allocated by " + provoker + "+").contains("freed by " + provoker + "+");
            }
            case HUNG_TASK -> {
                int pid = m.path("pid").asInt();
                assertThat(a.verdict().why()).contains("pid " + pid + " (" + m.path("comm").asText() + ")");
                Context.BlockedTask t = a.context().blockedTasks().stream().filter(b -> b.pid() == pid).findFirst().orElseThrow();
                assertThat(t.waitsIn()).isNotNull();
                assertThat(a.verdict().culprit()).isEqualTo(dev.kdive.oops.Frame.baseName(t.waitsIn()));
                assertThat(t.stack()).anySatisfy(f -> assertThat(f).startsWith(t.waitsIn() + "+").endsWith("[kdive_lab]"));
                assertThat(a.verdict().confidence()).isEqualTo(Confidence.HIGH);
            }
            case SOFT_LOCKUP -> {
                assertThat(a.verdict().culprit()).isEqualTo(provoker);
                assertThat(((CrashReport) first).cpu()).isEqualTo(m.path("cpu").asInt());
                assertThat(a.context().lockedCpus()).singleElement().satisfies(l -> {
                    assertThat(l.cpu()).isEqualTo(m.path("cpu").asInt());
                    assertThat(l.spinning()).isEqualTo(provoker);
                    assertThat(l.task()).isEqualTo(m.path("comm").asText() + ":" + m.path("pid").asInt());
                    assertThat(l.seconds()).isPositive();
                });
            }
            case LIST_CORRUPT -> {
                assertThat(a.verdict().culprit()).isEqualTo(provoker);
                Inconsistent i = (Inconsistent) first;
                assertThat(i.found()).as("the poisoned link, read again from the dump").isEqualTo("0xdead000000000122");
                assertThat(a.verdict().why()).contains("LIST_POISON2");
            }
            case NULL_DEREF, BUG -> {
                assertThat(a.verdict().culprit()).isEqualTo(provoker);
                assertThat(((CrashReport) first).evidence()).anySatisfy(e -> assertThat(e.text()).startsWith("the dump's exception frame agrees"));
            }
            case PANIC -> assertThat(first).isInstanceOf(CrashReport.class);
        }
        if (s != Scenario.SOFT_LOCKUP) {
            assertThat(a.context().lockedCpus()).isEmpty();
        }
        if (first instanceof CrashReport c) { // a hung task's report names the sleeper, not khungtaskd that panicked
            assertThat(c.pid()).isEqualTo((s == Scenario.HUNG_TASK ? m : gt.path("crashing")).path("pid").asInt());
        }
        assertThat(a.context().release()).isEqualTo(gt.path("release").asText());
        if (s != Scenario.SLAB_UAF_DEFERRED) { // the deferred crash's stack is the pipe()'s, not the module's
            assertThat(a.context().modulesOnStack()).contains("kdive_lab");
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void theConsoleLogAloneNamesTheClass(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        Analysis a = Triage.ofLog("console.log", Files.readString(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1));
        assertThat(a.verdict().crashClass()).as(a.verdict().why()).isEqualTo(fromLog(s));
        assertThat(a.verdict().origin()).isEqualTo(Origin.LOG);
        assertThat(a.findings()).allSatisfy(r -> assertThat(r.origin()).isEqualTo(Origin.LOG));
    }

    @Test
    void theCommandLinePrintsTheVerdictFirstAndTheValueAsJson() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        JsonNode m = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        String dump = dir.resolve(Lab.Artifact.D31_LZO.file).toString();
        String text = CliRun.ok("analyze", dump);
        assertThat(text.lines().findFirst().orElseThrow()).isEqualTo("VERDICT: SLUB free-pointer corruption (confidence high, from the dump and its log)");
        assertThat(text).contains("  culprit:  " + m.path("cache").asText() + "\n");
        JsonNode j = JSON.readTree(CliRun.ok("analyze", "--json", dump));
        assertThat(j.path("verdict").path("crashClass").asText()).isEqualTo("SLAB_FREELIST_CORRUPTION");
        JsonNode f = j.path("findings").get(0);
        assertThat(f.path("origin").asText()).isEqualTo("DUMP");
        assertThat(f.path("finding").path("kind").asText()).isEqualTo("slab.non_canonical");
        assertThat(f.path("finding").path("pointer").asText()).isEqualTo(m.path("decoded_pointer").asText());
        String log = CliRun.ok("analyze", dir.resolve(Lab.Artifact.CONSOLE.file).toString());
        assertThat(log).startsWith("VERDICT: SLUB free-pointer corruption (confidence low, from the log)");

        // --modules: the module's frames get file:line from its .ko, found by name; without it they have none
        String provoker = m.path("provoker").asText();
        JsonNode plain = JSON.readTree(CliRun.ok("analyze", "--json", dump)).path("stack");
        JsonNode withModules = JSON.readTree(CliRun.ok("analyze", "--json", dump, "--modules", dir.getParent().resolve("kernel").toString()))
                .path("stack");
        for (int i = 0; i < plain.size(); i++) {
            if (plain.get(i).path("function").asText().equals(provoker)) {
                assertThat(plain.get(i).has("source")).isFalse();
                assertThat(withModules.get(i).path("source").asText()).matches(".*/(kdive_lab\\.c|slab\\.h):\\d+");
            }
        }
        assertThat(withModules.findValuesAsText("function")).contains(provoker);
    }

    @Test
    void theDemoEndsWithTheAnalysis() throws Exception {
        Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        String out = CliRun.ok("demo");
        int verdict = out.indexOf("  VERDICT: SLUB free-pointer corruption (confidence high, from the dump and its log)");
        assertThat(verdict).as(out).isPositive();
        assertThat(out.indexOf("== ground truth")).isGreaterThan(verdict);
    }

    @Test
    void badInputIsOneLineAndALogWithoutACrashIsNotAnError(@TempDir Path tmp) throws Exception {
        Path junk = tmp.resolve("junk.bin");
        byte[] b = new byte[8192];
        new java.util.Random(1).nextBytes(b);
        b[0] = 0;
        Files.write(junk, b);
        CliRun r = CliRun.of("analyze", junk.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("kdive: " + junk + ": at offset 0: neither a dump").doesNotContain("\n").doesNotContain("Exception");
        Path quiet = tmp.resolve("boot.log");
        Files.writeString(quiet, "[    0.000000] Linux version 6.1.0-57-amd64\n[    1.000000] systemd[1]: Started.\n");
        CliRun q = CliRun.of("analyze", quiet.toString());
        assertThat(q.status()).isZero();
        assertThat(q.out()).startsWith("VERDICT: no crash");
    }

    private static String text(Finding f) {
        return f.evidence().stream().map(Evidence::text).collect(Collectors.joining("\n"));
    }

    private static long hex(JsonNode n) {
        String s = n.asText();
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }
}
