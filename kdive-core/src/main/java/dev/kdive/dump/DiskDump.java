package dev.kdive.dump;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A kdump-compressed ("diskdump") file as makedumpfile writes it. Layout from makedumpfile's
 * diskdump_mod.h: {@code struct disk_dump_header} in block 0 (signature "KDUMP   ", header_version,
 * new_utsname, ..., block_size), then {@code struct kdump_sub_header} at block 1, whose
 * offset_vmcoreinfo/size_vmcoreinfo (header_version ≥ 3) locate the VMCOREINFO text.
 */
public record DiskDump(DumpFile.Input input, Arena arena, Header header) implements DumpFile {
    static final String SIGNATURE = "KDUMP   ";
    // struct disk_dump_header: signature[8], header_version(4), new_utsname(6 x 65), timestamp(16),
    // status(4), block_size(4), sub_hdr_size(4), bitmap_blocks(4), max_mapnr(4), total_ram_blocks(4),
    // device_blocks(4), written_blocks(4), current_cpu(4), nr_cpus(4) -- natural alignment on x86-64.
    private static final int UTSNAME = 12;
    private static final int UTS_FIELD = 65;
    // 12 + 6*65 = 402, padded to 408 for the 8-aligned timeval, +16 timestamp, +4 status.
    static final int BLOCK_SIZE = 428;
    static final int SUB_OFFSET_VMCOREINFO = 32; // kdump_sub_header: phys_base, dump_level, split, start_pfn, end_pfn
    static final int SUB_SIZE_VMCOREINFO = 40;
    static final int SUB_OFFSET_NOTE = 48; // header_version >= 4
    static final int SUB_SIZE_NOTE = 56;

    /** The fields of {@code struct disk_dump_header} kdive uses. */
    public record Header(int version, String release, String machine, int blockSize, int nrCpus) {}

    static DiskDump parse(DumpFile.Input b, Arena arena) throws DumpFormatException {
        b.require(0, BLOCK_SIZE + 40, "a disk_dump_header");
        int version = (int) b.u32le(8);
        String release = b.cstring(UTSNAME + 2 * UTS_FIELD, UTS_FIELD);
        String machine = b.cstring(UTSNAME + 4 * UTS_FIELD, UTS_FIELD);
        int blockSize = (int) b.u32le(BLOCK_SIZE);
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new DumpFormatException(b.path(), BLOCK_SIZE,
                    "expected a power-of-two block_size in the disk_dump_header, found " + blockSize);
        }
        int nrCpus = (int) b.u32le(BLOCK_SIZE + 32);
        return new DiskDump(b, arena, new Header(version, release, machine, blockSize, nrCpus));
    }

    @Override
    public Path path() {
        return input.path();
    }

    @Override
    public String formatName() {
        return "kdump-compressed";
    }

    @Override
    public Optional<String> vmcoreinfo() throws DumpFormatException {
        if (header.version() < 3) {
            return Optional.empty();
        }
        long sub = header.blockSize();
        input.require(sub, SUB_SIZE_VMCOREINFO + 8, "a kdump_sub_header in block 1");
        long off = input.u64le(sub + SUB_OFFSET_VMCOREINFO);
        long size = input.u64le(sub + SUB_SIZE_VMCOREINFO);
        if (off == 0 || size == 0) {
            return Optional.empty();
        }
        input.require(off, size, "the VMCOREINFO text named by kdump_sub_header.offset_vmcoreinfo");
        return Optional.of(input.cstring(off, (int) size));
    }

    @Override
    public java.util.List<Note> notes() throws DumpFormatException {
        if (header.version() < 4) {
            return java.util.List.of();
        }
        long sub = header.blockSize();
        input.require(sub, SUB_SIZE_NOTE + 8, "a kdump_sub_header in block 1");
        long off = input.u64le(sub + SUB_OFFSET_NOTE);
        long size = input.u64le(sub + SUB_SIZE_NOTE);
        return off == 0 || size == 0 ? java.util.List.of() : Note.parseAll(input, off, size);
    }

    @Override
    public PhysicalMemory memory() throws DumpFormatException {
        return DiskDumpMemory.of(this);
    }

    @Override
    public void close() {
        arena.close();
    }
}
