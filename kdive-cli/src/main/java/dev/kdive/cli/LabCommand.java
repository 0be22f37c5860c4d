package dev.kdive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.LabException;
import dev.kdive.lab.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kdive lab list|build}: the real crash dumps every test and demo runs on. */
@Command(name = "lab", description = "Build and list real crash dumps of Debian's kernel under QEMU.",
        subcommands = {LabCommand.ListCommand.class, LabCommand.BuildCommand.class})
final class LabCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "list", description = "Show each kernel the lab has built, every scenario, whether it is built, and its files.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--kernel", paramLabel = "SUITE|ABI", description = "The kernel a new build would take (default: this machine's suite).")
        String kernel;

        @Override
        public Integer call() throws Exception {
            Lab lab = Lab.standard(kernel != null ? kernel : System.getenv("KDIVE_LAB_KERNEL"));
            String current;
            try {
                current = lab.release();
            } catch (LabException e) {
                current = null;
                System.out.println("lab " + lab.root() + ": cannot ask apt for the current kernel (" + e.getMessage() + ")");
            }
            List<Lab.BuiltKernel> kernels = new ArrayList<>(lab.builtKernels());
            if (current != null) {
                System.out.printf("lab %s; %s's current kernel: %s%n", lab.root(),
                        lab.kernel().isEmpty() ? "this machine's suite" : lab.kernel(), current);
                String c = current;
                if (kernels.stream().noneMatch(k -> k.release().equals(c))) {
                    kernels.add(new Lab.BuiltKernel(current, lab.kernel().isEmpty() ? "-" : lab.kernel(), lab.root().resolve(current)));
                }
            }
            for (Lab.BuiltKernel k : kernels) {
                System.out.printf("%nkernel %s (%s)%s%n", k.release(), k.suite(), k.release().equals(current) ? ", current" : "");
                System.out.printf("%-13s %-6s %-12s %-40s %s%n", "SCENARIO", "STATE", "FORMATS", "CRASHED IN", "PANIC");
                java.util.Map<Lab.Artifact, List<String>> missing = new java.util.EnumMap<>(Lab.Artifact.class);
                for (Scenario s : Scenario.values()) {
                    Path dir = k.dir().resolve(s.id());
                    Path gtFile = dir.resolve(Lab.Artifact.GROUND_TRUTH.file);
                    if (!Files.isRegularFile(gtFile)) {
                        System.out.printf("%-13s %-6s %-12s %-40s %s%n", s.id(), "-", "-", "-", s.description());
                        continue;
                    }
                    JsonNode gt = new ObjectMapper().readTree(gtFile.toFile());
                    List<String> formats = new ArrayList<>();
                    int dumps = 0;
                    for (Lab.Artifact a : Lab.Artifact.values()) {
                        if (a.isDump()) {
                            dumps++;
                            if (Files.isRegularFile(dir.resolve(a.file))) {
                                formats.add(a.file.substring("vmcore.".length()));
                            }
                        }
                    }
                    System.out.printf("%-13s %-6s %-12s %-40s %s%n", s.id(), "built", formats.size() + "/" + dumps + " dumps",
                            gt.path("crashing").path("rip").asText(gt.path("module").path("provoker").asText("?")), gt.path("panic").asText("?"));
                    for (Lab.Artifact a : Lab.Artifact.values()) {
                        if (a.isDump() && !Files.isRegularFile(dir.resolve(a.file))) {
                            missing.computeIfAbsent(a, x -> new ArrayList<>()).add(s.id());
                        }
                    }
                }
                // a format missing everywhere has one reason (no tool for it): said once, not per scenario
                for (var e : missing.entrySet()) {
                    String why = lab.whyMissing(e.getKey());
                    System.out.printf("no %s in %s%s%n", e.getKey().file,
                            e.getValue().size() == Scenario.values().length ? "any scenario" : String.join(", ", e.getValue()),
                            why != null ? ": " + why : "");
                }
            }
            return 0;
        }
    }

    @Command(name = "build", description = "Build scenarios (all when none is named); built ones are reused.")
    static final class BuildCommand implements Callable<Integer> {
        @Parameters(paramLabel = "SCENARIO", arity = "0..*", description = "panic null-deref bug slab-uaf double-free slab-poison list-corrupt soft-lockup hung-task")
        List<String> names = new ArrayList<>();

        @Option(names = "--with-debuginfo", description = "Also fetch the debug vmlinux (vmlinux only, 633 MB, from the -dbg package).")
        boolean debuginfo;

        @Option(names = "--kernel", paramLabel = "SUITE|ABI",
                description = "Debian kernel to boot: bookworm, trixie, sid, bullseye (that suite's current linux-image-amd64) or an ABI such as 6.1.0-57-amd64; default: this machine's suite (or $KDIVE_LAB_KERNEL).")
        String kernel;

        @Override
        public Integer call() throws InterruptedException, IOException {
            List<Scenario> todo = new ArrayList<>();
            for (String n : names) {
                todo.add(Scenario.byId(n).orElseThrow(() -> new IllegalArgumentException(
                        "unknown scenario '" + n + "'; known: " + String.join(" ", Scenario.ids()))));
            }
            if (todo.isEmpty()) {
                todo.addAll(List.of(Scenario.values()));
            }
            Lab lab = Lab.standard(kernel != null ? kernel : System.getenv("KDIVE_LAB_KERNEL"));
            try {
                for (Scenario s : todo) {
                    lab.build(s, System.out::println);
                }
                if (debuginfo) {
                    System.out.println("debug vmlinux: " + lab.debuginfo(System.out::println));
                }
                return 0;
            } catch (LabException e) {
                System.err.println("kdive lab: " + e.getMessage());
                return 1;
            }
        }
    }
}
