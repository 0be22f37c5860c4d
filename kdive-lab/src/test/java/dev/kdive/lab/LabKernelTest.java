package dev.kdive.lab;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.elf.ElfFile;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The kernel's symbols and address space read from lab dumps, checked against the debug vmlinux and nm. */
@Tag("lab")
class LabKernelTest {

    @ParameterizedTest
    @EnumSource(value = Lab.Artifact.class, names = {"ELF", "D31_LZO", "D31_ZSTD"})
    void kallsymsFromTheDumpEqualsTheVmlinuxSymbolTableShiftedByKaslr(Lab.Artifact artifact) throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        Path dump = dir.resolve(artifact.file);
        if (artifact.optional() && !Files.exists(dump)) {
            return; // no makedumpfile with zstd here
        }
        Path vmlinux = lab.debuginfo(System.out::println);
        try (Program p = Kernel.open(dump, Optional.empty()); ElfFile elf = ElfFile.open(vmlinux)) {
            assertThat(p.symbols().source()).isEqualTo("kallsyms in the dump");
            long kaslr = p.layout().kaslrOffset();
            assertThat(kaslr).isNotZero();
            Map<String, Set<Long>> symtab = new HashMap<>();
            for (ElfFile.ElfSymbol s : elf.symbols()) {
                long a = Long.compareUnsigned(s.value(), KernelLayout.START_KERNEL_MAP) >= 0 ? s.value() + kaslr : s.value();
                symtab.computeIfAbsent(s.name(), k -> new HashSet<>()).add(a);
            }
            // nm's listing of the same vmlinux (what System.map holds; Debian ships only a placeholder
            // outside the -dbg package): the type letters scripts/kallsyms keeps.
            Map<String, Set<String>> systemMap = new HashMap<>();
            Process nm = new ProcessBuilder("nm", vmlinux.toString()).redirectErrorStream(true).start();
            List<String> nmLines = new String(nm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).lines().toList();
            assertThat(nm.waitFor()).as("nm " + vmlinux).isZero();
            for (String line : nmLines) {
                String[] f = line.split(" ");
                if (f.length != 3 || f[0].isEmpty()) {
                    continue; // undefined symbols have no address
                }
                long a = Long.parseUnsignedLong(f[0], 16);
                a = Long.compareUnsigned(a, KernelLayout.START_KERNEL_MAP) >= 0 ? a + kaslr : a;
                // scripts/kallsyms marks per-cpu symbols absolute ('A'), as /proc/kallsyms shows them.
                String type = Long.compareUnsigned(a, KernelLayout.START_KERNEL_MAP) < 0 ? "A" : f[1];
                systemMap.computeIfAbsent(f[2], k -> new HashSet<>()).add(Long.toHexString(a) + " " + type);
            }
            List<Symbol> all = p.symbols().all();
            assertThat(all).hasSizeGreaterThan(50_000);
            for (Symbol s : all) {
                assertThat(symtab.get(s.name())).as("vmlinux .symtab address of %s", s.name()).contains(s.address());
                assertThat(systemMap.get(s.name())).as("nm entry of %s", s.name())
                        .contains(Long.toHexString(s.address()) + " " + s.type());
            }
            // Every function of the vmlinux is in kallsyms too (kallsyms drops only some data and markers).
            Set<String> names = new HashSet<>();
            all.forEach(s -> names.add(s.name()));
            long functions = elf.symbols().stream().filter(s -> s.type() == 2 && s.size() > 0).map(ElfFile.ElfSymbol::name)
                    .filter(n -> !names.contains(n)).count();
            assertThat(functions).as("STT_FUNC symbols missing from kallsyms").isZero();
        }
    }

    /**
     * What a second run reads in place (issue 17: start-up) answers as what the first decodes: the
     * kallsyms index, and the BTF name index, on the dump's own tables.
     */
    @org.junit.jupiter.api.Test
    void theSavedIndexesAnswerAsTheDumpsOwnTables(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path dump = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        try (Program p = Kernel.open(dump, Optional.empty())) {
            dev.kdive.symbols.SymbolTable decoded = dev.kdive.symbols.Kallsyms.read(p.kernel(), p.vmcoreinfo());
            Path file = tmp.resolve("kallsyms");
            long kaslr = p.layout().kaslrOffset();
            dev.kdive.symbols.SymbolIndex.keep(decoded, file, kaslr);
            dev.kdive.dump.UserCache.finishSaving();
            dev.kdive.symbols.SymbolTable read = dev.kdive.symbols.SymbolIndex.open(file, "saved", kaslr).orElseThrow();
            assertThat(read.all()).hasSizeGreaterThan(50_000).containsExactlyElementsOf(decoded.all());
            for (Symbol s : decoded.all()) {
                assertThat(read.lookup(s.name())).as(s.name()).isEqualTo(decoded.lookup(s.name()));
                assertThat(read.containing(s.address() + 1)).isEqualTo(decoded.containing(s.address() + 1));
            }

            // A first look reads kallsyms in place: the markers and the name order found where this
            // kernel's scripts/kallsyms put them, every answer the decoded table's.
            dev.kdive.symbols.SymbolTable inPlace = dev.kdive.symbols.Kallsyms.inPlace(p.kernel(), p.vmcoreinfo()).orElseThrow();
            assertThat(inPlace.all()).containsExactlyElementsOf(decoded.all());
            for (Symbol s : decoded.all()) {
                assertThat(inPlace.lookup(s.name())).as(s.name()).isEqualTo(decoded.lookup(s.name()));
            }
            for (int i = 0; i < decoded.size(); i += 97) {
                long a = decoded.all().get(i).address() + 1;
                assertThat(inPlace.containing(a)).isEqualTo(decoded.containing(a));
            }

            long start = p.address("__start_BTF");
            byte[] blob = p.kernel().read(start, (int) (p.address("__stop_BTF") - start));
            dev.kdive.types.Btf plain = dev.kdive.types.Btf.parse(blob, "BTF");
            Path names = tmp.resolve("btf.names");
            dev.kdive.types.Btf first = dev.kdive.types.Btf.parse(java.nio.ByteBuffer.wrap(blob), "BTF", Optional.of(names));
            assertThat(first.lookup("struct task_struct")).isPresent();
            dev.kdive.dump.UserCache.finishSaving(); // written beside the look-up, on the cache's thread
            assertThat(names).as("made at the first look-up").isRegularFile();
            dev.kdive.types.Btf again = dev.kdive.types.Btf.parse(java.nio.ByteBuffer.wrap(blob), "BTF", Optional.of(names));
            Set<String> all = plain.names();
            assertThat(all).hasSizeGreaterThan(10_000).contains("struct task_struct", "struct kmem_cache", "u64")
                    .isEqualTo(again.names());
            for (String n : all) {
                assertThat(signature(again.lookup(n).orElseThrow())).as(n).isEqualTo(signature(plain.lookup(n).orElseThrow()));
            }
            assertThat(signature(again.function("schedule").orElseThrow())).isEqualTo(signature(plain.function("schedule").orElseThrow()));
            assertThat(signature(again.variable("runqueues").orElseThrow())).isEqualTo(signature(plain.variable("runqueues").orElseThrow()));
        }
    }

    /**
     * A first look at a build that ends at once (open, close) still leaves its indexes: the close
     * waits for the kallsyms decoded on the cache's thread, which reads the dump, before closing it.
     */
    @org.junit.jupiter.api.Test
    void aFirstLookThatEndsAtOnceLeavesItsIndexes(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path dump = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        String home = System.getProperty("user.home");
        System.setProperty("user.home", tmp.toString());
        try {
            String id;
            try (Program p = Kernel.open(dump, Optional.empty())) {
                id = p.vmcoreinfo().get("BUILD-ID").strip().toLowerCase(java.util.Locale.ROOT);
            }
            Path kallsyms = tmp.resolve(".cache/kdive/symbols/" + id + ".kallsyms");
            assertThat(kallsyms).isRegularFile();
            try (Program p = Kernel.open(dump, Optional.empty())) {
                assertThat(p.types().lookup("struct task_struct")).isPresent(); // the dump's BTF and its name index, kept too
            }
            assertThat(tmp.resolve(".cache/kdive/btf/" + id + ".btf")).isRegularFile();
            assertThat(tmp.resolve(".cache/kdive/btf/" + id + ".names")).isRegularFile();
            try (Program p = Kernel.open(dump, Optional.empty())) {
                assertThat(dev.kdive.symbols.SymbolIndex.open(kallsyms, "saved", p.layout().kaslrOffset()).orElseThrow().all())
                        .containsExactlyElementsOf(dev.kdive.symbols.Kallsyms.read(p.kernel(), p.vmcoreinfo()).all());
            }
        } finally {
            System.setProperty("user.home", home);
        }
    }

    /** {@return a type as its record prints it, its references by id alone (their tables are two instances of one BTF)} */
    private static String signature(dev.kdive.types.Type t) {
        return t.toString().replaceAll("table=[^,]*, ", "");
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void kernelLayoutComesFromTheDumpsOwnVariables(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            KernelLayout l = p.layout();
            assertThat(p.warnings()).isEmpty();
            assertThat(l.region(p.address("_stext"))).isEqualTo("kernel image");
            assertThat(l.region(l.pageOffsetBase() + 0x1000)).isEqualTo("direct map");
            assertThat(l.region(l.vmallocBase() + 0x1000)).isEqualTo("vmalloc");
            assertThat(l.region(l.vmemmapBase())).isEqualTo("vmemmap");
            // init_uts_ns read through the image mapping and through the direct map: the same bytes.
            long uts = p.address("init_uts_ns");
            assertThat(p.kernel().read(l.directMap(l.imagePhysical(uts)), 390)).isEqualTo(p.kernel().read(uts, 390));
            assertThat(p.cpus()).hasSize(2);
            assertThat(p.cpus().get(0).cr3()).isPresent();
            // A CPU stopped in the kernel has GS pointing at its per-cpu area (arch/x86/kernel/head_64.S).
            long[] perCpu = p.perCpuOffsets();
            assertThat(perCpu).hasSize(2);
            int inKernel = 0;
            for (var cpu : p.cpus()) {
                if ((cpu.register("cs") & 3) == 0) {
                    assertThat(cpu.register("gs_base")).as("CPU %d gs_base", cpu.cpu()).isEqualTo(perCpu[cpu.cpu()]);
                    inKernel++;
                }
            }
            assertThat(inKernel).isPositive();
        }
    }
}
