package dev.kdive.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed input to DumpFile.open: synthetic bytes, each failure names file and offset. Real dumps: lab tests. */
class DumpFileTest {
    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void refusesUnknownSignatureNamingWhatItFound() throws IOException {
        Path p = write("garbage", "this is not a vmcore at all".getBytes());
        assertThatThrownBy(() -> DumpFile.open(p)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("offset 0x0")
                .hasMessageContaining("signature \"this is not a vm\"");
    }

    @Test
    void refusesTinyFile() throws IOException {
        Path p = write("tiny", new byte[] {1, 2});
        assertThatThrownBy(() -> DumpFile.open(p)).isInstanceOf(DumpFormatException.class).hasMessageContaining("2 bytes");
    }

    @Test
    void reportsTruncatedElfHeader() throws IOException {
        Path p = write("short.elf", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        assertThatThrownBy(() -> DumpFile.open(p)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining("expected an ELF64 header (64 bytes)").hasMessageContaining("truncated");
    }

    @Test
    void reportsProgramHeadersBeyondTheFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 4).putLong(32, 4096).putShort(54, (short) 56).putShort(56, (short) 3);
        Path p = write("phdrs-missing.elf", b.array());
        assertThatThrownBy(() -> DumpFile.open(p)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining("offset 0x1000").hasMessageContaining("3 program headers at e_phoff");
    }

    @Test
    void reportsFlattenedStreamCutMidRecord() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096 + 16 + 10).order(ByteOrder.BIG_ENDIAN);
        b.put("makedumpfile".getBytes());
        b.putLong(4096, 0).putLong(4096 + 8, 4096); // a record promising 4096 bytes, 10 present
        Path p = write("cut.flat", b.array());
        assertThatThrownBy(() -> DumpFile.open(p)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining("offset 0x1010").hasMessageContaining("the data of a flattened record");
    }

    @Test
    void readsVmcoreinfoEntries() {
        var v = Vmcoreinfo.parse("OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82c13120\nnot a pair\n");
        assertThat(v).containsEntry("OSRELEASE", "6.1.0-56-amd64").containsEntry("SYMBOL(init_uts_ns)", "ffffffff82c13120")
                .hasSize(3);
    }
}
