package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.cli.shell.Viewer;
import dev.kdive.kernel.Kernel;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kdive serve on the slab-uaf dump with its debug vmlinux, in headless Chromium driven by
 * ChromeDriver: from the analysis to the panic task's stack to a frame's disassembly, the task
 * table's filter and sort, and the lab's task named in markup shown as text with no script run.
 * Screenshots are kept under target/.
 */
@Tag("lab")
class ViewerBrowserTest {
    private static final String HOSTILE = "<img src=x onerror=alert(1)>"; // samples/init.sh starts a task of this name

    @Test
    void fromTheVerdictToThePanicStackToAFramesDisassembly() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        Path vmlinux = lab.debuginfo(System.out::println);
        JsonNode crashing = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("crashing");
        String function = crashing.path("rip").asText().replaceFirst("\\+.*", ""); // __kmem_cache_alloc_node+0x12e/0x2a0
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.of(vmlinux));
             Viewer viewer = Viewer.ofDump(dir.resolve(Lab.Artifact.D31_ZLIB.file).toString(), p, 0);
             Browser b = Browser.start()) {
            b.open(viewer.uri().toString());
            assertThat(b.text(b.find("h1#verdict"))).isEqualTo("SLUB free-pointer corruption");
            b.screenshot(target.resolve("viewer-analysis.png"));

            b.click(b.find("a#panic-task"));
            assertThat(b.url()).endsWith("/task");
            assertThat(b.text(b.find("main"))).contains("PID: " + crashing.path("pid").asText()).contains(crashing.path("comm").asText())
                    .containsPattern("mm/slub\\.c:\\d+"); // source lines from the vmlinux's DWARF
            b.screenshot(target.resolve("viewer-panic-task.png"));

            b.click(b.find("table.stack a[href^=\"/dis?fn=" + function + "&\"]"));
            assertThat(b.url()).contains("/dis?fn=" + function);
            assertThat(b.text(b.find("mark#at"))).startsWith("0x"); // the frame's faulting instruction, marked
            assertThat(b.text(b.find("pre.dis"))).containsPattern("mm/slub\\.c: \\d+"); // dis -l spells it as crash does
            b.screenshot(target.resolve("viewer-disassembly.png"));

            b.open(viewer.uri().resolve("/tasks").toString());
            int all = b.count("table.filterable tbody tr");
            b.type(b.find("#filter"), "lab-");
            int labTasks = b.count("table.filterable tbody tr:not(.hidden)");
            assertThat(labTasks).isBetween(4, all - 1); // sleeper, busy, files, trigger (and the pipe child)
            b.click(b.find("th:nth-child(2)")); // PID, ascending
            b.click(b.find("th:nth-child(2)")); // and descending
            JsonNode pids = b.script("return Array.from(document.querySelectorAll('tbody tr')).map(r => Number(r.cells[1].textContent))");
            for (int i = 1; i < pids.size(); i++) {
                assertThat(pids.get(i).asInt()).isLessThanOrEqualTo(pids.get(i - 1).asInt());
            }
            b.screenshot(target.resolve("viewer-tasks.png"));

            // The task named in markup: its name (cut to 15 bytes by the kernel) is text in the table
            b.clear(b.find("#filter"));
            b.type(b.find("#filter"), "<img");
            String comm = HOSTILE.substring(0, 15);
            assertThat(b.script("return Array.from(document.querySelectorAll('td.comm')).map(c => c.textContent)").toString()).contains(
                    new ObjectMapper().writeValueAsString(comm));
            assertThat(b.count("main img")).as("no element made from a task's name").isZero();
            String pid = b.script("return Array.from(document.querySelectorAll('tbody tr')).find(r => r.cells[9].textContent === "
                    + new ObjectMapper().writeValueAsString(comm) + ").cells[1].textContent").asText();
            b.open(viewer.uri().resolve("/task?pid=" + pid).toString());
            assertThat(b.text(b.find("main"))).contains(comm);
            assertThat(b.count("main img")).isZero();
            assertThat(b.alert()).as("an alert would mean the name ran as a script").isNull();
            b.screenshot(target.resolve("viewer-hostile-task.png"));
        }
    }

    @Test
    void onlyThisMachineAndOnlyReading() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty());
             Viewer viewer = Viewer.ofDump(dir.toString(), p, 0)) {
            HttpClient c = HttpClient.newHttpClient();
            URI u = viewer.uri();
            assertThat(u.getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> ok = c.send(HttpRequest.newBuilder(u.resolve("/tasks")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
            assertThat(c.send(HttpRequest.newBuilder(u.resolve("/tasks")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            assertThat(c.send(HttpRequest.newBuilder(u.resolve("/etc/passwd")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(404);
            assertThat(c.send(HttpRequest.newBuilder(u.resolve("/task?pid=1%3Cscript%3E")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("found \"1&lt;script&gt;\"").doesNotContain("1<script>");
            assertThat(c.send(HttpRequest.newBuilder(u.resolve("/sym?q=%3Cb%3Eschedule")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("&lt;b&gt;schedule").doesNotContain("<b>schedule");
        }
    }
}
