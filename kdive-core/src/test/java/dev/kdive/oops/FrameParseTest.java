package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FrameParseTest {
    /** {@return the frame the pattern reads at the line's start (the reference the hand-written reader follows), or null} */
    private static Frame byPattern(String line) {
        String t = line.strip();
        Matcher m = Frame.SYMBOLIC.matcher(t);
        if (!m.lookingAt()) {
            return null;
        }
        String rest = t.substring(m.end()).strip();
        if (!rest.isEmpty() && !rest.startsWith("(") && !rest.startsWith("from") && !rest.startsWith("[") && !Frame.SOURCE.matcher(rest).matches()) {
            return null;
        }
        return new Frame(m.group(1), Frame.parseHex(m.group(2)), m.group(3) == null ? 0 : Frame.parseHex(m.group(3)), m.group(4), 0, true, null, false);
    }

    @Test
    void theHandWrittenReaderAgreesWithThePatternOnEveryCorpusLine() throws IOException {
        int frames = 0;
        try (Stream<Path> s = Stream.concat(Files.list(OopsCorpusTest.CORPUS), Files.list(OopsCorpusTest.SYZBOT))) {
            for (Path p : s.toList()) {
                for (String l : new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n")) {
                    String t = l.strip();
                    if (t.startsWith("?") || t.startsWith("[")) {
                        continue; // prefixes the parser reads before the symbol
                    }
                    Frame expected = byPattern(l);
                    assertThat(Frame.parse(l, null)).as(l).isEqualTo(expected);
                    frames += expected == null ? 0 : 1;
                }
            }
        }
        assertThat(frames).isGreaterThan(10_000);
        for (String l : new String[] {"foo+0x1/0x2 [mod]", "foo+0x1/0x2 [mod 0123abcd]", "foo+0x1/0x2 [mod xyz]", "foo+0x1 [",
                "foo.cold+0x1f/0x20 fs/a.c:12", "foo+0x1/0x2 garbage", "$x+0xA/0xB", "foo+0x", "foo+0x1/0x", "foo+0x1/0xz"}) {
            assertThat(Frame.parse(l, null)).as(l).isEqualTo(byPattern(l));
        }
    }
}
