package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * analyze --html on the slab-uaf dump with its debug vmlinux, opened in headless Chromium (Debian's
 * chromium, which ./kdive test installs): the DOM it builds holds the verdict, the freelist picture,
 * the stack with source lines and the log excerpt; a screenshot is kept under target/.
 */
@Tag("lab")
class AnalyzeHtmlBrowserTest {
    @Test
    void thePageRendersInChromiumWithItsVerdictPictureAndSourceLines() throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        Path vmlinux = lab.debuginfo(System.out::println);
        JsonNode m = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        Path html = target.resolve("analyze-slab-uaf.html");
        CliRun.ok("analyze", "--vmlinux", vmlinux.toString(), "--html", html.toString(), dir.resolve(Lab.Artifact.D31_ZLIB.file).toString());
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page).contains("<svg class=\"freelist\"").contains(Long.toHexString(Long.parseUnsignedLong(
                m.path("decoded_pointer").asText().substring(2), 16)));
        assertThat(page).as("the exception frame's source line, from the vmlinux's DWARF").containsPattern("mm/slub\\.c:\\d+");

        Path png = target.resolve("analyze-slab-uaf.png");
        Files.deleteIfExists(png);
        String dom = chromium(List.of("--dump-dom", html.toUri().toString()));
        chromium(List.of("--screenshot=" + png, "--window-size=1280,2400", html.toUri().toString()));
        assertThat(dom).contains("SLUB free-pointer corruption").contains("culprit").contains(m.path("cache").asText())
                .contains("<svg class=\"freelist\"").contains("Kernel panic - not syncing");
        assertThat(png).isNotEmptyFile();
        byte[] head = Files.readAllBytes(png);
        assertThat(head[1] == 'P' && head[2] == 'N' && head[3] == 'G').as("a PNG").isTrue();
        assertThat(head.length).as("a page with something on it").isGreaterThan(20_000);
    }

    /** {@return what headless Chromium printed} for one run on a file URL, sandbox off (root in CI), no network. */
    private static String chromium(List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory("kdive-chromium")));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as("chromium " + args).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
