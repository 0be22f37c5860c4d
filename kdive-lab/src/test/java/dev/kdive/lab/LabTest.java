package dev.kdive.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabTest {
    @Test
    void aMissingLabScriptNamesTheStepAndTheCause(@TempDir Path tmp) {
        Lab lab = new Lab(tmp.resolve("lab"), tmp.resolve("no-samples-here"), "");
        assertThatThrownBy(lab::release).isInstanceOf(LabException.class)
                .hasMessageStartingWith("find Debian's kernel release: cannot run " + tmp.resolve("no-samples-here/lab.sh"));
    }

    @Test
    void scenarioNamesAreTheModules() throws Exception {
        String module = Files.readString(Path.of(System.getProperty("kdive.home"), "samples/crashmod/kdive_lab.c"));
        for (Scenario s : Scenario.values()) {
            assertThat(module).contains("{ \"" + s.id() + "\", ");
        }
        assertThat(Scenario.byId("meltdown")).isEmpty();
    }

    @Test
    @Tag("lab")
    void aConsoleLogCutBeforeThePanicIsIncomplete() throws Exception {
        Path dir = Lab.standard().build(Scenario.NULL_DEREF, System.out::println);
        String console = Files.readString(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
        String cut = console.substring(0, console.indexOf("BUG: kernel NULL pointer dereference"));
        assertThat(GroundTruth.parse(console).incompleteness(Scenario.NULL_DEREF)).isNull();
        assertThat(GroundTruth.parse(cut).incompleteness(Scenario.NULL_DEREF))
                .isEqualTo("no \"Kernel panic - not syncing\" line");
        assertThat(GroundTruth.parse(console).incompleteness(Scenario.BUG))
                .isEqualTo("the kdive_lab module never announced scenario bug");
        // every fact a test reads is required: the crashing process's marker, each module fact
        String noTrigger = console.replaceAll("(?m)^.*kdive-lab: marker role=trigger.*\\R", "");
        assertThat(GroundTruth.parse(noTrigger).incompleteness(Scenario.NULL_DEREF))
                .isEqualTo("the trigger process logged 0 markers, not 1");
        String noFact = console.replaceAll("(?m)^.*kdive-lab: gt fault_address=.*\\R", "");
        assertThat(GroundTruth.parse(noFact).incompleteness(Scenario.NULL_DEREF))
                .isEqualTo("the kdive_lab module did not log fault_address");
        String noRip = console.replaceAll("(?m)^.*RIP: 0010:.*\\R", "");
        assertThat(GroundTruth.parse(noRip).incompleteness(Scenario.NULL_DEREF)).isEqualTo("the oops has no RIP line");
        String otherPid = console.replaceAll("kdive-lab: gt pid=\\d+", "kdive-lab: gt pid=1");
        assertThat(GroundTruth.parse(otherPid).incompleteness(Scenario.NULL_DEREF)).startsWith("the trigger's marker (pid ");
    }

    @Test
    @Tag("lab")
    void everyBuiltScenarioHasTheWholeGroundTruth() throws Exception {
        Lab lab = Lab.standard();
        for (Scenario s : Scenario.values()) {
            Path dir = lab.build(s, System.out::println);
            String console = Files.readString(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
            assertThat(GroundTruth.parse(console).incompleteness(s)).as(s.id()).isNull();
            // what user space logs reaches the console through /dev/kmsg, as printk records: timestamped
            assertThat(console.lines().filter(l -> l.contains("kdive-lab: marker")))
                    .as(s.id()).hasSize(4).allMatch(l -> l.matches("^\\[ *\\d+\\.\\d+\\] kdive-lab: marker .*"));
        }
    }
}
