package dev.kdive.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The lab: real crash dumps of Debian's own current kernel, booted under QEMU (TCG) with the
 * project's crash module. Host preparation (apt, kernel, module, initramfs) is samples/lab.sh;
 * this class boots, waits for the panic over QMP, dumps, and converts with makedumpfile.
 * Each scenario is built in a temporary directory and renamed into place when complete.
 */
public final class Lab {
    /** The files of one built scenario. */
    public enum Artifact {
        CONSOLE("console.log", "serial console (the oops text)"),
        ELF("vmcore.elf", "QEMU ELF, paging=false"),
        ELF_PAGING("vmcore.elf-paging", "QEMU ELF, paging=true: a PT_LOAD per mapping, p_vaddr set"),
        KDUMP_FLAT("vmcore.kdump-zlib.flat", "QEMU kdump-zlib (makedumpfile flattened)"),
        KDUMP("vmcore.kdump-zlib", "kdump-compressed zlib (makedumpfile -R)"),
        D31_ZLIB("vmcore.d31-zlib", "makedumpfile -c -d 31"),
        D31_LZO("vmcore.d31-lzo", "makedumpfile -l -d 31"),
        D31_RAW("vmcore.d31-raw", "makedumpfile -d 31, uncompressed"),
        D31_SNAPPY("vmcore.d31-snappy", "makedumpfile -p -d 31 (a makedumpfile built with snappy)"),
        D31_ZSTD("vmcore.d31-zstd", "makedumpfile -z -d 31 (a Debian makedumpfile with zstd)"),
        VMCOREINFO("vmcoreinfo.txt", "VMCOREINFO note text"),
        GROUND_TRUTH("ground-truth.json", "what the module logged before crashing");

        public final String file;
        public final String description;

        Artifact(String file, String description) {
            this.file = file;
            this.description = description;
        }

        /**
         * {@return whether the lab writes this only with a makedumpfile that has its compression
         * (samples/makedumpfile-tools.sh: zstd from a newer Debian suite's package, snappy only
         * from a local source clone)}
         */
        public boolean optional() {
            return compression() != null;
        }

        /** {@return makedumpfile's name for this dump's page compression when it needs its own tool: "zstd", "snappy", or null} */
        public String compression() {
            return this == D31_SNAPPY ? "snappy" : this == D31_ZSTD ? "zstd" : null;
        }

        /** {@return makedumpfile's flag for that compression} */
        String compressionFlag() {
            return this == D31_SNAPPY ? "-p" : "-z";
        }

        /** {@return whether this artifact is a vmcore} */
        public boolean isDump() {
            return file.startsWith("vmcore.");
        }
    }

    /** Scripts under samples/ that only run on the host and change nothing in the guest. */
    private static final java.util.Set<String> HOST_ONLY = java.util.Set.of("apt-suite.sh", "makedumpfile-tools.sh", "crash-tools.sh");
    private static final java.util.Set<String> REPORTED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path root;
    private final Path samples;
    private final String kernel;
    private String release;
    /** makedumpfile per compression ("zstd", "snappy"), or why there is none; null until asked. */
    private java.util.Map<String, String> tools;
    private java.util.Map<String, String> toolsMissing;
    /** the reference crash and the debug vmlinux for this kernel; null until asked */
    private Path crash;
    private Path debuginfo;

    /**
     * @param kernel which Debian kernel to boot: a suite ("bookworm", "trixie", "sid", ...: that
     *               suite's current linux-image-amd64), an ABI ("6.1.0-57-amd64"), or "" for the
     *               machine's own suite
     */
    public Lab(Path root, Path samples, String kernel) {
        this.root = root;
        this.samples = samples;
        this.kernel = kernel == null ? "" : kernel.strip();
    }

    /**
     * The lab of this user: KDIVE_LAB_DIR or ~/.cache/kdive/lab, with the scripts under
     * kdive.home/samples, for the kernel KDIVE_LAB_KERNEL names (the machine's own suite's when unset).
     */
    public static Lab standard() {
        return standard(System.getenv("KDIVE_LAB_KERNEL"));
    }

