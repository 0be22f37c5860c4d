package dev.kdive.arch;

import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import java.util.List;

/** Physical memory seen as an identity-mapped address space, so physical reads ({@code rd -p}) go through the same code as virtual ones. */
public record PhysicalSpace(PhysicalMemory memory) implements AddressSpace {
    @Override
    public Translation translate(long vaddr) {
        return new Translation.Mapped(vaddr, vaddr, PAGE_SIZE, List.of());
    }

    @Override
    public PhysicalMemory physical() {
        return memory;
    }

    @Override
    public MemoryFault.Space space() {
        return MemoryFault.Space.PHYSICAL;
    }

    @Override
    public void read(long vaddr, byte[] dst, int offset, int length) throws MemoryFault {
        memory.read(vaddr, dst, offset, length);
    }
}
