package dev.kdive.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.disasm.Disassembler;
import dev.kdive.disasm.Instruction;
import dev.kdive.elf.ElfFile;
import java.io.BufferedReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disassembler against binutils' {@code objdump -d --no-show-raw-insn} over every executable
 * section of Debian's debug vmlinux and of the lab's module: each symbol's range decoded on its own
 * (objdump stops at the next symbol) and compared instruction by instruction, whitespace
 * normalized. Symbol names in {@code <...>} are objdump's choice among aliases and are left out;
 * the addresses they follow (branch targets, RIP-relative {@code # address}) are compared.
 */
@Tag("lab")
class LabDisassemblyTest {
    private static final Pattern HEADER = Pattern.compile("^([0-9a-f]+) <(.*)>:$");
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\t(.*)$");
    private static final Pattern SECTION = Pattern.compile("^Disassembly of section (\\S+):$");
    private static final Pattern SYMBOL = Pattern.compile(" <[^>]*>");

    /** Agreement over one object file, with the kinds of mismatch (objdump's mnemonic, and an example). */
    private record Agreement(long instructions, long equal, long decodeNanos, long objdumpNanos,
                             Map<String, List<String>> mismatches) {
        double percent() {
            return 100.0 * equal / instructions;
        }

        String report(String what) {
            StringBuilder b = new StringBuilder(String.format("%s: %d of %d instructions equal to objdump (%.4f%%); "
                    + "decoding and formatting %.1f s (%.0f instructions/s), objdump %.1f s%n", what, equal, instructions,
                    percent(), decodeNanos / 1e9, instructions / (decodeNanos / 1e9), objdumpNanos / 1e9));
            mismatches.entrySet().stream().sorted((x, y) -> y.getValue().size() - x.getValue().size())
                    .forEach(e -> b.append(String.format("  %6d %s, e.g. %s%n", e.getValue().size(), e.getKey(), e.getValue().getFirst())));
            return b.toString();
        }
    }

    @Test
    void everyFunctionOfTheVmlinuxEqualsObjdump(@TempDir Path tmp) throws Exception {
        Path vmlinux = Lab.standard().debuginfo(System.out::println);
        Agreement a = compare(vmlinux, tmp);
        System.out.print(a.report("vmlinux executable sections"));
        assertThat(a.instructions()).as("instructions objdump shows in the vmlinux").isGreaterThan(6_000_000);
        assertThat(a.percent()).as(a.report("vmlinux")).isGreaterThanOrEqualTo(99.9);
    }

    @Test
    void everyFunctionOfTheLabModuleEqualsObjdump(@TempDir Path tmp) throws Exception {
        Path module = Lab.standard().releaseDir().resolve("kernel").resolve("kdive_lab.ko");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(module), "the lab's module is built (kdive lab build)");
        Agreement a = compare(module, tmp);
        System.out.print(a.report("kdive_lab.ko"));
        assertThat(a.instructions()).isGreaterThan(100);
        assertThat(a.percent()).as(a.report("kdive_lab.ko")).isGreaterThanOrEqualTo(99.9);
    }

    private static Agreement compare(Path object, Path tmp) throws Exception {
        Path listing = tmp.resolve("objdump.txt");
        try (ElfFile elf = ElfFile.open(object); Disassembler dis = Disassembler.x86_64()) {
            List<String> cmd = new ArrayList<>(List.of("objdump", "-d", "--no-show-raw-insn"));
            for (ElfFile.Section s : elf.sections()) {
                if ((s.flags() & ElfFile.SHF_EXECINSTR) != 0 && s.size() > 0) {
                    cmd.add("-j");
                    cmd.add(s.name());
                }
            }
            cmd.add(object.toString());
            long t0 = System.nanoTime();
            Process objdump = new ProcessBuilder(cmd).redirectOutput(listing.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(objdump.waitFor()).as(String.join(" ", cmd)).isZero();
            long objdumpNanos = System.nanoTime() - t0;

            long[] counts = new long[3]; // instructions, equal, decode nanoseconds
            Map<String, List<String>> mismatches = new TreeMap<>();
            try (BufferedReader r = Files.newBufferedReader(listing, StandardCharsets.ISO_8859_1)) {
                ElfFile.Section section = null;
                long start = 0;
                boolean inRegion = false; // kernel addresses are negative as longs
                Map<Long, String> expected = new LinkedHashMap<>();
                for (String line = r.readLine(); ; line = r.readLine()) {
                    Matcher h = line == null ? null : HEADER.matcher(line);
                    Matcher sec = line == null ? null : SECTION.matcher(line);
                    boolean regionEnds = line == null || h.matches() || sec.matches();
                    if (regionEnds && inRegion) {
                        long end = h != null && h.matches() ? Long.parseUnsignedLong(h.group(1), 16) : base(elf, section) + section.size();
                        compareRange(elf, section, dis, start, end, expected, counts, mismatches);
                        inRegion = false;
                        expected.clear();
                    }
                    if (line == null) {
                        break;
                    }
                    if (sec.matches()) {
                        section = elf.section(sec.group(1)).orElseThrow();
                    } else if (h.matches()) {
                        start = Long.parseUnsignedLong(h.group(1), 16);
                        inRegion = true;
                    } else {
                        Matcher l = LINE.matcher(line);
                        if (l.matches() && inRegion) {
                            expected.put(Long.parseUnsignedLong(l.group(1), 16), l.group(2));
                        }
                    }
                }
            }
            return new Agreement(counts[0], counts[1], counts[2], objdumpNanos, mismatches);
        }
    }

    /** objdump shows sections of a relocatable object from address 0, each on its own. */
    private static long base(ElfFile elf, ElfFile.Section s) {
        return elf.relocatable() ? 0 : s.address();
    }

    private static void compareRange(ElfFile elf, ElfFile.Section section, Disassembler dis, long start, long end,
                                     Map<Long, String> expected, long[] counts, Map<String, List<String>> mismatches)
            throws Exception {
        MemorySegment bytes = elf.contents(section).asSlice(start - base(elf, section), end - start);
        long t = System.nanoTime();
        List<Instruction> decoded = dis.decode(bytes, start);
        List<String> texts = new ArrayList<>(decoded.size());
        for (Instruction i : decoded) {
            texts.add(i.text());
        }
        counts[2] += System.nanoTime() - t;
        counts[0] += expected.size();
        for (int n = 0; n < decoded.size(); n++) {
            Instruction i = decoded.get(n);
            String want = expected.remove(i.address());
            String got = normalized(texts.get(n));
            String raw = " [" + HexFormat.ofDelimiter(" ").formatHex(i.bytes()) + "]";
            if (want == null) {
                mismatches.computeIfAbsent("instruction boundary", k -> new ArrayList<>())
                        .add("kdive decodes " + Long.toHexString(i.address()) + " " + got + raw);
            } else if (normalized(want).equals(got)) {
                counts[1]++;
            } else {
                String w = normalized(want);
                String kind = w.split(" ")[0] + (w.split(" ")[0].equals(got.split(" ")[0]) ? " (operands)" : " (mnemonic)");
                mismatches.computeIfAbsent(kind, k -> new ArrayList<>()).add("objdump \"" + w + "\", kdive \"" + got + "\"" + raw);
            }
        }
        for (var missed : expected.entrySet()) {
            mismatches.computeIfAbsent("instruction boundary", k -> new ArrayList<>())
                    .add("objdump decodes " + Long.toHexString(missed.getKey()) + " " + normalized(missed.getValue()));
        }
    }

    /** Whitespace runs to one space; {@code <symbol>} dropped, the address before it kept. */
    private static String normalized(String objdumpText) {
        return SYMBOL.matcher(objdumpText).replaceAll("").replaceAll("\\s+", " ").strip();
    }
}
