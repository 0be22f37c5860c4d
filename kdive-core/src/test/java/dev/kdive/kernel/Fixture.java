package dev.kdive.kernel;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import dev.kdive.types.Type;
import dev.kdive.types.TypeRef;
import dev.kdive.types.TypeTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small synthetic kernel for helpers' unit tests: a sparse kernel address space whose unwritten
 * pages do not exist (as pages makedumpfile excluded), and types built by hand with the kernel's
 * layouts (include/linux/types.h {@code struct list_head}).
 */
final class Fixture {
    static final long PAGE = AddressSpace.PAGE_SIZE;

    /** Kernel memory: only pages something was written to are present. */
    static final class Memory implements AddressSpace {
        private final Map<Long, byte[]> pages = new HashMap<>();

        Memory u64(long address, long value) {
            byte[] b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
            for (int i = 0; i < 8; i++) {
                pages.computeIfAbsent((address + i) & -PAGE, k -> new byte[(int) PAGE])[(int) ((address + i) & (PAGE - 1))] = b[i];
            }
            return this;
        }

        @Override
        public void read(long vaddr, byte[] dst, int offset, int length) throws MemoryFault {
            for (int i = 0; i < length; i++) {
                byte[] page = pages.get((vaddr + i) & -PAGE);
                if (page == null) {
                    throw new MemoryFault(MemoryFault.Space.KERNEL, vaddr + i, "page excluded by the fixture");
                }
                dst[offset + i] = page[(int) ((vaddr + i) & (PAGE - 1))];
            }
        }

        @Override
        public Translation translate(long vaddr) {
            throw new UnsupportedOperationException("the fixture has no page tables");
        }

        @Override
        public PhysicalMemory physical() {
            throw new UnsupportedOperationException("the fixture has no physical memory");
        }

        @Override
        public MemoryFault.Space space() {
            return MemoryFault.Space.KERNEL;
        }
    }

    /** Types by name, each built here. */
    static final class Types implements TypeTable {
        private final Map<String, Type> byName = new LinkedHashMap<>();

        Types() {
            Type pointer = new Type.Pointer(TypeRef.fixed(new Type.Void()));
            struct("list_head", 16, member("next", pointer, 0), member("prev", pointer, 8));
        }

        Types struct(String name, long size, Type.Member... members) {
            byName.put("struct " + name, new Type.Struct(false, name, size, List.of(members)));
            return this;
        }

        static Type.Member member(String name, Type type, long offset) {
            return new Type.Member(name, TypeRef.fixed(type), offset * 8, 0);
        }

        @Override
        public Type byId(int id) {
            throw new UnsupportedOperationException("the fixture's types are referenced directly (TypeRef.fixed), never by BTF id " + id);
        }

        @Override
        public Optional<Type> lookup(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        @Override
        public String source() {
            return "the test fixture";
        }
    }

    private Fixture() {
    }
}
