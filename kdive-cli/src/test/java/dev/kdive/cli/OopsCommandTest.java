package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.oops.Kind;
import dev.kdive.oops.OopsParser;
import dev.kdive.oops.OopsReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** kdive oops on every lab console log, against the crash module's and the kernel's own ground truth. */
class OopsCommandTest {
    /** What a kernel engineer reads in each scenario's console: kind, title, RIP, culprit. */
    private record Expected(Kind kind, String title, String culprit) {}

    /** An {@link Expected#culprit} that is the kernel's RIP function or the module's provoker; its title is the prefix given plus the culprit. */
    private static final String RIP = "(RIP)";

    /** An {@link Expected#culprit} that is the kernel's RIP function or a function of the reliable call trace. */
    private static final String CALLER = "(RIP or caller)";

    private static final Map<Scenario, Expected> EXPECTED = Map.of(
            Scenario.PANIC, new Expected(Kind.PANIC, "kernel panic: sysrq triggered crash", "sysrq_handle_crash"),
            Scenario.NULL_DEREF, new Expected(Kind.PAGE_FAULT, "BUG: unable to handle kernel NULL pointer dereference in kdive_lab_null_deref", "kdive_lab_null_deref"),
            Scenario.BUG, new Expected(Kind.KERNEL_BUG, "kernel BUG in kdive_lab_bug", "kdive_lab_bug"),
            // SLUB's entry points are the build's (6.1: __kmem_cache_alloc_node, __kmem_cache_free; 6.12:
            // __kmalloc_cache_noprof, kfree): RIP means the function the kernel's RIP: line names, or
            // the module's provoker where the title skips an allocator entry point, as syzbot's do
            Scenario.SLAB_UAF, new Expected(Kind.GENERAL_PROTECTION_FAULT, "general protection fault in ", RIP),
            // the allocation that tripped over the damage: the allocator's entry point, or (where the title skips it) its caller
            Scenario.SLAB_UAF_DEFERRED, new Expected(Kind.GENERAL_PROTECTION_FAULT, "general protection fault in ", CALLER),
            Scenario.DOUBLE_FREE, new Expected(Kind.KERNEL_BUG, "kernel BUG in ", RIP),
            Scenario.LIST_CORRUPT, new Expected(Kind.LIST_CORRUPTION, "BUG: corrupted list in kdive_lab_list_corrupt", "kdive_lab_list_corrupt"),
            // syzbot names a stall by the frame its entry (a syscall, a work item) called, a hung task by
            // the first frame that is not a way of waiting: frames of the stack, whatever the build
            Scenario.SOFT_LOCKUP, new Expected(Kind.SOFT_LOCKUP, "BUG: soft lockup in ", CALLER),
            Scenario.HUNG_TASK, new Expected(Kind.HUNG_TASK, "INFO: task hung in ", CALLER),
            Scenario.SLAB_POISON, new Expected(Kind.PANIC, "kernel panic: kdive-lab: slab-poison: wrote into freed object ADDR", "kdive_lab_slab_poison"));

