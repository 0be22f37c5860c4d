package dev.kdive.cli.shell;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import dev.kdive.program.Program;
import java.util.List;

/** Physical memory seen as an identity-mapped address space, so {@code rd -p} reads like {@code rd}. */
record PhysicalView(Program program) implements AddressSpace {
    @Override
    public Translation translate(long vaddr) {
        return new Translation.Mapped(vaddr, vaddr, PAGE_SIZE, List.of());
    }

    @Override
    public PhysicalMemory physical() {
        return program.memory();
    }

    @Override
    public MemoryFault.Space space() {
        return MemoryFault.Space.PHYSICAL;
    }

    @Override
    public void read(long vaddr, byte[] dst, int offset, int length) throws MemoryFault {
        program.memory().read(vaddr, dst, offset, length);
    }
}
