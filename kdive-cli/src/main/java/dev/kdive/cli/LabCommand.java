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

    @Command(name = "list", description = "Show every scenario, whether it is built, and its files.")
    static final class ListCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Lab lab = Lab.standard();
            System.out.printf("lab %s, kernel %s%n", lab.root(), lab.release());
            System.out.printf("%-13s %-6s %-12s %-36s %s%n", "SCENARIO", "STATE", "FORMATS", "CRASHED IN", "PANIC");
            for (Scenario s : Scenario.values()) {
                Path dir = lab.scenarioDir(s);
                Path gtFile = dir.resolve(Lab.Artifact.GROUND_TRUTH.file);
                if (!Files.isRegularFile(gtFile)) {
                    System.out.printf("%-13s %-6s %-12s %-36s %s%n", s.id(), "-", "-", "-", s.description());
                    continue;
                }
                JsonNode gt = new ObjectMapper().readTree(gtFile.toFile());
                int dumps = 0;
                int present = 0;
                for (Lab.Artifact a : Lab.Artifact.values()) {
                    if (a.isDump()) {
                        dumps++;
                        if (Files.isRegularFile(dir.resolve(a.file))) {
                            present++;
                        }
                    }
                }
                System.out.printf("%-13s %-6s %-12s %-36s %s%n", s.id(), "built", present + "/" + dumps + " dumps",
                        gt.path("crashing").path("rip").asText(gt.path("module").path("provoker").asText("?")), gt.path("panic").asText("?"));
            }
            return 0;
        }
    }

    @Command(name = "build", description = "Build scenarios (all when none is named); built ones are reused.")
    static final class BuildCommand implements Callable<Integer> {
        @Parameters(paramLabel = "SCENARIO", arity = "0..*", description = "panic null-deref bug slab-uaf double-free list-corrupt soft-lockup hung-task")
        List<String> names = new ArrayList<>();

        @Option(names = "--with-debuginfo", description = "Also fetch the debug vmlinux (vmlinux only, 633 MB, from the -dbg package).")
        boolean debuginfo;

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
            Lab lab = Lab.standard();
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
