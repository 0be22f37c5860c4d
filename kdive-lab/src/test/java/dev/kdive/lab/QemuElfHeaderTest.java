package dev.kdive.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sparse copy behind the lab's makedumpfile input must read back byte for byte. */
class QemuElfHeaderTest {
    @TempDir
    Path dir;

    private byte[] copied(byte[] bytes, long from) throws IOException {
        Path in = Files.write(dir.resolve("in"), bytes);
        Path out = dir.resolve("out");
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            QemuElfHeader.copySparse(src, dst, from);
        }
        return Files.readAllBytes(out);
    }

    @Test
    void zeroBlocksBetweenDataAndATrailingHoleReadBackTheSame() throws IOException {
        byte[] bytes = new byte[5 * 65536 + 123];
        new Random(7).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 65536, 3 * 65536, (byte) 0);     // two whole zero blocks
        java.util.Arrays.fill(bytes, 4 * 65536, bytes.length, (byte) 0); // a zero tail
        bytes[2 * 65536 + 5] = 1;                                     // one byte in a mostly zero block
        assertThat(copied(bytes, 0)).isEqualTo(bytes);
    }

    @Test
    void bytesBeforeTheStartAreLeftToTheCaller() throws IOException {
        byte[] bytes = new byte[70000];
        new Random(8).nextBytes(bytes);
        byte[] out = copied(bytes, 100);
        assertThat(out).hasSize(bytes.length);
        assertThat(java.util.Arrays.copyOfRange(out, 0, 100)).containsOnly((byte) 0);
        assertThat(java.util.Arrays.copyOfRange(out, 100, out.length)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, bytes.length));
    }

    @Test
    void anAllZeroFileKeepsItsLength() throws IOException {
        assertThat(copied(new byte[200000], 0)).hasSize(200000).containsOnly((byte) 0);
    }
}
