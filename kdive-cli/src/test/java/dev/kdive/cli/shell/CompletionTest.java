package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.kernel.Kernel;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** TAB at the prompt, answered from the slab-uaf dump's own kallsyms, BTF and task list. */
@Tag("lab")
class CompletionTest {
    @Test
    void completesCommandsFlagsSymbolsTypesMembersAndTasks() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        JsonNode crashing = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("crashing");
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            Completion c = new Completion(p, new Shell(p, new PrintWriter(new StringWriter()), false).commands());
            assertThat(c.candidates(List.of(), "km")).containsExactly("kmem");
            assertThat(c.candidates(List.of(), "")).contains("bt", "help", "q", "struct", "sys");
            assertThat(c.candidates(List.of("help"), "fo")).containsExactly("foreach");
            assertThat(c.candidates(List.of("kmem"), "-")).containsExactly("-F", "-S", "-V", "-f", "-h", "-i", "-n", "-o", "-p", "-s", "-v", "-z");
            assertThat(c.candidates(List.of("kmem", "-S"), "kmalloc-19")).containsExactly("kmalloc-192");
            assertThat(c.candidates(List.of("kmem"), "kmalloc-19")).isEmpty(); // kmem ADDR: an address or symbol

            assertThat(c.candidates(List.of("struct"), "kmem_c")).contains("kmem_cache", "kmem_cache_cpu", "kmem_cache_node")
                    .allMatch(n -> n.startsWith("kmem_c"));
            assertThat(c.candidates(List.of("struct", "-o"), "kmem_cache.na")).containsExactly("kmem_cache.name");
            // struct page keeps flags outside its unions, and lru inside an anonymous union's struct
            assertThat(c.candidates(List.of("struct"), "page.")).contains("page.flags", "page.lru", "page._refcount");
            assertThat(c.candidates(List.of("union"), "kmem_c")).isEmpty(); // kmem_cache is a struct
            assertThat(c.candidates(List.of("ptype", "struct"), "list_h")).containsExactly("list_head");
            assertThat(c.candidates(List.of("whatis"), "stru")).contains("struct"); // and symbols: struct_ops is one

            assertThat(c.candidates(List.of("sym"), "schedule_tim")).contains("schedule_timeout", "schedule_timeout_idle");
            assertThat(c.candidates(List.of("dis"), "*(schedule_timeout_id")).containsExactly("*(schedule_timeout_idle");
            assertThat(c.candidates(List.of("rd", "-a"), "linux_ban")).containsExactly("linux_banner");

            String pid = crashing.path("pid").asText();
            assertThat(c.candidates(List.of("bt"), "")).contains("1", pid, crashing.path("comm").asText());
            assertThat(c.candidates(List.of("set"), pid)).contains(pid);
            assertThat(c.candidates(List.of("sys"), "")).isEmpty(); // sys takes no arguments
        }
    }
}