    @Tag("lab")
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyLabConsoleLog(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        List<OopsReport> reports = OopsParser.parse(Files.readAllBytes(dir.resolve(Lab.Artifact.CONSOLE.file)));
        assertThat(reports).as("one crash, one report").hasSize(1);
        OopsReport r = reports.getFirst();
        Expected e = EXPECTED.get(s);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        assertThat(r.kind()).isEqualTo(e.kind());
        // The title names syzbot's guilty frame: a frame of the crashing stack, past the helpers it skips.
        List<String> trace = new java.util.ArrayList<>(List.of(gt.path("crashing").path("rip").asText().replaceFirst("\\+.*", "")));
        r.callTrace().ifPresent(t -> t.reliable().forEach(f -> trace.add(f.baseFunction())));
        if (e.culprit() == CALLER) {
            assertThat(r.culprit()).isIn(trace);
            assertThat(r.title()).startsWith(e.title());
            assertThat(r.title().substring(e.title().length())).isIn(trace);
        } else if (e.culprit() == RIP) {
            assertThat(r.culprit()).isIn(gt.path("crashing").path("rip").asText().replaceFirst("\\+.*", ""),
                    gt.path("module").path("provoker").asText());
            assertThat(r.title()).startsWith(e.title());
            assertThat(r.title().substring(e.title().length())).isIn(trace);
        } else {
            assertThat(r.title()).isEqualTo(e.title());
            assertThat(r.culprit()).isEqualTo(e.culprit());
        }
        assertThat(r.panic()).isEqualTo(gt.path("panic").asText());
        JsonNode crashing = gt.path("crashing");
        if (crashing.has("rip")) {
            assertThat(r.rip().symbol().replaceFirst(" \\[.*", "")).isEqualTo(crashing.path("rip").asText());
        } else {
            assertThat(r.rip()).isNull();
        }
        if (s == Scenario.HUNG_TASK) { // the blocked task, not khungtaskd that panicked
            JsonNode trigger = null;
            for (JsonNode m : gt.path("markers")) {
                if (m.path("role").asText().equals("trigger")) {
                    trigger = m;
                }
            }
            assertThat(r.pid()).isEqualTo(trigger.path("pid").asInt());
        } else {
            assertThat(r.cpu()).isEqualTo(crashing.path("cpu").asInt());
            assertThat(r.pid()).isEqualTo(crashing.path("pid").asInt());
            assertThat(r.comm()).isEqualTo(crashing.path("comm").asText());
        }
        assertThat(crashing.path("taint_and_release").asText()).contains(r.release());
        assertThat(r.taint().letters()).isEqualTo("OE");
        assertThat(r.callTrace()).isPresent();

        // the same console with user space's lines spliced in at random places, as getty, systemd
        // and daemons writing to /dev/console leave them: the same report
        String console = Files.readString(dir.resolve(Lab.Artifact.CONSOLE.file), java.nio.charset.StandardCharsets.ISO_8859_1);
        List<String> foreign = List.of("kdive-lab: marker role=trigger pid=" + r.pid() + " addr=0x6b6400040000 text=KDIVE-MARKER",
                "[  OK  ] Started getty@tty1.service - Getty on tty1.", "", "qemu login: ", "Starting OpenBSD Secure Shell server...");
        for (long seed = 0; seed < 20; seed++) {
            java.util.Random random = new java.util.Random(seed);
            StringBuilder b = new StringBuilder();
            for (String l : console.lines().toList()) {
                if (random.nextInt(4) == 0) {
                    b.append(foreign.get(random.nextInt(foreign.size()))).append('\n');
                }
                b.append(l).append('\n');
            }
            List<OopsReport> spliced = OopsParser.parse(b.toString());
            assertThat(spliced).as("seed %d", seed).hasSize(1);
            OopsReport o = spliced.getFirst();
            assertThat(o.title()).as("seed %d", seed).isEqualTo(r.title());
            assertThat(o.culprit()).as("seed %d", seed).isEqualTo(r.culprit());
            assertThat(o.traces()).as("seed %d", seed).isEqualTo(r.traces());
            assertThat(o.registers()).as("seed %d", seed).isEqualTo(r.registers());
        }
    }

