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
import org.junit.jupiter.params.provider.EnumSource;

/** vm of every lab user process: the maple tree gives the marker page's VMA and the program's own mapping. */
@Tag("lab")
class VmTest {
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void vmFindsEachProcesssMarkerPageAndProgram(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            int checked = 0;
            for (JsonNode m : gt.path("markers")) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine("vm " + m.path("pid").asText());
                assertThat(shell.failures()).isZero();
                long marker = Long.parseUnsignedLong(m.path("address").asText().substring(2), 16);
                boolean covered = false;
                boolean program = false;
                for (String line : w.toString().lines().skip(4).toList()) {
                    assertThat(line).as(w.toString()).doesNotStartWith("vm: ");
                    String[] f = line.trim().split("\\s+");
                    long start = Long.parseUnsignedLong(f[1], 16);
                    long end = Long.parseUnsignedLong(f[2], 16);
                    covered |= Long.compareUnsigned(marker, start) >= 0 && Long.compareUnsigned(marker, end) < 0;
                    program |= f.length > 4 && f[4].equals("/bin/lab-user"); // samples/init.sh installs it there
                }
                assertThat(covered).as("pid %s: a VMA covers the marker %s", m.path("pid").asText(), m.path("address").asText()).isTrue();
                assertThat(program).as("pid %s maps /bin/lab-user", m.path("pid").asText()).isTrue();
                checked++;
            }
            assertThat(checked).isGreaterThanOrEqualTo(3);
        }
    }
}
