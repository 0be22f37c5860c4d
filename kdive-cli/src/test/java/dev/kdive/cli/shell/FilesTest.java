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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** files of the lab's file-holding process: the regular file, the pipe's two ends and the socket pair it logged. */
@Tag("lab")
class FilesTest {
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void filesListsTheRegularFilePipeAndSocketTheProcessOpened(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        JsonNode files = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("files");
        for (Lab.Artifact a : List.of(Lab.Artifact.ELF, Lab.Artifact.D31_ZLIB)) {
            try (Program p = Kernel.open(dir.resolve(a.file), Optional.empty())) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine("files " + files.path("pid").asText());
                assertThat(shell.failures()).isZero();
                Map<Integer, String[]> byFd = new HashMap<>();
                for (String line : w.toString().lines().skip(3).toList()) {
                    assertThat(line).as(a.file).doesNotStartWith("files: ");
                    String[] f = line.trim().split("\\s+");
                    byFd.put(Integer.parseInt(f[0]), f);
                }
                String[] regular = byFd.get(files.path("regular_fd").asInt());
                assertThat(regular[4]).isEqualTo("REG");
                assertThat(regular[5]).isEqualTo("/lab-file.txt"); // samples/userland/lab-user.c opens it
                String[] pipe = files.path("pipe_fds").asText().split(",");
                String[] in = byFd.get(Integer.parseInt(pipe[0]));
                String[] out = byFd.get(Integer.parseInt(pipe[1]));
                assertThat(in[4]).isEqualTo("FIFO");
                assertThat(in[3]).as("both ends of one pipe share its inode").isEqualTo(out[3]);
                assertThat(in[5]).matches("pipe:\\[\\d+]");
                String[] socket = files.path("socket_fds").asText().split(",");
                String[] s0 = byFd.get(Integer.parseInt(socket[0]));
                String[] s1 = byFd.get(Integer.parseInt(socket[1]));
                assertThat(s0[4]).isEqualTo("SOCK");
                assertThat(s1[4]).isEqualTo("SOCK");
                assertThat(s0[5]).matches("socket:\\[\\d+]").isNotEqualTo(s1[5]);
            }
        }
    }
}
