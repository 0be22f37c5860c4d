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
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * struct, p and ptype on the slab-uaf dump read what the crash module logged before it crashed:
 * the kmalloc-192 cache's free-pointer offset and s->random, the crashing task's comm. With the
 * dump's own BTF only, and with the debug vmlinux (its .BTF for types, DWARF for variables).
 */
@Tag("lab")
class TypedShellTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theSlabCacheAndCrashingTaskReadAsTheModuleLoggedThem(boolean withVmlinux) throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        Optional<Path> vmlinux = withVmlinux ? Optional.of(lab.debuginfo(System.out::println)) : Optional.empty();
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), vmlinux)) {
            // kmalloc_caches[KMALLOC_NORMAL][2] is kmalloc-192 with 8-byte minimum alignment; checked by name.
            String name = ShellRun.ok(p, "p ((struct kmem_cache **)&kmalloc_caches)[2]->name");
            assertThat(name).contains("\"" + gt.path("module").path("cache").asText() + "\"");
            String addr = ShellRun.ok(p, "p ((struct kmem_cache **)&kmalloc_caches)[2]").replaceAll("(?s).*\\) (0x[0-9a-f]+).*", "$1");
            String members = ShellRun.ok(p, "struct kmem_cache.offset,random,size " + addr);
            assertThat(members).contains("  offset = " + gt.path("module").path("free_pointer_offset").asText() + ",")
                    .contains("  random = " + Long.toUnsignedString(Long.parseUnsignedLong(gt.path("module").path("random").asText().substring(2), 16)) + ",")
                    .contains("  size = " + gt.path("module").path("object_size").asText() + ",");
            int cpu = gt.path("crashing").path("cpu").asInt();
            // the per-cpu current task: current_task up to 6.1, pcpu_hot.current_task from 6.2 (arch/x86/include/asm/current.h)
            boolean own = p.symbols().lookup("current_task").isPresent();
            assertThat(ShellRun.ok(p, own ? "p ((struct task_struct *)current_task:" + cpu + ")->comm" : "p pcpu_hot:" + cpu + ".current_task->comm"))
                    .startsWith("$1 = \"" + gt.path("crashing").path("comm").asText() + "\"");
            assertThat(ShellRun.ok(p, "ptype struct list_head")).isEqualTo("type = struct list_head {\n    struct list_head *next;\n"
                    + "    struct list_head *prev;\n}\n");
            assertThat(ShellRun.ok(p, "struct -o kmem_cache")).containsPattern("\\n    \\[0x[0-9a-f]+\\] unsigned int offset;\\n");
            String task = ShellRun.ok(p, "task");
            assertThat(task.lines().findFirst().orElseThrow()).matches("PID: " + gt.path("crashing").path("pid").asText()
                    + " +TASK: [0-9a-f]+ +CPU: " + cpu + " +COMMAND: \"" + gt.path("crashing").path("comm").asText() + "\"");
            assertThat(task).contains("\n  comm = \"" + gt.path("crashing").path("comm").asText() + "\"");
            if (withVmlinux) { // DWARF knows the variables' types
                assertThat(ShellRun.ok(p, "p init_uts_ns.name.release")).startsWith("$1 = \"" + gt.path("release").asText() + "\"");
            }
        }
    }
}
