package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Inconsistent;
import dev.kdive.finding.Unavailable;
import dev.kdive.value.Hex;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The one mapper writes records mechanically: hex addresses, absent values, instants and findings. */
class JsonTest {
    record Sample(@Hex long address, @Hex Long missing, OptionalLong cpus, OptionalLong none, Optional<Instant> date,
                  Optional<String> panic, List<Finding> problems) {}

    @Test
    void recordsBecomeJsonComponentByComponent() throws Exception {
        Sample s = new Sample(0xffff_8880_0000_1000L, null, OptionalLong.of(2), OptionalLong.empty(),
                Optional.of(Instant.ofEpochSecond(1_700_000_000L)), Optional.empty(),
                List.of(new Unavailable("swap", "no swap_info"),
                        new Inconsistent("vm_area_struct ffff888001234000", 0xffff_8880_0123_4000L, "vm_mm ffff888002000000",
                                "vm_mm 0", List.of())));
        JsonNode n = Json.mapper().readTree(Json.mapper().writeValueAsString(s));
        assertThat(n.path("address").asText()).isEqualTo("0xffff888000001000");
        assertThat(n.has("missing")).as("null components are left out").isFalse();
        assertThat(n.path("cpus").asLong()).isEqualTo(2);
        assertThat(n.path("none").isNull()).isTrue();
        assertThat(n.path("date").asText()).isEqualTo("2023-11-14T22:13:20Z");
        JsonNode problems = n.path("problems");
        assertThat(problems.get(0).path("kind").asText()).isEqualTo("unavailable");
        assertThat(problems.get(0).path("severity").asText()).isEqualTo("limitation");
        assertThat(problems.get(1).path("kind").asText()).isEqualTo("data.inconsistent");
        assertThat(problems.get(1).path("address").asText()).isEqualTo("0xffff888001234000");
        assertThat(problems.get(1).path("summary").asText())
                .isEqualTo("vm_area_struct ffff888001234000: vm_mm 0, expected vm_mm ffff888002000000");
    }
}
