package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.elf.ElfFile;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Module code to source: the lab's kdive_lab.ko (ET_REL, DWARF with relocations) against binutils, and an oops frame in a dump. */
@Tag("lab")
class ModuleSourceTest {
    private static String binutils(Path ko, String section, long offset) throws Exception {
        Process p = new ProcessBuilder("addr2line", "-f", "-i", "-e", ko.toString(), "-j", section, "0x" + Long.toHexString(offset))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void everyFunctionOfTheModuleResolvesAsBinutilsResolvesIt() throws Exception {
        Lab lab = Lab.standard();
        lab.build(Scenario.SOFT_LOCKUP, System.out::println);
        Path ko = lab.releaseDir().resolve("kernel/kdive_lab.ko");
        int checked = 0;
        try (ElfFile elf = ElfFile.open(ko)) {
            for (ElfFile.ElfSymbol s : elf.symbols()) {
                if (s.type() != 2 || s.size() == 0 || s.name().startsWith("__pfx_")) {
                    continue; // __pfx_: objtool's name for the NOP padding before a function, in no line table
                }
                ElfFile.Section sec = elf.sections().get(s.shndx());
                long raw = s.value() - elf.sectionAddress(s.shndx());
                for (long off : new long[] {0, s.size() / 2, s.size() - 1}) {
                    String ours = CliRun.ok("addr2line", "--vmlinux", ko.toString(), "-f", "-i", s.name() + "+0x" + Long.toHexString(off));
                    assertThat(ours).as(s.name() + "+0x" + Long.toHexString(off)).isEqualTo(binutils(ko, sec.name(), raw + off));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(30);
    }

    @Test
    void theSoftLockupOopsFrameListsTheModulesBusyLoop() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SOFT_LOCKUP, System.out::println);
        String rip = Files.readAllLines(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.contains("RIP: 0010:kdive_lab_soft_lockup")).findFirst().orElseThrow()
                .replaceFirst(".*RIP: 0010:", "").strip(); // kdive_lab_soft_lockup+0x21/0x23 [kdive_lab]
        Path samples = Path.of(System.getProperty("kdive.home"), "samples");
        String out = CliRun.ok(dir.resolve(Lab.Artifact.D31_ZLIB.file).toString(), "--modules", lab.releaseDir().resolve("kernel").toString(),
                "--src", samples.toString(), "-c", "list *(" + rip + ")");
        List<String> lines = out.lines().toList();
        assertThat(lines.getFirst()).matches("0x[0-9a-f]+ is in \\w+ \\(.*\\.h:\\d+\\)\\.");
        String last = lines.getLast();
        assertThat(last).startsWith("  inlined into kdive_lab_soft_lockup at ").contains("crashmod/kdive_lab.c:");
        int line = Integer.parseInt(last.replaceFirst(".*kdive_lab\\.c:(\\d+).*", "$1"));
        String source = Files.readAllLines(samples.resolve("crashmod/kdive_lab.c")).get(line - 1);
        assertThat(source).as("kdive_lab.c:" + line).contains("cpu_relax");
        List<String> listed = new ArrayList<>(lines.subList(1, lines.size()));
        assertThat(listed).anyMatch(l -> l.matches("\\d+\\t.*")); // the header's source lines, read from the tree
    }

    @Test
    void modSTakesTheObjectFileForBtLinesAndRefusesAnotherModulesFile() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SOFT_LOCKUP, System.out::println);
        Path ko = lab.releaseDir().resolve("kernel/kdive_lab.ko");
        String out = CliRun.ok(dir.resolve(Lab.Artifact.D31_LZO.file).toString(), "--vmlinux", lab.debuginfo(System.out::println).toString(),
                "-c", "mod -s kdive_lab " + ko + "; bt -l; mod");
        // crash_write's frame gets its line in the module's own source file (samples/crashmod/kdive_lab.c)
        List<String> lines = out.lines().toList();
        int frame = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^ ?#\\d+ \\[[0-9a-f]+\\] crash_write at [0-9a-f]+ \\[kdive_lab\\]$")) {
                frame = i;
            }
        }
        assertThat(frame).as(out).isPositive();
        assertThat(lines.get(frame + 1)).matches("^    \\S*/kdive_lab\\.c: \\d+$");
        assertThat(out).contains("kdive_lab     ").contains(ko.toString());
        CliRun wrong = CliRun.of(dir.resolve(Lab.Artifact.D31_LZO.file).toString(), "-c", "mod -s pvpanic " + ko);
        assertThat(wrong.status()).isNotZero();
        assertThat(wrong.out() + wrong.err()).contains("its .modinfo names kdive_lab");
    }
}
