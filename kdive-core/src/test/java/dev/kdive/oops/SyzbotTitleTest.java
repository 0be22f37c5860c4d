package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SyzbotTitleTest {
    /** The hand-written frame reader answers as the conventions' frame pattern does, on every line of the corpus. */
    @Test
    void frameNameReadsAsThePatternDoes() throws IOException {
        int lines = 0;
        int frames = 0;
        try (Stream<Path> s = Stream.concat(Files.list(OopsCorpusTest.CORPUS), Files.list(OopsCorpusTest.SYZBOT))) {
            for (Path p : s.toList()) {
                for (String l : new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n")) {
                    Matcher m = SyzbotTitle.FRAME.matcher(l);
                    String expected = m.lookingAt() ? m.group(1) : null;
                    assertThat(SyzbotTitle.frameName(l)).as(l).isEqualTo(expected);
                    lines++;
                    frames += expected == null ? 0 : 1;
                }
            }
        }
        assertThat(frames).isGreaterThan(10_000).isLessThan(lines);
        for (String l : new String[] {"[<0x12>] foo+0x1/0x2", "[<ffffffff81000000>] [<ffffffff81000001>] bar.isra.0+0x1/0x2",
                "[0xab] ? baz+0x1", " [<ffff>]foo+0x1", "[<0xzz>] foo+1", "foo bar+0x1", "[<ffff>] [<ffff>] [<ffff>] foo+0x1"}) {
            Matcher m = SyzbotTitle.FRAME.matcher(l);
            assertThat(SyzbotTitle.frameName(l)).as(l).isEqualTo(m.lookingAt() ? m.group(1) : null);
        }
    }
}
