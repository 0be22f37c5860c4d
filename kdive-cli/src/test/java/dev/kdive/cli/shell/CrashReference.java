package dev.kdive.cli.shell;

import dev.kdive.kernel.Kernel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.arch.Translation;
import dev.kdive.arch.x86_64.PageTables;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the reference tool, the kernel's own Debian suite's crash ({@link Lab#crash()}: {@code crash
 * -s VMLINUX DUMP} with commands on standard input), and returns each command's output. A run
 * takes 6-20 s and a lab has about 80 dumps, so every command the cross-checks compare on a dump
 * is asked in one run per memory image ({@link #transcript}, {@link #sameMemory}); outputs are
 * kept beside the dump, keyed by the command script, and a changed script runs crash again.
 */
final class CrashReference {
    private static final Pattern MARK = Pattern.compile("==KDIVE== (\\d+)\\n?");
    /** Symbols asked with sym on every dump, those of them the kernel has (6.10 renamed the allocators *_noprof). */
    static final List<String> SYMBOLS = List.of("init_uts_ns", "linux_banner", "init_task", "jiffies_64",
            "panic", "schedule", "__kmalloc", "kmem_cache_alloc", "__kmalloc_noprof", "kmem_cache_alloc_noprof",
            "init_top_pgt", "cpu_khz", "_stext", "_etext", "__per_cpu_offset", "prb");
    private static final Map<Path, Transcript> TRANSCRIPTS = new ConcurrentHashMap<>();

    private CrashReference() {
    }

    /** One dump's commands and crash's answer to each. */
    record Transcript(Scenario scenario, Path dump, List<String> commands, List<String> outputs) {
        /** {@return crash's output for one of the commands} */
        String of(String command) {
            int i = commands.indexOf(command);
            if (i < 0) {
                throw new IllegalArgumentException(command + " is not among the commands asked of crash on " + dump);
            }
            return outputs.get(i);
        }
    }

    /**
     * {@return the transcript of every dump of every scenario, by dump, in scenario and artifact
     * order}: crash runs on as many dumps at once as there are cores, once per memory image
     * ({@link #sameMemory}).
     */
    static Map<Path, Transcript> transcripts(Lab lab) throws Exception {
        Map<Path, Scenario> dumps = new LinkedHashMap<>();
        for (Scenario s : Scenario.values()) {
            Path dir = lab.build(s, System.out::println);
            for (Lab.Artifact a : Lab.Artifact.values()) {
                if (a.isDump() && Files.exists(dir.resolve(a.file))) {
                    dumps.put(dir.resolve(a.file), s);
                }
            }
        }
        lab.debuginfo(System.out::println);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<Transcript>> asked = new ArrayList<>();
            dumps.forEach((d, s) -> {
                if (sameMemory(d).equals(d)) {
                    asked.add(pool.submit(() -> transcript(lab, s, d)));
                }
            });
            for (Future<Transcript> f : asked) {
                f.get();
            }
            Map<Path, Transcript> out = new LinkedHashMap<>();
            for (var e : dumps.entrySet()) {
                out.put(e.getKey(), transcript(lab, e.getValue(), e.getKey()));
            }
            return out;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * {@return the dump of a scenario holding the same memory as this one in another container,
     * whose crash answers stand for this one's}: QEMU's paging ELF and kdump files hold the ELF
     * core's pages, and makedumpfile's -d 31 zlib, lzo and uncompressed files the same filtered
     * pages (one run of one makedumpfile); the zstd and snappy files come from another
     * makedumpfile and stand for themselves. kdive still reads every container: only crash is
     * asked once per memory image (a crash start costs 6-20 s).
     */
    static Path sameMemory(Path dump) {
        String name = dump.getFileName().toString();
        for (Lab.Artifact a : List.of(Lab.Artifact.ELF_PAGING, Lab.Artifact.KDUMP, Lab.Artifact.KDUMP_FLAT)) {
            if (a.file.equals(name)) {
                return dump.resolveSibling(Lab.Artifact.ELF.file);
            }
        }
        for (Lab.Artifact a : List.of(Lab.Artifact.D31_LZO, Lab.Artifact.D31_RAW)) {
            if (a.file.equals(name)) {
                return dump.resolveSibling(Lab.Artifact.D31_ZLIB.file);
            }
        }
        return dump;
    }

    /** {@return crash's answers for one dump's memory to every command the cross-checks compare there} */
    static Transcript transcript(Lab lab, Scenario s, Path dump) throws Exception {
        Path memory = sameMemory(dump);
        Transcript t = TRANSCRIPTS.get(memory);
        if (t == null) {
            List<String> commands = commands(s, memory);
            t = new Transcript(s, memory, commands, outputs(lab, memory, commands));
            TRANSCRIPTS.put(memory, t);
        }
        return new Transcript(s, dump, t.commands(), t.outputs());
    }

    /**
     * The commands asked on every dump: sys, rd and sym of fixed symbols, mod, log, vtop of the
     * first mapped page of the text, direct map, vmalloc and module areas, kmem -s; on the ELF
     * core (once per scenario) also kmem -i, bt -f and log -T.
     */
    private static List<String> commands(Scenario s, Path dump) throws Exception {
        JsonNode truth = new ObjectMapper().readTree(dump.resolveSibling(Lab.Artifact.GROUND_TRUTH.file).toFile());
        List<String> commands = new ArrayList<>(List.of("sys", "rd -a init_uts_ns", "rd -a linux_banner", "mod", "log", "log -m",
                "sym " + truth.path("module").path("provoker").asText()));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            for (String sym : SYMBOLS) {
                if (p.symbols().lookup(sym).isPresent()) {
                    commands.add("sym " + sym);
                }
            }
            long text = p.address("_stext");
            long direct = p.layout().directMap(p.layout().imagePhysical(p.address("init_uts_ns")));
            long vmalloc = firstMapped(p.kernel(), p.layout().vmallocBase(), p.layout().vmemmapBase());
            long module = firstMapped(p.kernel(), p.layout().modulesStart(), 0xffff_ffff_ff00_0000L);
            for (long a : new long[] {text + 0x1234, direct + 0x88, vmalloc + 0x10, module + 0x20}) {
                commands.add("vtop " + Long.toHexString(a));
                commands.add("sym " + Long.toHexString(text + (a & 0xfff)));
            }
        }
        commands.add("kmem -s");
        if (dump.getFileName().toString().equals(Lab.Artifact.ELF.file)) {
            commands.addAll(List.of("kmem -i", "bt -f", "log -T"));
        }
        return commands;
    }

    /** {@return the first mapped page at or above {@code from}, skipping whole unmapped tables} */
    static long firstMapped(PageTables t, long from, long to) {
        long a = from;
        while (Long.compareUnsigned(a, to) < 0) {
            Translation tr = t.walk(a);
            if (tr instanceof Translation.Mapped) {
                return a;
            }
            int missing = tr.walk().size(); // the level whose entry was not present: skip what it covers
            long span = 1L << (12 + 9 * ((t.fiveLevel() ? 5 : 4) - missing));
            a = (a & ~(span - 1)) + span;
        }
        throw new AssertionError("nothing mapped between " + Long.toHexString(from) + " and " + Long.toHexString(to));
    }

    /** {@return crash's output for each command, in one run on the dump (or from its kept answer)} */
    static List<String> outputs(Lab lab, Path dump, List<String> commands) throws Exception {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            script.append("echo ==KDIVE== ").append(i).append('\n').append(commands.get(i)).append('\n');
        }
        script.append("echo ==KDIVE== ").append(commands.size()).append('\n');
        Path cache = dump.resolveSibling(".crash").resolve(dump.getFileName() + "." + sha(script.toString()) + ".txt");
        if (!Files.isRegularFile(cache)) {
            Path vmlinux = lab.debuginfo(m -> { });
            Path crash = lab.crash();
            Files.createDirectories(cache.getParent());
            Path part = Files.createTempFile(cache.getParent(), "crash", ".part");
            Process p = new ProcessBuilder(crash.toString(), "-s", vmlinux.toString(), dump.toString())
                    .redirectErrorStream(true).redirectOutput(part.toFile()).start();
            p.getOutputStream().write(script.toString().getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(crash + " on " + dump + " did not finish in 300 s");
            }
            Files.move(part, cache, StandardCopyOption.ATOMIC_MOVE);
        }
        String all = Files.readString(cache, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        Matcher m = MARK.matcher(all);
        int prev = -1;
        while (m.find()) {
            if (prev >= 0) {
                out.add(all.substring(prev, m.start()));
            }
            prev = m.end();
        }
        if (out.size() != commands.size()) {
            throw new IOException("crash on " + dump + " answered " + out.size() + " of " + commands.size() + " commands; see " + cache);
        }
        return out;
    }

    private static String sha(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