    /** {@code --titles}: one line per report, title then signature, as the full output and JSON have them. */
    @Test
    void titlesOnePerLine(@TempDir Path tmp) throws Exception {
        Path syzbot = Path.of("../kdive-core/src/test/resources/oops/syzbot/syzbot-kasan-slab-use-after-free-write-in-sco-sock-close.log");
        Path excerpt = Path.of("../kdive-core/src/test/resources/oops/corpus/asahi-418-arm64-warning.log");
        Path both = Files.writeString(tmp.resolve("both.log"), Files.readString(syzbot) + Files.readString(excerpt));
        List<OopsReport> reports = OopsParser.parse(Files.readAllBytes(both));
        List<String> lines = CliRun.ok("oops", "--titles", both.toString()).lines().toList();
        // syzbot mailed it symbolized: without printk caller ids its repeated header is a second report to
        // pkg/report, which titles the first line alone, as kdive does
        assertThat(lines).hasSize(reports.size()).first().asString()
                .startsWith("KASAN: slab-use-after-free in instrument_atomic_read_write include/linux/instrumented.h:LINE [inline]\t")
                .endsWith(reports.getFirst().signature());
        // the cut WARNING excerpt: syzbot's "in corrupted", the reason in the record
        assertThat(lines.getLast()).startsWith("WARNING in corrupted\t");
        assertThat(reports.getLast().corrupted()).isEqualTo("extracted no frames");
        assertThat(CliRun.ok("oops", "--titles", Files.writeString(tmp.resolve("none.log"), "no crash here\n").toString())).isEmpty();
    }

    @Tag("lab")
    @Test
    void slabUafTextAndSource() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        String log = dir.resolve(Lab.Artifact.CONSOLE.file).toString();
        // KASLR and s->random differ on every boot: the fault address is the one the module logged
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        String fault = gt.path("module").path("fault_address").asText().replaceFirst("^0x", "");
        String padded = "0".repeat(16 - fault.length()) + fault;
        // which register held it is the compiler's choice: the console's register dump says
        java.util.regex.Matcher held = java.util.regex.Pattern.compile("\\b(R[A-Z0-9]{2}): " + padded).matcher(Files.readString(Path.of(log)));
        assertThat(held.find()).as("a register holds the fault address %s", padded).isTrue();
        String reg = held.group(1);
        String out = CliRun.ok("oops", log);
        assertThat(out).startsWith("== report 1 of 1 (line ").contains("general protection fault in ")
                .containsPattern("EFLAGS        [0-9a-f]{8}: .*\\bIF\\b.* IOPL=0").contains("CS            0010: ring 0 (kernel mode)")
                .contains("address       0x" + padded + " (non-canonical), held by " + reg)
                .contains("unreliable (? frames, found on the stack):")
                // the Code: line disassembled (dev.kdive.disasm), decodecode's mark, the operand that faulted
                .containsPattern("  [0-9a-f]+:\\* mov    \\(%" + reg.toLowerCase() + "\\),%r[a-z0-9]+\t\t<-- trapping instruction")
                .contains("operand " + reg + " (%" + reg.toLowerCase() + ") = " + padded + "  non-canonical: the faulting address");
        Path vmlinux = lab.debuginfo(System.out::println);
        Path modules = dir.getParent().resolve("kernel");
        String src = CliRun.ok("oops", log, "--vmlinux", vmlinux.toString(), "--modules", modules.toString());
        String rip = java.util.regex.Pattern.quote(gt.path("crashing").path("rip").asText());
        assertThat(src).containsPattern("RIP +" + rip + "  \\(freelist_ptr\\w*\\) \\S*mm/slub\\.c:\\d+");
        assertThat(src).containsPattern("kdive_lab_slab_uaf\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[kdive_lab\\]  \\(kmalloc\\w*\\) \\S*slab\\.h:\\d+\\n +inlined into kdive_lab_slab_uaf at \\S*kdive_lab\\.c:\\d+");
        assertThat(src).doesNotContain("not the build that crashed");

