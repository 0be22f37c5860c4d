package dev.kdive.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Hand-made LZO1X streams (lzo.rst); the decoder's real evidence is the lab's makedumpfile -l dumps. */
class Lzo1xTest {
    @Test
    void decodesInitialLiteralRunAndEndMarker() {
        byte[] out = new byte[8];
        int n = Lzo1x.decompress(new byte[] {21, 'a', 'b', 'c', 'd', 0x11, 0, 0}, out);
        assertThat(n).isEqualTo(4);
        assertThat(new String(out, 0, n)).isEqualTo("abcd");
    }

    @Test
    void decodesOverlappingMatchAsRepetition() {
        // 4 literals "abcd", then M3 (32..63): length 2+6=8, distance 4, then end.
        byte[] out = new byte[16];
        int n = Lzo1x.decompress(new byte[] {21, 'a', 'b', 'c', 'd', 32 + 6, (byte) (3 << 2), 0, 0x11, 0, 0}, out);
        assertThat(new String(out, 0, n)).isEqualTo("abcdabcdabcd");
    }

    @Test
    void decodesFarThreeByteMatchAfterLongLiteralRun() {
        // State 0, t=0: long literal run of 3 + 15 + 8*255 + 42 = 2100 bytes; then state 4, so
        // t=0, H=0 is a 3-byte copy from distance 2049; then the end marker.
        var in = new java.io.ByteArrayOutputStream();
        in.write(0);
        in.writeBytes(new byte[8]);
        in.write(42);
        byte[] lit = new byte[2100];
        for (int i = 0; i < lit.length; i++) {
            lit[i] = (byte) (i % 251);
        }
        in.writeBytes(lit);
        in.writeBytes(new byte[] {0, 0, 0x11, 0, 0});
        byte[] out = new byte[4096];
        int n = Lzo1x.decompress(in.toByteArray(), out);
        assertThat(n).isEqualTo(2103);
        assertThat(java.util.Arrays.copyOfRange(out, 2100, 2103)).containsExactly(lit[51], lit[52], lit[53]);
    }

    @Test
    void refusesMatchBeforeTheStartOfOutput() {
        assertThatThrownBy(() -> Lzo1x.decompress(new byte[] {18, 'a', 32 + 6, (byte) (40 << 2), 0}, new byte[64]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the output");
    }

    @Test
    void refusesTruncatedStream() {
        assertThatThrownBy(() -> Lzo1x.decompress(new byte[] {21, 'a', 'b'}, new byte[64]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overruns");
    }
}
