package dev.kdive.lab;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.program.Program;
import dev.kdive.types.Layout;
import dev.kdive.types.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Struct layouts from the BTF the kernel keeps in its own memory (no debug package) against gdb's
 * {@code ptype/o} on the Debian debug vmlinux: every member's offset and size.
 */
@Tag("lab")
class LabTypesTest {
    private static final List<String> STRUCTS = List.of("task_struct", "kmem_cache", "kmem_cache_cpu", "slab", "page", "pid",
            "upid", "mm_struct", "file", "dentry", "module");
    private static final Pattern MEMBER = Pattern.compile("^/\\*\\s*(?:(\\d+)(?::\\s*(\\d+))?\\s*\\|)?\\s*(\\d+) \\*/\\s*(.*)$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*}\\s*([\\w\\[\\]]*)\\s*;\\s*$");
    private static Map<String, String> gdb;

    /** One gdb member: byte offset (bit offset for bitfields), size, name. */
    record GdbField(String name, long bitOffset, long size) {}

    private static synchronized Map<String, String> gdbOutputs() throws Exception {
        if (gdb != null) {
            return gdb;
        }
        Lab lab = Lab.standard();
        Path vmlinux = lab.debuginfo(System.out::println);
        List<String> cmd = new ArrayList<>(List.of("gdb", "-batch", "-nx"));
        for (String s : STRUCTS) {
            cmd.add("-ex");
            cmd.add("echo ==KDIVE== " + s + "\\n");
            cmd.add("-ex");
            cmd.add("ptype/o struct " + s);
        }
        cmd.add(vmlinux.toString());
        String key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(String.join(" ", cmd).getBytes(StandardCharsets.UTF_8)), 0, 6);
        Path cache = vmlinux.resolveSibling(".gdb").resolve("ptype-o." + key + ".txt");
        if (!Files.isRegularFile(cache)) { // gdb reads the 633 MB of DWARF for 20-40 s: once per machine
            Files.createDirectories(cache.getParent());
            Path part = Files.createTempFile(cache.getParent(), "gdb", ".part");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(part.toFile()).start();
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("gdb finished").isTrue();
            Files.move(part, cache, StandardCopyOption.ATOMIC_MOVE);
        }
        Map<String, String> out = new LinkedHashMap<>();
        String[] parts = Files.readString(cache).split("==KDIVE== ");
        for (int i = 1; i < parts.length; i++) {
            int nl = parts[i].indexOf('\n');
            out.put(parts[i].substring(0, nl).strip(), parts[i].substring(nl + 1));
        }
        gdb = out;
        return out;
    }

    /** The top-level members of gdb's ptype/o, members of anonymous structs and unions promoted. */
    static List<GdbField> parse(String ptype) {
        Deque<List<GdbField>> frames = new ArrayDeque<>();
        Deque<GdbField> opened = new ArrayDeque<>();
        Deque<Long> offsets = new ArrayDeque<>();
        List<GdbField> top = null;
        for (String line : ptype.lines().toList()) {
            Matcher m = MEMBER.matcher(line);
            Matcher c = CLOSE.matcher(line);
            if (line.contains("*/  type = ") && line.endsWith("{")) {
                top = new ArrayList<>();
                frames.push(top);
                offsets.push(0L);
                opened.push(new GdbField("", 0, 0));
            } else if (m.matches()) {
                long size = Long.parseLong(m.group(3));
                long bits = m.group(1) != null ? Long.parseLong(m.group(1)) * 8 + (m.group(2) != null ? Long.parseLong(m.group(2)) : 0)
                        : offsets.isEmpty() ? 0 : offsets.peek() * 8; // union members: the union's offset
                String decl = m.group(4).strip();
                if (decl.endsWith("{")) {
                    frames.push(new ArrayList<>());
                    offsets.push(bits / 8);
                    opened.push(new GdbField("", bits, size));
                } else if (decl.endsWith(";")) {
                    frames.peek().add(new GdbField(name(decl), bits, size));
                }
            } else if (c.matches() && frames.size() > 1) {
                List<GdbField> inner = frames.pop();
                offsets.pop();
                GdbField open = opened.pop();
                if (c.group(1).isEmpty()) {
                    frames.peek().addAll(inner); // anonymous: its members are the parent's
                } else {
                    frames.peek().add(new GdbField(c.group(1).replaceAll("\\[.*", ""), open.bitOffset(), open.size()));
                }
            }
        }
        return top;
    }

    private static String name(String decl) {
        Matcher fp = Pattern.compile("\\(\\*(\\w+)\\)").matcher(decl);
        if (fp.find()) {
            return fp.group(1);
        }
        Matcher n = Pattern.compile("(\\w+)\\s*(\\[\\d*\\])*\\s*(:\\s*\\d+)?;$").matcher(decl);
        return n.find() ? n.group(1) : decl;
    }

    private static dev.kdive.elf.ElfFile vmlinuxElf;
    private static dev.kdive.dwarf.DwarfTypes dwarfTypes;

    /** DWARF types of the debug vmlinux, the name index built in a temporary file and read back. */
    private static synchronized dev.kdive.dwarf.DwarfTypes dwarfTypes() throws Exception {
        if (dwarfTypes == null) {
            vmlinuxElf = dev.kdive.elf.ElfFile.open(Lab.standard().debuginfo(System.out::println));
            Path index = Files.createTempFile("kdive-types", ".idx");
            Files.delete(index);
            var dwarf = dev.kdive.dwarf.Dwarf.of(vmlinuxElf).orElseThrow();
            var first = new dev.kdive.dwarf.DwarfTypes(dwarf, Optional.of(index));
            first.lookup("struct task_struct").orElseThrow(); // scans every unit, writes the index
            assertThat(index).isNotEmptyFile();
            dwarfTypes = new dev.kdive.dwarf.DwarfTypes(dwarf, Optional.of(index)); // answers from the index file
        }
        return dwarfTypes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"task_struct", "kmem_cache", "kmem_cache_cpu", "slab", "page", "pid", "upid", "mm_struct", "file",
        "dentry", "module"})
    void dwarfOfTheVmlinuxGivesGdbsOffsetsAndSizes(String struct) throws Exception {
        List<GdbField> theirs = parse(gdbOutputs().get(struct));
        Type.Struct s = (Type.Struct) dwarfTypes().lookup("struct " + struct).orElseThrow();
        List<GdbField> ours = new ArrayList<>();
        for (Layout.Field f : Layout.fields(s)) {
            ours.add(new GdbField(f.name(), f.bitSize() > 0 ? f.bitOffset() : f.offset() * 8, f.type().size()));
        }
        assertThat(ours).as("struct " + struct + " members from DWARF (name, bit offset, size)").containsExactlyElementsOf(theirs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"task_struct", "kmem_cache", "kmem_cache_cpu", "slab", "page", "pid", "upid", "mm_struct", "file",
        "dentry", "module"})
    void btfInTheDumpGivesGdbsOffsetsAndSizes(String struct) throws Exception {
        String ptype = gdbOutputs().get(struct);
        List<GdbField> theirs = parse(ptype);
        assertThat(theirs).as("gdb ptype/o struct " + struct).isNotNull().hasSizeGreaterThan(1);
        Path dump = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        try (Program p = Kernel.open(dump, Optional.empty())) {
            Type.Struct s = (Type.Struct) p.types().lookup("struct " + struct).orElseThrow();
            assertThat(p.types().source()).startsWith("BTF in the dump");
            List<GdbField> ours = new ArrayList<>();
            for (Layout.Field f : Layout.fields(s)) {
                long size = f.type().size();
                ours.add(new GdbField(f.name(), f.bitSize() > 0 ? f.bitOffset() : f.offset() * 8, size));
            }
            assertThat(ours).as("struct " + struct + " members (name, bit offset, size)").containsExactlyElementsOf(theirs);
        }
    }
}
