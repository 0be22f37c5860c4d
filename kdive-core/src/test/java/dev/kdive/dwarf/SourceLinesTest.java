package dev.kdive.dwarf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.elf.CompiledProgram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Source lines and inline chains of a real gcc -O2 build, against binutils' addr2line -f -i. */
class SourceLinesTest {
    @Test
    void everyAddressOfTotalMapsAsBinutilsMapsIt() throws Exception {
        long total = CompiledProgram.nm("total");
        try (DebugFile f = DebugFile.open(CompiledProgram.path()).orElseThrow()) {
            int inlined = 0;
            for (long a = total; a < total + 48; a++) {
                List<String> ours = new ArrayList<>();
                for (SourceLines.Frame frame : f.lines().frames(a)) {
                    ours.add(frame.function());
                    ours.add(frame.location().replaceFirst("^.*/", ""));
                }
                List<String> binutils = CompiledProgram.run("addr2line", "-f", "-i", "-e", CompiledProgram.path().toString(),
                        "0x" + Long.toHexString(a)).lines().map(l -> l.replaceFirst("^.*/", "")).toList();
                assertThat(ours).as("0x%x", a).isEqualTo(binutils);
                if (ours.contains("weigh")) {
                    inlined++;
                }
            }
            assertThat(inlined).as("addresses inside the inlined weigh()").isPositive();
        }
    }
}
