package dev.kdive.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real ELF with DWARF for the tests of the packages below the kernel: src/test/resources/c/points.c
 * built by this machine's gcc (-g -O2, with a build id), and binutils' answers about it.
 */
public final class CompiledProgram {
    private static Path built;

    private CompiledProgram() {
    }

    /** {@return the executable, built once per test run} */
    public static synchronized Path path() throws IOException, InterruptedException {
        if (built == null) {
            Path dir = Files.createTempDirectory("kdive-points");
            Path out = dir.resolve("points");
            run("gcc", "-g", "-O2", "-Wl,--build-id", "-o", out.toString(), Path.of("src/test/resources/c/points.c").toAbsolutePath().toString());
            built = out;
        }
        return built;
    }

    /** {@return what a tool printed (standard output); a tool that fails or is missing fails the test, naming it} */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is needed for this test (./kdive test installs binutils and gcc): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** {@return nm's address of a symbol} */
    public static long nm(String symbol) throws IOException, InterruptedException {
        for (String line : run("nm", path().toString()).lines().toList()) {
            List<String> f = List.of(line.trim().split("\\s+"));
            if (f.size() == 3 && f.get(2).equals(symbol)) {
                return Long.parseUnsignedLong(f.get(0), 16);
            }
        }
        throw new IOException("nm names no " + symbol);
    }
}