    /** The lab of this user for the given kernel selection (see {@link #Lab(Path, Path, String)}). */
    public static Lab standard(String kernel) {
        String dir = System.getenv("KDIVE_LAB_DIR");
        Path root = dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".cache", "kdive", "lab");
        Path home = Path.of(System.getProperty("kdive.home", "."));
        return new Lab(root, home.resolve("samples"), kernel);
    }

    public Path root() {
        return root;
    }

    /** {@return the kernel selection: a suite, an ABI, or "" for the machine's own suite} */
    public String kernel() {
        return kernel;
    }

    /** A kernel built in this lab: its ABI, the suite it came from, and its directory. */
    public record BuiltKernel(String release, String suite, Path dir) {}

    /** {@return the kernels this lab has prepared (a release directory with a kernel/), by release} */
    public List<BuiltKernel> builtKernels() throws LabException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            List<BuiltKernel> out = new ArrayList<>();
            for (Path d : dirs.sorted().toList()) {
                Path release = d.resolve("kernel").resolve("release");
                if (Files.isRegularFile(release)) {
                    Path suite = d.resolve("kernel").resolve("suite");
                    out.add(new BuiltKernel(Files.readString(release).strip(),
                            Files.isRegularFile(suite) ? Files.readString(suite).strip() : "?", d));
                }
            }
            return out;
        } catch (IOException e) {
            throw new LabException("list " + root, e.getMessage());
        }
    }

    /** {@return the ABI of Debian's current amd64 kernel (asks apt once per Lab)} */
    public synchronized String release() throws LabException, InterruptedException {
        if (release == null) {
            release = script("find Debian's kernel release" + (kernel.isEmpty() ? "" : " for " + kernel), List.of("release")).strip();
        }
        return release;
    }

    public Path releaseDir() throws LabException, InterruptedException {
        return root.resolve(release());
    }

    /** {@return the directory of a built scenario (complete: renamed into place)} */
    public Path scenarioDir(Scenario s) throws LabException, InterruptedException {
        return releaseDir().resolve(s.id());
    }

    /**
     * Builds a scenario unless it is already built; returns its directory. Another process building
     * in the same kernel's directory is waited for (a lock file there), not raced.
     */
    public Path build(Scenario scenario, Consumer<String> progress) throws LabException, InterruptedException {
        Path lock = releaseDir().resolve(".build.lock"); // one builder per kernel: scenarios share its kernel/
        try {
            Files.createDirectories(lock.getParent());
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock held = ch.tryLock();
                if (held == null) {
                    progress.accept(scenario.id() + ": another process is building in " + lock.getParent() + "; waiting");
                    held = ch.lock();
                }
                try {
                    return buildLocked(scenario, progress);
                } finally {
                    held.release();
                }
            }
        } catch (IOException e) {
            throw new LabException("lock " + lock, e.getMessage());
        }
    }

    private Path buildLocked(Scenario scenario, Consumer<String> progress) throws LabException, InterruptedException {
        Path done = scenarioDir(scenario);
        if (Files.isRegularFile(done.resolve(Artifact.GROUND_TRUTH.file))) {
            Optional<Artifact> missing = java.util.Arrays.stream(Artifact.values())
                    .filter(a -> !a.optional() && !Files.exists(done.resolve(a.file))).findFirst();
            String incomplete = missing.isEmpty() ? storedIncompleteness(scenario, done) : null;
            String guest = guestDigest();
            if (missing.isEmpty() && incomplete == null && !guest.equals(readDigest(done))) {
                incomplete = "the guest (samples/: init, user processes, crash module) changed since it was built";
            }
            if (missing.isEmpty() && incomplete == null) {
                progress.accept(scenario.id() + ": already built in " + done);
                writeOptionalDumps(done, progress); // added to the lab after this scenario was built
                return done;
            }
            progress.accept(scenario.id() + ": rebuilding, " + (incomplete != null ? incomplete
                    : missing.orElseThrow().file + " is missing (the lab grew since)"));
        }
        Path kernel = prepare(progress);
        Path tmp = releaseDir().resolve(scenario.id() + ".building");
        LabException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            deleteTree(tmp);
            GroundTruth gt;
            try {
                Files.createDirectories(tmp);
                bootAndDump(scenario, kernel, tmp, progress);
                gt = groundTruth(scenario, tmp); // a boot whose log misses a fact is retried too
            } catch (LabException e) {
                last = e;
                progress.accept(scenario.id() + ": attempt " + attempt + " failed: " + e.getMessage()
                        + (attempt < 3 ? "; retrying (a TCG boot can stall on a busy host)" : ""));
                continue;
            } catch (IOException e) {
                throw new LabException("write " + tmp, e.getMessage());
            }
            try {
                convert(tmp, progress);
                writeDerived(scenario, gt, tmp);
                Files.writeString(tmp.resolve(GUEST_DIGEST), guestDigest() + "\n");
                deleteTree(done);
                Files.move(tmp, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                progress.accept(scenario.id() + ": built in " + done);
                return done;
            } catch (IOException e) {
                throw new LabException("write " + tmp, e.getMessage());
            }
        }
        throw last;
    }

    /** Where a scenario keeps the digest of the guest it was built with. */
    private static final String GUEST_DIGEST = "guest.sha256";

    /**
     * {@return the SHA-256 of what goes into the guest (samples/, host-only scripts left out), by
     * content: a scenario built from other samples is rebuilt (its dumps would lack what tests now
     * look for), while a fresh clone of the same samples, newer files but the same bytes, is not}
     */
    private String guestDigest() throws LabException {
        try (Stream<Path> files = Files.walk(samples)) {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !HOST_ONLY.contains(f.getFileName().toString()))
                    .sorted().toList()) {
                sha.update(samples.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(f));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new LabException("read " + samples, e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@return the guest digest a scenario was built with; empty when it predates the digest} */
    private static String readDigest(Path scenarioDir) {
        try {
            return Files.readString(scenarioDir.resolve(GUEST_DIGEST)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs samples/lab.sh prepare when the kernel, module or initramfs is missing or older than the samples. */
    Path prepare(Consumer<String> progress) throws LabException, InterruptedException {
        Path kernel = releaseDir().resolve("kernel");
        Path initramfs = kernel.resolve("initramfs.cpio.gz");
        try {
            if (Files.exists(initramfs)) {
                var built = Files.getLastModifiedTime(initramfs);
                try (Stream<Path> files = Files.walk(samples)) {
                    // only what goes into the guest; the host tools' scripts do not change it
                    boolean stale = files.filter(Files::isRegularFile)
                            .filter(f -> !HOST_ONLY.contains(f.getFileName().toString()))
                            .anyMatch(f -> lastModified(f).compareTo(built) > 0);
                    if (!stale) {
                        return kernel;
                    }
                }
            }
        } catch (IOException e) {
            throw new LabException("read " + samples, e.getMessage());
        }
        progress.accept("preparing kernel " + release() + ", crash module and initramfs in " + kernel);
        script("prepare the guest", List.of("prepare", kernel.toString()));
        return kernel;
    }

    /** Fetches the debug vmlinux (only that file of the -dbg package); returns its path. */
    public synchronized Path debuginfo(Consumer<String> progress) throws LabException, InterruptedException {
        if (debuginfo == null) { // once per Lab: the tests ask from several threads
            Path dir = releaseDir().resolve("debug");
            progress.accept("fetching the debug vmlinux of " + release() + " into " + dir);
            script("fetch the debug vmlinux", List.of("debuginfo", dir.toString()));
            debuginfo = dir.resolve("vmlinux");
        }
        return debuginfo;
    }

    /**
     * {@return the crash to compare with on this kernel's dumps: the kernel's own Debian suite's
     * (samples/crash-tools.sh), as a kdump user of that release runs it; bookworm's 8.0.2 cannot
     * read trixie's 6.12}
     */
    public synchronized Path crash() throws LabException, InterruptedException {
        if (crash != null) {
            return crash;
        }
        Path suite = releaseDir().resolve("kernel").resolve("suite");
        if (!Files.isRegularFile(suite)) {
            throw new LabException("find the reference crash", "kernel " + release() + " is not prepared (" + suite + " is missing); build a scenario first");
        }
        String out;
        try {
            out = runAllowingFailure(List.of(samples.resolve("crash-tools.sh").toString(), root.resolve("tools").toString(),
                    Files.readString(suite).strip()));
        } catch (IOException e) {
            throw new LabException("read " + suite, e.getMessage());
        }
        String[] w = out.strip().split(" ", 3);
        if (w.length == 3 && w[0].equals("crash") && w[1].equals("OK")) {
            crash = Path.of(w[2]);
            return crash;
        }
        throw new LabException("find the reference crash", w.length == 3 ? w[2] : "samples/crash-tools.sh printed \"" + out.strip() + "\"");
    }

    private static java.nio.file.attribute.FileTime lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(Long.MAX_VALUE);
        }
    }

    private void bootAndDump(Scenario s, Path kernel, Path dir, Consumer<String> progress)
            throws LabException, InterruptedException, IOException {
        Path sock = dir.resolve("qmp.sock");
        String append = ("console=ttyS0 loglevel=7 printk.devkmsg=on oops=panic panic=0 kdive_scenario=" + s.id() + " " + s.kernelArgs()).strip();
        List<String> cmd = List.of("qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", s.cpu(),
                "-m", "512M", "-smp", "2", "-kernel", kernel.resolve("vmlinuz").toString(),
                "-initrd", kernel.resolve("initramfs.cpio.gz").toString(), "-append", append,
                "-display", "none", "-monitor", "none", "-serial", "file:" + dir.resolve(Artifact.CONSOLE.file),
                "-device", "vmcoreinfo", "-device", "pvpanic", "-action", "panic=pause",
                "-qmp", "unix:" + sock + ",server=on,wait=off");
        progress.accept(s.id() + ": booting " + release() + " under QEMU (TCG)");
        Process qemu;
        try {
            qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu.stderr").toFile()).start();
        } catch (IOException e) {
            throw new LabException("start QEMU", "cannot run qemu-system-x86_64 (" + e.getMessage()
                    + "); install Debian's qemu-system-x86 or run ./kdive lab build as root once");
        }
        try (Qmp qmp = Qmp.connect(sock, Duration.ofSeconds(20), qemu)) {
            qmp.await("GUEST_PANICKED (the guest never panicked; see console.log)",
                    m -> "GUEST_PANICKED".equals(m.path("event").asText()), s.panicTimeout());
            progress.accept(s.id() + ": guest panicked; writing the ELF dump");
            qmp.execute("dump-guest-memory", Qmp.args().put("paging", false)
                    .put("protocol", "file:" + dir.resolve(Artifact.ELF.file)), Duration.ofMinutes(5));
            progress.accept(s.id() + ": writing the ELF dump with paging");
            qmp.execute("dump-guest-memory", Qmp.args().put("paging", true)
                    .put("protocol", "file:" + dir.resolve(Artifact.ELF_PAGING.file)), Duration.ofMinutes(5));
            progress.accept(s.id() + ": writing the kdump-zlib dump");
            qmp.execute("dump-guest-memory", Qmp.args().put("paging", false)
                    .put("protocol", "file:" + dir.resolve(Artifact.KDUMP_FLAT.file)).put("format", "kdump-zlib"),
                    Duration.ofMinutes(5));
            qmp.execute("quit", Qmp.args(), Duration.ofSeconds(10));
        } finally {
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(sock);
        }
        for (Artifact a : List.of(Artifact.ELF, Artifact.ELF_PAGING)) {
            digHoles(dir.resolve(a.file), progress);
        }
    }

    /**
     * Turns the zero pages QEMU wrote into holes (util-linux's {@code fallocate --dig-holes}): a
     * lab's full-memory dumps then take a fraction of their length on disk, which is what lets both
     * labs and a CI copy fit on a small disk. The bytes read back are the same.
     */
    private static void digHoles(Path f, Consumer<String> progress) throws InterruptedException {
        if (!Files.isRegularFile(f)) {
            return;
        }
        try {
            run("fallocate --dig-holes", List.of("fallocate", "--dig-holes", f.toString()));
        } catch (LabException e) {
            if (REPORTED.add("fallocate")) {
                progress.accept("dumps stay full size on disk: " + e.getMessage());
            }
        }
    }

    /** Adds the zstd and snappy dumps, where their tools are there, to a scenario built without them. */
    private void writeOptionalDumps(Path done, Consumer<String> progress) throws LabException, InterruptedException {
        List<Artifact> missing = new ArrayList<>();
        for (Artifact a : Artifact.values()) {
            if (a.optional() && !Files.exists(done.resolve(a.file)) && makedumpfile(a, progress).isPresent()) {
                missing.add(a);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Path fixed = done.resolve("vmcore.elf-phdrs-at-64");
        try {
            QemuElfHeader.writeWithPhdrsAt64(done.resolve(Artifact.ELF.file), fixed);
            for (Artifact a : missing) {
                progress.accept(done.getFileName() + ": " + a.description);
                writeWithTool(a, fixed, done, progress);
            }
        } catch (IOException e) {
            throw new LabException("write the zstd/snappy dumps in " + done, e.getMessage());
        } catch (DumpFormatException e) {
            throw new LabException("read the ELF dump", e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(fixed);
            } catch (IOException e) {
                progress.accept("cannot remove " + fixed + ": " + e.getMessage());
            }
        }
    }

    /** Writes one of the optional dumps from the ELF copy {@code in} with its own makedumpfile, if there is one. */
    private void writeWithTool(Artifact a, Path in, Path dir, Consumer<String> progress)
            throws LabException, InterruptedException, IOException {
        Optional<Path> tool = makedumpfile(a, progress);
        if (tool.isEmpty()) {
            return;
        }
        Path part = dir.resolve(a.file + ".part");
        Files.deleteIfExists(part); // makedumpfile refuses to overwrite
        run("makedumpfile " + a.compressionFlag() + " -d 31", List.of(tool.get().toString(), a.compressionFlag(), "-d", "31",
                in.toString(), part.toString()));
        Files.move(part, dir.resolve(a.file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * {@return the makedumpfile that writes this optional dump (samples/makedumpfile-tools.sh, run
     * once per Lab into the lab's tools/ directory); empty, with the reason reported once, when there is none}
     */
    private Optional<Path> makedumpfile(Artifact a, Consumer<String> progress) throws InterruptedException {
        String tool = tools(progress).get(a.compression());
        return tool == null ? Optional.empty() : Optional.of(Path.of(tool));
    }

    /** {@return the makedumpfile for the -d 31 dumps: the kernel's own suite's where it is not this machine's} */
    private String d31Makedumpfile(Consumer<String> progress) throws InterruptedException {
        return tools(progress).getOrDefault("suite", "makedumpfile");
    }

    /** {@return the tools samples/makedumpfile-tools.sh provides, by kind ("zstd", "snappy", "suite"); run once per Lab} */
    private java.util.Map<String, String> tools(Consumer<String> progress) throws InterruptedException {
        if (tools == null) {
            tools = new java.util.HashMap<>();
            toolsMissing = new java.util.HashMap<>();
            String out;
            try {
                List<String> cmd = new ArrayList<>(List.of(samples.resolve("makedumpfile-tools.sh").toString(), root.resolve("tools").toString()));
                Path suite = releaseDir().resolve("kernel").resolve("suite");
                if (Files.isRegularFile(suite)) {
                    cmd.add(Files.readString(suite).strip()); // that suite's own makedumpfile for the -d 31 dumps
                }
                out = runAllowingFailure(cmd);
            } catch (IOException | LabException e) {
                out = "zstd MISSING " + e.getMessage() + "\nsnappy MISSING " + e.getMessage();
            }
            for (String line : out.lines().toList()) {
                String[] w = line.split(" ", 3);
                if (w.length == 3 && w[1].equals("OK")) {
                    tools.put(w[0], w[2]);
                } else if (w.length == 3) {
                    toolsMissing.put(w[0], w[2]);
                }
            }
            toolsMissing.forEach((c, why) -> {
                if (REPORTED.add(c + why)) { // once per process, not once per Lab
                    progress.accept(c.equals("suite") ? "-d 31 dumps with this machine's makedumpfile: " + why
                            : "no " + c + " dumps: " + why);
                }
            });
        }
        return tools;
    }

    /** {@return why the lab writes no dump of this optional artifact, or null when it does} */
    public String whyMissing(Artifact a) throws InterruptedException {
        if (!a.optional() || makedumpfile(a, m -> { }).isPresent()) {
            return null;
        }
        return toolsMissing.getOrDefault(a.compression(), "no makedumpfile with " + a.compression());
    }

    private void convert(Path dir, Consumer<String> progress) throws LabException, InterruptedException {
        progress.accept(dir.getFileName() + ": makedumpfile -R, then -d 31 in zlib, lzo and uncompressed");
        run("makedumpfile -R", List.of("sh", "-c", "makedumpfile -R \"$1\" < \"$2\"", "sh",
                dir.resolve(Artifact.KDUMP.file).toString(), dir.resolve(Artifact.KDUMP_FLAT.file).toString()));
        // makedumpfile 1.7.2 needs the program headers at offset 64 and cannot filter QEMU's
        // diskdump (no utsname); it gets a copy of the ELF with the headers moved.
        Path fixed = dir.resolve("vmcore.elf-phdrs-at-64");
        try {
            QemuElfHeader.writeWithPhdrsAt64(dir.resolve(Artifact.ELF.file), fixed);
        } catch (IOException e) {
            throw new LabException("rewrite the ELF header for makedumpfile", e.getMessage());
        } catch (DumpFormatException e) {
            throw new LabException("read the ELF dump", e.getMessage());
        }
        String in = fixed.toString();
        // the kernel's own suite's makedumpfile where it is not this machine's: bookworm's 1.7.2
        // drops slab pages in use on 6.12 kernels (its page-type logic predates them)
        String mdf = d31Makedumpfile(progress);
        try {
            run("makedumpfile -c -d 31", List.of(mdf, "-c", "-d", "31", in, dir.resolve(Artifact.D31_ZLIB.file).toString()));
            run("makedumpfile -l -d 31", List.of(mdf, "-l", "-d", "31", in, dir.resolve(Artifact.D31_LZO.file).toString()));
            run("makedumpfile -d 31", List.of(mdf, "-d", "31", in, dir.resolve(Artifact.D31_RAW.file).toString()));
            for (Artifact a : Artifact.values()) {
                if (a.optional()) {
                    writeWithTool(a, fixed, dir, progress);
                }
            }
        } catch (IOException e) {
            throw new LabException("write " + dir, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(fixed);
            } catch (IOException e) {
                progress.accept("cannot remove " + fixed + ": " + e.getMessage());
            }
        }
    }

    /** {@return why a built scenario's console no longer passes the ground-truth check (built by an older lab), or null} */
    private static String storedIncompleteness(Scenario s, Path dir) {
        try {
            return GroundTruth.parse(Files.readString(dir.resolve(Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1)).incompleteness(s);
        } catch (IOException e) {
            return "cannot read " + dir.resolve(Artifact.CONSOLE.file) + ": " + e.getMessage();
        }
    }

    private static GroundTruth groundTruth(Scenario s, Path dir) throws LabException, IOException {
        String console = Files.readString(dir.resolve(Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
        GroundTruth gt = GroundTruth.parse(console);
        String missing = gt.incompleteness(s);
        if (missing != null) {
            throw new LabException("read the ground truth from console.log", missing);
        }
        return gt;
    }

    private void writeDerived(Scenario s, GroundTruth gt, Path dir) throws LabException, IOException {
        try (DumpFile elf = DumpFile.open(dir.resolve(Artifact.ELF.file))) {
            String info = elf.vmcoreinfo().orElseThrow(() -> new LabException("read VMCOREINFO",
                    "the ELF dump has no VMCOREINFO note (was qemu_fw_cfg loaded in the guest?)"));
            Files.writeString(dir.resolve(Artifact.VMCOREINFO.file), info);
        } catch (DumpFormatException e) {
            throw new LabException("read the ELF dump", e.getMessage());
        }
        JSON.writeValue(dir.resolve(Artifact.GROUND_TRUTH.file).toFile(), gt.toJson(s));
    }

    private String script(String step, List<String> args) throws LabException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(samples.resolve("lab.sh").toString());
        cmd.addAll(args);
        return run(step, cmd, java.util.Map.of("KDIVE_LAB_KERNEL", kernel, "KDIVE_LAB_ROOT", root.toString()));
    }

    private static String run(String step, List<String> cmd) throws LabException, InterruptedException {
        return run(step, cmd, java.util.Map.of());
    }

    private static String run(String step, List<String> cmd, java.util.Map<String, String> env) throws LabException, InterruptedException {
        try {
            Path err = Files.createTempFile("kdive-lab", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int rc = p.waitFor();
                if (rc != 0) {
                    List<String> lines = Files.readAllLines(err);
                    String why = lines.isEmpty() ? "exit status " + rc : lines.getLast();
                    throw new LabException(step, why.replaceFirst("^lab\\.sh: ", ""));
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new LabException(step, "cannot run " + cmd.getFirst() + ": " + e.getMessage());
        }
    }

    /** Runs a command and returns its standard output whatever its exit status (it reports through it). */
    private static String runAllowingFailure(List<String> cmd) throws LabException, InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new LabException("run " + cmd.getFirst(), e.getMessage());
        }
    }

    static void deleteTree(Path dir) throws LabException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new LabException("remove " + dir, e.getMessage());
        }
    }
}