        // the same facts as JSON, from the records: the operand that faulted, the RIP's inline chain
        JsonNode json = new ObjectMapper().readTree(CliRun.ok("oops", "--json", log, "--vmlinux", vmlinux.toString(), "--modules", modules.toString()));
        JsonNode report = json.path("reports").get(0);
        assertThat(report.path("address").asText()).isEqualTo("0x" + fault);
        assertThat(report.path("registers").path("values").path(reg).asText()).isEqualTo("0x" + fault);
        assertThat(report.path("registers").path("nonCanonical").findValuesAsText("register")).contains(reg);
        assertThat(report.path("disassembly").path("faulting").path("text").asText()).startsWith("mov    (%" + reg.toLowerCase() + "),");
        assertThat(report.path("disassembly").path("operands").get(0).path("nonCanonical").asBoolean()).isTrue();
        JsonNode ripSource = null;
        for (JsonNode f : report.path("sources")) {
            if (f.path("frame").equals(report.path("rip"))) {
                ripSource = f;
            }
        }
        assertThat(ripSource).as("the RIP's source lines").isNotNull();
        assertThat(ripSource.path("lines").get(0).path("file").asText()).endsWith("mm/slub.c");
        assertThat(ripSource.path("lines").get(0).path("line").asInt()).isPositive();
    }

    @Test
    void noReportMissingFileJsonAndStdin(@TempDir Path tmp) throws Exception {
        Path quiet = tmp.resolve("boot.log");
        Files.writeString(quiet, "[    0.000000] Linux version 6.1.0\n");
        CliRun none = CliRun.of("oops", quiet.toString());
        assertThat(none.status()).isZero();
        assertThat(none.out()).isEqualTo("no report found in " + quiet + "\n");
        CliRun missing = CliRun.of("oops", tmp.resolve("nope.log").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("kdive: " + tmp.resolve("nope.log") + ": no such file\n");
        Path oops = tmp.resolve("oops.log");
        Files.writeString(oops, """
                [   1.0] BUG: kernel NULL pointer dereference, address: 0000000000000010
                [   1.0] #PF: error_code(0x0002) - not-present page
                [   1.0] Oops: 0002 [#1] SMP
                [   1.0] CPU: 0 PID: 7 Comm: sh Not tainted 6.1.0 #1
                [   1.0] RIP: 0010:foo_write+0x1/0x2 [foo]
                [   1.0] RSP: 0018:ffffc90000abfe58 EFLAGS: 00010282
                [   1.0] Call Trace:
                [   1.0]  bar+0x3/0x4
                """);
        JsonNode doc = new ObjectMapper().readTree(CliRun.ok("oops", "--json", oops.toString()));
        JsonNode r = doc.path("reports").get(0);
        assertThat(r.path("title").asText()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in foo_write");
        assertThat(r.path("kind").asText()).isEqualTo("PAGE_FAULT");
        assertThat(r.path("registers").path("eflags").path("set").toString()).isEqualTo("[\"SF\",\"IF\",\"RF\"]");
        assertThat(r.path("registers").path("eflags").path("value").asText()).isEqualTo("0x10282");
        assertThat(r.path("registers").path("cs").path("rpl").asInt()).isZero();
        assertThat(r.path("registers").path("ss").path("value").asText()).isEqualTo("0x18");
        assertThat(r.path("pageFault").path("write").asBoolean()).isTrue();
        assertThat(r.path("pageFault").path("present").asBoolean()).isFalse();
        assertThat(r.path("pageFault").path("description").asText()).isEqualTo("supervisor write access in kernel mode, not-present page");
        assertThat(r.path("address").asText()).isEqualTo("0x10");
        assertThat(r.path("errorCode").asText()).isEqualTo("0x2");
        assertThat(r.path("taint").path("text").asText()).isEqualTo("Not tainted");
        assertThat(r.path("rip").path("function").asText()).isEqualTo("foo_write");
        assertThat(r.path("rip").path("offset").asText()).isEqualTo("0x1");
        assertThat(r.path("rip").path("module").asText()).isEqualTo("foo");
        assertThat(r.path("traces").get(0).path("frames").get(0).path("function").asText()).isEqualTo("bar");
        java.io.InputStream in = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(Files.readAllBytes(oops)));
            assertThat(CliRun.ok("oops", "-")).contains("in foo_write");
        } finally {
            System.setIn(in);
        }
    }
}
