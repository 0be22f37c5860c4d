package dev.kdive.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Platform hints on real kernel log lines from public reports (src/test/resources/triage/platform-lines.txt names each source). */
class PlatformHintTest {
    @Test
    void realLogLinesGetTheirKind() throws IOException {
        PlatformHint.Kind expected = null;
        int checked = 0;
        for (String line : Files.readAllLines(Path.of("src/test/resources/triage/platform-lines.txt"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("expect: ")) {
                expected = PlatformHint.Kind.valueOf(line.substring(8));
                continue;
            }
            List<PlatformHint> hints = PlatformHint.scan(line);
            assertThat(hints).as(line).hasSize(1);
            assertThat(hints.getFirst().kind()).as(line).isEqualTo(expected);
            assertThat(hints.getFirst().line()).isEqualTo(line.strip());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(PlatformHint.Kind.values().length);
    }

    @Test
    void ordinaryLinesAreNotHintsAndFloodsAreCapped() {
        assertThat(PlatformHint.scan("""
                [    0.000000] Linux version 6.1.0-57-amd64
                [    0.026582] DMAR-IR: Enabled IRQ remapping in x2apic mode
                [    1.234567] microcode: Microcode Update Driver: v2.2.
                """)).isEmpty();
        String flood = "[    4.1] ACPI Error: Aborting method \\_SB.X due to previous error (AE_NOT_FOUND)\n".repeat(20);
        assertThat(PlatformHint.scan(flood)).hasSize(3);
    }
}
