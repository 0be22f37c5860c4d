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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code rd -u} at the marker page the crashing process (lab-trigger) mapped: the marker text on
 * dumps that kept user pages, the excluded-page reason on makedumpfile -d 31 dumps.
 */
@Tag("lab")
class UserMemoryTest {
    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"SLAB_UAF", "NULL_DEREF", "PANIC", "SOFT_LOCKUP"})
    void rdUserReadsTheCrashingProcesssMarkerOrSaysItWasExcluded(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        JsonNode marker = null;
        for (JsonNode m : gt.path("markers")) {
            if (m.path("pid").asText().equals(gt.path("crashing").path("pid").asText())) {
                marker = m;
            }
        }
        assertThat(marker).as("the crashing process logged a marker").isNotNull();
        String address = marker.path("address").asText();
        for (Lab.Artifact a : Lab.Artifact.values()) {
            if (!a.isDump() || !Files.exists(dir.resolve(a.file))) {
                continue;
            }
            try (Program p = Kernel.open(dir.resolve(a.file), Optional.empty())) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine("rd -u -a " + address);
                String out = w.toString();
                if (a.file.contains("d31")) {
                    assertThat(out).as(a.file).startsWith("rd: user virtual address " + address.substring(2)
                            + ": page excluded by makedumpfile -d 31 (physical ");
                } else {
                    assertThat(out).as(a.file).isEqualTo(String.format("%16s:  %s%n", address.substring(2), marker.path("text").asText()));
                }
                assertThat(shell.failures()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"SLAB_UAF", "HUNG_TASK", "BUG"})
    void rdWithAPidReadsEachProcesssMarkerThroughItsMm(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        for (String file : java.util.List.of(Lab.Artifact.KDUMP.file, Lab.Artifact.D31_LZO.file)) {
            try (Program p = Kernel.open(dir.resolve(file), Optional.empty())) {
                int checked = 0;
                for (JsonNode m : gt.path("markers")) {
                    StringWriter w = new StringWriter();
                    Shell shell = new Shell(p, new PrintWriter(w), false);
                    String address = m.path("address").asText().substring(2);
                    shell.runLine(checked % 2 == 0 ? "rd -c " + m.path("pid").asText() + " -a " + address
                            : "set " + m.path("pid").asText() + "; rd -u -a " + address); // the set context as well as -c
                    if (checked % 2 == 1) {
                        String out = w.toString();
                        assertThat(out).startsWith("    PID: " + m.path("pid").asText() + "\n");
                        w.getBuffer().delete(0, out.indexOf("  STATE: ") + out.substring(out.indexOf("  STATE: ")).indexOf('\n') + 1);
                    }
                    assertThat(shell.failures()).as(w.toString()).isZero();
                    if (file.contains("d31")) {
                        assertThat(w.toString()).startsWith("rd: user virtual address " + address + ": page excluded by makedumpfile -d 31");
                    } else {
                        assertThat(w.toString()).isEqualTo(String.format("%16s:  %s%n", address, m.path("text").asText()));
                    }
                    checked++;
                }
                assertThat(checked).isGreaterThanOrEqualTo(3);
            }
        }
    }
}
