package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** --json: one JSON object per command and line, with the same facts as the text. */
@Tag("lab")
class JsonOutputTest {
    @Test
    void everyCommandPrintsOneJsonObjectPerLine() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        String marker = gt.path("markers").get(0).path("address").asText().substring(2);
        String pid = gt.path("markers").get(0).path("pid").asText();
        List<String> commands = List.of("sys", "rd -a linux_banner", "rd -64 jiffies_64 2", "vtop _stext", "ptov 1000000",
                "sym init_uts_ns", "mod", "struct list_head", "whatis pid_t", "ptype struct upid", "p &init_uts_ns",
                "rd -c " + pid + " -a " + marker, "nosuchcommand");
        PrintStream saved = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.commandLine().execute(dir.resolve(Lab.Artifact.ELF.file).toString(), "--json", "-c", String.join("; ", commands));
        } finally {
            System.setOut(saved);
        }
        assertThat(status).as("an unknown command makes the exit status 1").isEqualTo(1);
        List<String> lines = o.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(commands.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = json.readTree(lines.get(i));
            assertThat(n.path("command").asText()).isEqualTo(commands.get(i));
            assertThat(n.has("result") || n.has("error")).as(lines.get(i)).isTrue();
        }
        assertThat(json.readTree(lines.get(0)).path("result").path("release").asText()).isEqualTo(gt.path("release").asText());
        assertThat(json.readTree(lines.get(3)).path("result").get(0).path("region").asText()).isEqualTo("kernel image");
        assertThat(json.readTree(lines.get(6)).path("result").path("modules").size()).isGreaterThanOrEqualTo(4);
        assertThat(json.readTree(lines.get(11)).path("result").path("rows").get(0).path("text").asText())
                .isEqualTo(gt.path("markers").get(0).path("text").asText());
        assertThat(json.readTree(lines.get(12)).path("error").asText()).contains("command not found");
    }

    @Test
    void taskStackAndTypeCommandsGiveStructuredFields() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        String pid = gt.path("markers").get(0).path("pid").asText();
        List<String> commands = List.of("bt", "bt -a", "task", "foreach " + pid + " bt", "ps -t " + pid, "ps -a " + pid, "p &init_uts_ns",
                "p *(struct uts_namespace *)&init_uts_ns", "whatis pid_t", "whatis struct upid", "ptype struct upid", "set " + pid);
        PrintStream saved = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.commandLine().execute(dir.resolve(Lab.Artifact.ELF.file).toString(), "--json", "-c", String.join("; ", commands)))
                    .isZero();
        } finally {
            System.setOut(saved);
        }
        List<JsonNode> results = new java.util.ArrayList<>();
        for (String line : o.toString(StandardCharsets.UTF_8).lines().toList()) {
            JsonNode n = new ObjectMapper().readTree(line);
            assertThat(n.has("result")).as(line).isTrue();
            assertThat(n.path("result").has("text") && n.path("result").size() == 1).as("only text: %s", line).isFalse();
            results.add(n.path("result"));
        }
        assertThat(results).hasSize(commands.size());
        JsonNode bt = results.get(0);
        assertThat(bt.path("task").path("pid").asInt()).isEqualTo(gt.path("crashing").path("pid").asInt());
        assertThat(bt.path("task").path("address").asText()).startsWith("0xffff");
        assertThat(bt.path("frames").get(0).path("function").asText()).isNotEmpty();
        assertThat(bt.path("frames").get(0).path("ip").asText()).startsWith("0xffffffff");
        assertThat(results.get(1).isArray()).isTrue();
        assertThat(results.get(2).path("fields").path("comm").asText()).isEqualTo(bt.path("task").path("comm").asText());
        assertThat(results.get(2).path("fields").path("pid").asInt()).isEqualTo(bt.path("task").path("pid").asInt());
        assertThat(results.get(3).path("task").path("pid").asText()).isEqualTo(pid);
        assertThat(results.get(4).get(0).path("times").path("startTime").asLong()).isPositive();
        JsonNode args = results.get(5).get(0).path("arguments");
        assertThat(args.path("kernelThread").asBoolean()).isFalse();
        assertThat(args.path("arguments").path("strings").get(0).asText()).isNotEmpty();
        assertThat(results.get(6).path("value").asText()).isEqualTo(results.get(7).path("address").asText()); // &x is where *x lives
        assertThat(results.get(6).has("address")).as("a computed value lives nowhere").isFalse();
        assertThat(results.get(7).path("value").path("name").path("release").asText()).isEqualTo(gt.path("release").asText());
        assertThat(results.get(7).path("address").asText()).startsWith("0xffffffff");
        assertThat(results.get(8).path("kind").asText()).isEqualTo("typedef");
        assertThat(results.get(8).path("size").asInt()).isEqualTo(4);
        assertThat(results.get(9).path("kind").asText()).isEqualTo("struct");
        assertThat(results.get(10).path("members").get(0).path("name").asText()).isEqualTo("nr");
        assertThat(results.get(11).path("task").path("pid").asText()).isEqualTo(pid);
        assertThat(results.get(11).path("state").asText()).startsWith("TASK_");
    }

    @Test
    void infoGivesTheDumpSummaryAsData() throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        JsonNode elf = new ObjectMapper().readTree(CliRun.ok("info", "--json", dir.resolve(Lab.Artifact.ELF.file).toString()));
        assertThat(elf.path("release").asText()).isEqualTo(gt.path("release").asText());
        assertThat(elf.path("pages").path("present").asLong()).isPositive();
        assertThat(elf.has("compression")).isFalse();
        JsonNode d31 = new ObjectMapper().readTree(CliRun.ok("info", "--json", dir.resolve(Lab.Artifact.D31_LZO.file).toString()));
        assertThat(d31.path("compression").asText()).isEqualTo("lzo");
        assertThat(d31.path("dumpLevel").asInt()).isEqualTo(31);
        assertThat(d31.path("pages").path("excluded").asLong()).isPositive();
        assertThat(CliRun.ok("info", dir.resolve(Lab.Artifact.D31_LZO.file).toString())).contains("COMPRESSION: lzo, dump level 31");
    }
}
