package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Truncated, mutated and random input: the parser never throws (it finds no report, or a partial one). */
class OopsFuzzTest {
    static List<String> texts() throws IOException {
        List<String> out = new ArrayList<>();
        out.add(OopsParserTest.resource("lab-slab-uaf.log"));
        out.add(OopsParserTest.resource("lab-soft-lockup.log"));
        Path corpus = Path.of("src/test/resources/oops/corpus");
        if (Files.isDirectory(corpus)) {
            try (Stream<Path> s = Files.list(corpus)) {
                for (Path p : s.sorted().toList()) {
                    out.add(Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return out;
    }

    @Test
    void everyPrefixOfEveryText() throws IOException {
        for (String t : texts()) {
            for (int n = 0; n <= t.length(); n += Math.max(1, t.length() / 400)) {
                String prefix = t.substring(0, n);
                parsesWithoutDroppingALine(prefix);
            }
        }
    }

    @Test
    void mutatedLines() throws IOException {
        Random rnd = new Random(7);
        String alphabet = " :[]<>()+/?#0123456789abcdefxRIPCODE\t\n\r\0-.!";
        for (String t : texts()) {
            for (int round = 0; round < 60; round++) {
                StringBuilder b = new StringBuilder(t);
                for (int k = 0; k < 30; k++) {
                    int at = rnd.nextInt(b.length() + 1);
                    switch (rnd.nextInt(4)) {
                        case 0 -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                        case 1 -> {
                            if (at < b.length()) {
                                b.deleteCharAt(at);
                            }
                        }
                        case 2 -> {
                            if (at < b.length()) {
                                b.setCharAt(at, (char) rnd.nextInt(0x300));
                            }
                        }
                        default -> {
                            int end = Math.min(b.length(), at + rnd.nextInt(200));
                            b.insert(rnd.nextInt(b.length() + 1), b.substring(at, end));
                        }
                    }
                }
                String s = b.toString();
                parsesWithoutDroppingALine(s);
            }
        }
    }

    @Test
    void randomBytes() {
        Random rnd = new Random(11);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[rnd.nextInt(20000)];
            rnd.nextBytes(b);
            parsesWithoutDroppingALine(b);
        }
        byte[] huge = new byte[1 << 20];
        java.util.Arrays.fill(huge, (byte) '[');
        parsesWithoutDroppingALine(huge);
        parsesWithoutDroppingALine("BUG: \n".repeat(10000));
        parsesWithoutDroppingALine("Call Trace:\n" + " foo+0x1/0x2\n".repeat(10000));
    }

    private static void parsesWithoutDroppingALine(byte[] log) {
        parsesWithoutDroppingALine(new String(log, StandardCharsets.UTF_8)); // as OopsParser.parse(byte[]) reads bytes
    }

    /** Parses, and fails on any line the parser dropped to an exception of its own (which users never see). */
    private static void parsesWithoutDroppingALine(String log) {
        List<RuntimeException> dropped = new ArrayList<>();
        assertThatCode(() -> OopsParser.parse(log, dropped::add)).doesNotThrowAnyException();
        if (!dropped.isEmpty()) {
            AssertionError e = new AssertionError("the parser dropped " + dropped.size() + " line(s) to its own exception", dropped.getFirst());
            throw e;
        }
    }
}
