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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code bt -f} and {@code log -T} against crash on the same dump, {@code foreach bt} over every
 * task, {@code ps -a}/{@code -t} of the lab's processes.
 */
@Tag("lab")
class BtFramesTest {
    private static final Pattern FRAME = Pattern.compile("^ ?#\\d+ (\\[[0-9a-f]+\\] \\S+ at [0-9a-f]+)");


    /** Each frame ("[SP] func at IP") and the stack words printed under it. */
    private static Map<String, List<String>> frames(String bt) {
        Map<String, List<String>> frames = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : bt.lines().toList()) {
            Matcher m = FRAME.matcher(line);
            if (m.find()) {
                current = new ArrayList<>();
                frames.put(m.group(1), current);
            } else if (current != null && line.matches("^    [0-9a-f]+: [0-9a-f ]+$")) {
                current.add(line.strip());
            } else {
                current = null;
            }
        }
        return frames;
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"HUNG_TASK", "SLAB_UAF", "SOFT_LOCKUP"})
    void btFrameDataAndLogTimesEqualCrash(Scenario s) throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(s, System.out::println).resolve(Lab.Artifact.ELF.file);
        CrashReference.Transcript t = CrashReference.transcript(lab, s, dump);
        List<String> crash = List.of(t.of("bt -f"), t.of("log -T"));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            Map<String, List<String>> theirs = frames(crash.get(0));
            Map<String, List<String>> ours = frames(ShellRun.ok(p, "bt -f"));
            assertThat(theirs).hasSizeGreaterThanOrEqualTo(3);
            int compared = 0;
            List<String> keys = new ArrayList<>(theirs.keySet());
            List<String> ourKeys = new ArrayList<>(ours.keySet());
            for (int i = 0; i < keys.size() - 1; i++) { // crash's last frame has no words under it
                String frame = keys.get(i);
                int j = ourKeys.indexOf(frame);
                // A frame's words run up to the next frame: compared where both tools agree on that next frame.
                if (j >= 0 && j + 1 < ourKeys.size() && ourKeys.get(j + 1).equals(keys.get(i + 1))) {
                    assertThat(ours.get(frame)).as(s + " " + frame).isEqualTo(theirs.get(frame));
                    compared++;
                }
            }
            assertThat(compared).as("frames of crash's bt -f also in kdive's: " + theirs.keySet() + " / " + ours.keySet())
                    .isGreaterThanOrEqualTo(Math.min(5, keys.size() - 1)); // crash adds stale frames past do_syscall_64 that ORC rightly skips
            List<String> log = ShellRun.ok(p, "log -T").lines().map(String::stripTrailing).toList();
            assertThat(log).hasSizeGreaterThan(300).isEqualTo(crash.get(1).stripTrailing().lines().map(String::stripTrailing).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"HUNG_TASK", "PANIC"})
    void foreachBtCoversEveryTaskAndPsShowsArgumentsAndTimes(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.ELF.file), Optional.empty())) {
            long tasks = ShellRun.ok(p, "ps").lines().skip(1).count();
            String all = ShellRun.ok(p, "foreach bt");
            assertThat(all.lines().filter(l -> l.startsWith("PID: ")).count()).isEqualTo(tasks);
            assertThat(all).doesNotContain("bt: stopped");
            for (JsonNode m : gt.path("markers")) {
                String pid = m.path("pid").asText();
                String one = ShellRun.ok(p, "foreach " + pid + " bt");
                assertThat(one.lines().filter(l -> l.startsWith("PID: ")).toList()).singleElement().asString().startsWith("PID: " + pid + " ");
                String args = ShellRun.ok(p, "ps -a " + pid);
                assertThat(args).contains("ARG: /bin/lab-user " + m.path("role").asText()).contains("kdive_scenario=" + s.id());
                String times = ShellRun.ok(p, "ps -t " + pid);
                Matcher t = Pattern.compile("START TIME: (\\d+)\\.\\d{6}").matcher(times);
                assertThat(t.find()).as(times).isTrue();
                assertThat(times).containsPattern("RUN TIME: \\d\\d:\\d\\d:\\d\\d");
            }
            if (s == Scenario.HUNG_TASK) {
                String blocked = ShellRun.ok(p, "foreach UN bt");
                assertThat(blocked).contains("COMMAND: \"lab-trigger\"").contains("schedule_timeout");
            }
        }
    }
}
