package dev.kdive.cli.shell;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * dis against crash on the same dump: whole functions read from the dump's memory (ftrace NOPs
 * and patched alternatives as they ran), crash's layout and gdb's naming of targets.
 */
@Tag("lab")
class DisTest {
    private static final Pattern TARGET = Pattern.compile("(?:0x|# 0x)([0-9a-f]+) <([\\w.]+)(?:\\+(\\d+))?>$");


    private static List<String> lines(String s) {
        return s.lines().map(String::stripTrailing).filter(l -> !l.isEmpty() && !l.startsWith("WARNING")).toList();
    }

    @Test
    void functionsEqualCrashsDis() throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.ELF.file);
        // the function the slab-uaf GPF hit (6.1: __kmem_cache_alloc_node, 6.12: __kmalloc_cache_noprof), from the ground truth
        String rip = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dump.resolveSibling(Lab.Artifact.GROUND_TRUTH.file).toFile())
                .path("crashing").path("rip").asText().replaceFirst("/.*", "");
        String function = rip.replaceFirst("\\+.*", "");
        List<String> commands = new ArrayList<>(List.of("dis " + function, "dis -r " + rip, "dis " + function + " 10", "dis panic"));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            // A fixed sample of the kernel's functions, spread over the whole text.
            List<Symbol> text = p.symbols().all().stream().filter(Symbol::isText).filter(s -> s.size() > 0 && s.size() < 4096)
                    .filter(s -> s.name().matches("[A-Za-z_][\\w]*")).filter(s -> !s.name().startsWith("__pfx_")).toList();
            // (__pfx_FUNC, objtool's padding before FUNC on 6.2+, is left out: several share one address, and
            // the name gdb picks of them is its own; "dis __pfx_panic" is compared below where the kernel has it)
            if (p.symbols().lookup("__pfx_panic").isPresent()) {
                commands.add("dis __pfx_panic");
            }
            Random r = new Random(42);
            for (int i = 0; i < 60; i++) {
                commands.add("dis " + text.get(r.nextInt(text.size())).name());
            }
            List<String> crash = CrashReference.outputs(lab, dump, commands);
            int instructions = 0;
            int aliases = 0;
            int unnamed = 0;
            int ftraceAfterEndbr = 0;
            int nopSpelling = 0;
            for (int i = 0; i < commands.size(); i++) {
                List<String> ours = lines(ShellRun.ok(p, commands.get(i)));
                List<String> theirs = lines(crash.get(i));
                if (theirs.stream().anyMatch(l -> l.startsWith("dis: ") || l.contains("is ambiguous"))) {
                    continue; // a name crash cannot resolve alone (several symbols of that name)
                }
                if (ours.size() > theirs.size() && ours.stream().allMatch(l -> l.endsWith("int3"))) {
                    // an __init function freed after boot, INT3 fill: crash stops at the vmlinux's st_size,
                    // kdive (kallsyms has no sizes) at the next symbol
                    ours = ours.subList(0, theirs.size());
                }
                assertThat(ours).as(commands.get(i)).hasSameSizeAs(theirs);
                for (int k = 0; k < ours.size(); k++) {
                    if (k == 1 && ours.get(k).equals(theirs.get(k) + " [FTRACE NOP]") && ours.get(k).contains("+4>:")) {
                        // kdive marks the __fentry__ NOP after IBT's 4-byte endbr64 (or the NOP the kernel
                        // puts in its place where the CPU has no IBT) too; crash only at +0
                        ftraceAfterEndbr++;
                        continue;
                    }
                    String at = ours.get(k).replaceFirst(":\t.*", "");
                    if (!ours.get(k).equals(theirs.get(k)) && theirs.get(k).startsWith(at + ":\t")
                            && ours.get(k).contains("nop") && theirs.get(k).contains("nop")) {
                        // a prefixed multi-byte NOP: objdump 2.40 spells "data16 cs nopw 0x0(%rax,%rax,1)", crash's
                        // gdb "data16 nopw %cs:0x0(%rax,%rax,1)"; LabDisassemblyTest holds kdive to objdump
                        nopSpelling++;
                        continue;
                    }
                    if (!ours.get(k).equals(theirs.get(k))) {
                        // Several names for one address (__x86_indirect_thunk_array = __indirect_thunk_start), a
                        // GCC clone that gdb names by its DWARF function (foo for foo.part.0), or a static that
                        // gdb misnames (__key.5 for acpi_thermal_pm_queue): the rest of the line is equal, and
                        // kdive's name is a symbol at exactly that address.
                        Matcher a = TARGET.matcher(ours.get(k));
                        Matcher b = TARGET.matcher(theirs.get(k));
                        assertThat(a.find()).as(commands.get(i) + ": " + ours.get(k) + " / " + theirs.get(k)).isTrue();
                        if (!b.find()) {
                            // a data address gdb leaves unnamed (its symbol's st_size ends below it): kallsyms has no data sizes
                            assertThat(ours.get(k).substring(0, a.end(1))).isEqualTo(theirs.get(k));
                            assertThat(ours.get(k)).contains("        # 0x");
                            unnamed++;
                            continue;
                        }
                        assertThat(ours.get(k).substring(0, a.start(2))).isEqualTo(theirs.get(k).substring(0, b.start(2)));
                        long named = Long.parseUnsignedLong(a.group(1), 16) - (a.group(3) == null ? 0 : Long.parseLong(a.group(3)));
                        assertThat(p.symbols().lookupAll(a.group(2)).stream().map(Symbol::address)).as(ours.get(k)).contains(named);
                        aliases++;
                    }
                }
                instructions += ours.size();
            }
            assertThat(instructions).isGreaterThan(2000);
            assertThat(aliases + unnamed + nopSpelling).isLessThan(instructions / 100);
            System.out.println("dis: " + instructions + " instructions equal to crash's, " + aliases + " naming another alias of the same address or a GCC clone by its DWARF name, "
                    + unnamed + " data addresses crash leaves unnamed, " + ftraceAfterEndbr + " ftrace NOPs after endbr64 crash leaves unmarked");
        }
    }

    @Test
    void moduleCodeIsReadWhereCrashCannotReadItAndBadAddressesSaySo() throws Exception {
        Path dump = Lab.standard().build(Scenario.SOFT_LOCKUP, System.out::println).resolve(Lab.Artifact.D31_LZO.file);
        try (Program p = Kernel.open(dump, Optional.empty())) {
            String out = ShellRun.ok(p, "dis kdive_lab_soft_lockup");
            assertThat(out).contains("<kdive_lab_soft_lockup+").contains("pause").contains("jmp    0x");
            StringWriter w = new StringWriter();
            Shell shell = new Shell(p, new PrintWriter(w), false);
            shell.runLine("dis 0 3");
            assertThat(w.toString()).startsWith("dis: ").doesNotContain("Exception");
        }
    }
}
