package dev.kdive.arch.x86_64;

import dev.kdive.dump.Note;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One CPU's registers at the time of the dump, from its NT_PRSTATUS note and, in QEMU dumps,
 * QEMU's CPU-state note (the only place CR3 and the segment bases are kept).
 *
 * @param cpu       index in note order (the kernel and QEMU both write one note per CPU, in CPU order)
 * @param pid       {@code elf_prstatus.pr_pid}: the task's pid in kexec dumps, the CPU index + 1 in QEMU's
 * @param registers general registers by their pt_regs names, in {@code user_regs_struct} order
 */
public record CpuState(int cpu, int pid, Map<String, Long> registers, OptionalLong cr3, OptionalLong kernelGsBase) {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    // struct elf_prstatus (include/linux/elfcore.h): pr_pid at 32, pr_reg (struct user_regs_struct,
    // arch/x86/include/asm/user_64.h) at 112, 27 registers.
    private static final int PR_PID = 32;
    private static final int PR_REG = 112;
    private static final String[] USER_REGS = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
        "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss", "fs_base", "gs_base", "ds", "es",
        "fs", "gs"};
    // QEMUCPUState (qemu target/i386/arch_dump.c): version, size, 18 registers, 10 segments of 24
    // bytes, cr[5], then kernel_gs_base when size says it is there.
    private static final int QEMU_CR = 8 + 18 * 8 + 10 * 24;
    private static final int QEMU_KERNEL_GS_BASE = QEMU_CR + 5 * 8;

    public long register(String name) {
        Long v = registers.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no register " + name);
        }
        return v;
    }

    /** {@return the CPUs of a dump, from its notes; empty when it has none} */
    public static List<CpuState> fromNotes(List<Note> notes) {
        List<MemorySegment> prstatus = new ArrayList<>();
        List<MemorySegment> qemu = new ArrayList<>();
        for (Note n : notes) {
            if (n.name().equals("CORE") && n.type() == Note.NT_PRSTATUS && n.desc().byteSize() >= PR_REG + USER_REGS.length * 8) {
                prstatus.add(n.desc());
            } else if (n.name().equals("QEMU") && n.desc().byteSize() >= QEMU_CR + 5 * 8) {
                qemu.add(n.desc());
            }
        }
        List<CpuState> cpus = new ArrayList<>();
        for (int i = 0; i < prstatus.size(); i++) {
            MemorySegment d = prstatus.get(i);
            Map<String, Long> regs = new LinkedHashMap<>();
            for (int r = 0; r < USER_REGS.length; r++) {
                regs.put(USER_REGS[r], d.get(U64, PR_REG + r * 8L));
            }
            OptionalLong cr3 = OptionalLong.empty();
            OptionalLong kgs = OptionalLong.empty();
            if (i < qemu.size()) {
                MemorySegment q = qemu.get(i);
                cr3 = OptionalLong.of(q.get(U64, QEMU_CR + 3 * 8));
                long size = Integer.toUnsignedLong(q.get(U32, 4));
                if (size >= QEMU_KERNEL_GS_BASE + 8 && q.byteSize() >= QEMU_KERNEL_GS_BASE + 8) {
                    kgs = OptionalLong.of(q.get(U64, QEMU_KERNEL_GS_BASE));
                }
            }
            cpus.add(new CpuState(i, d.get(U32, PR_PID), Collections.unmodifiableMap(regs), cr3, kgs));
        }
        return List.copyOf(cpus);
    }
}
