package dev.kdive.cli.shell;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ps against drgn 0.0.22's for_each_task on the same dump (crash 8.0.2 lists 4 of the tasks on
 * this kernel), on every format kdive reads, and against what the lab knows of the crash.
 */
@Tag("lab")
class PsTest {
    private static final String DRGN_SCRIPT = """
            from drgn.helpers.linux.pid import for_each_task
            for t in for_each_task(prog):
                print(t.pid.value_(), t.comm.string_().decode())
            """;

    /** drgn's task list of a dump (it reads the makedumpfile files, not QEMU's ELF), kept beside the dump. */
    private static TreeSet<String> drgnTasks(Path dump, Path vmlinux) throws Exception {
        Path cache = dump.resolveSibling(".drgn").resolve(dump.getFileName() + ".tasks.txt");
        if (!Files.isRegularFile(cache)) {
            Files.createDirectories(cache.getParent());
            Path script = Files.writeString(Files.createTempFile("kdive-drgn", ".py"), DRGN_SCRIPT);
            Path part = Files.createTempFile(cache.getParent(), "drgn", ".part");
            Process p = new ProcessBuilder("drgn", "-q", "-c", dump.toString(), "-s", vmlinux.toString(), script.toString())
                    .redirectErrorStream(true).redirectOutput(part.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(part)).isZero();
            Files.move(part, cache, StandardCopyOption.ATOMIC_MOVE);
        }
        return new TreeSet<>(Files.readAllLines(cache, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void psListsTheTasksDrgnListsOnEveryFormat(Scenario s) throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(s, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        TreeSet<String> drgn = drgnTasks(dir.resolve(Lab.Artifact.D31_ZLIB.file), lab.debuginfo(System.out::println));
        assertThat(drgn).hasSizeGreaterThan(40);
        for (Lab.Artifact a : List.of(Lab.Artifact.ELF, Lab.Artifact.KDUMP_FLAT, Lab.Artifact.D31_LZO)) {
            try (Program p = Kernel.open(dir.resolve(a.file), Optional.empty())) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine("ps");
                assertThat(shell.failures()).isZero();
                List<String> rows = w.toString().lines().skip(1).toList();
                assertThat(rows).noneMatch(r -> r.startsWith("ps: "));
                TreeSet<String> ours = new TreeSet<>();
                String crashing = null;
                for (String r : rows) {
                    // PID PPID CPU TASK ST %MEM VSZ RSS COMM: a comm may hold blanks (the lab's "<img src=x oner")
                    String[] f = r.substring(1).trim().split("\\s+", 9);
                    String comm = f[8].replaceAll("^\\[(.*)]$", "$1");
                    if (!f[0].equals("0")) {
                        ours.add(f[0] + " " + comm);
                    }
                    if (r.startsWith(">") && f[2].equals(gt.path("crashing").path("cpu").asText())) {
                        crashing = f[0];
                    }
                    if (s == Scenario.HUNG_TASK && comm.equals("lab-trigger")) {
                        assertThat(f[4]).as("the hung task victim's state").isEqualTo("UN");
                    }
                }
                assertThat(ours).as(a.file + ": pid and comm of every task").isEqualTo(drgn);
                assertThat(crashing).as(a.file + ": the task running on the panic CPU").isEqualTo(gt.path("crashing").path("pid").asText());
            }
        }
    }
}
