package dev.kdive.kernel;

import dev.kdive.types.TypeException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stack unwinding with the kernel's ORC tables (arch/x86/kernel/unwind_orc.c, orc_types.h): the
 * sorted {@code __start_orc_unwind_ip} (s32 offsets relative to each entry) and the parallel
 * {@code __start_orc_unwind} entries say, for every code address, how to find the caller's stack
 * pointer (sp_reg + sp_offset), frame pointer and return address; REGS entries mark a pt_regs
 * exception frame, REGS_PARTIAL an IRET frame. Modules carry their own tables in
 * {@code mod->arch}. The entry's bit layout, and which type numbering the kernel uses, come
 * from the dump's struct orc_entry (6.1: type:2 and end:1; 6.3+: type:3 with END_OF_STACK).
 */
public final class OrcUnwinder {
    private static final int REG_PREV_SP = 1;
    private static final int REG_DX = 2;
    private static final int REG_DI = 3;
    private static final int REG_BP = 4;
    private static final int REG_SP = 5;
    private static final int REG_R10 = 6;
    private static final int REG_R13 = 7;
    private static final int REG_BP_INDIRECT = 8;
    private static final int REG_SP_INDIRECT = 9;
    private static final int MAX_FRAMES = 256;

    /**
     * One frame: where its return address sat, the code address, the registers of an exception
     * frame that led here, and whether {@code ip} is exact (the first frame, an interrupted one) or
     * a return address, which belongs to the call one byte before it (a noreturn call may be the
     * last instruction of its function).
     */
    public record Frame(long sp, long ip, Map<String, Long> exceptionRegisters, boolean exact) {
        /** {@return the address to symbolize: ip, or ip - 1 for a return address} */
        public long callSite() {
            return exact ? ip : ip - 1;
        }
    }

    /** The frames found and why the walk stopped. */
    public record Trace(List<Frame> frames, String end) {}

    /** One ORC table and the code range it describes: the kernel image, or one module's memory. */
    private record Table(long ips, long entries, int count, long low, long high) {}

    private final Program p;
    private final List<Table> tables = new ArrayList<>();
    private final int typeBitOffset;
    private final int typeBits;
    private final int endBitOffset; // -1 on kernels with END_OF_STACK as a type
    private final int spRegBitOffset;
    private final int bpRegBitOffset;
    private final int entrySize;
    private final Type.Struct ptRegs;

    /** The program's unwinder, or why it has none; made once. */
    private record Made(OrcUnwinder unwinder, MemoryFault fault, UnknownSymbolException unknown) {}

    /**
     * {@return the program's unwinder: the kernel's ORC tables and every module's, read once}
     *
     * @throws UnknownSymbolException when the kernel has no ORC tables (built without CONFIG_UNWINDER_ORC)
     * @throws MemoryFault            when a table's bounds cannot be read
     */
    public static OrcUnwinder of(Program p) throws MemoryFault, UnknownSymbolException {
        Made m = p.cached(Made.class, () -> {
            try {
                return new Made(new OrcUnwinder(p), null, null);
            } catch (MemoryFault f) {
                return new Made(null, f, null);
            } catch (UnknownSymbolException e) {
                return new Made(null, null, e);
            }
        });
        if (m.fault() != null) {
            throw m.fault();
        }
        if (m.unknown() != null) {
            throw m.unknown();
        }
        return m.unwinder();
    }

    private OrcUnwinder(Program p) throws MemoryFault, UnknownSymbolException {
        this.p = p;
        long ip = p.address("__start_orc_unwind_ip");
        tables.add(new Table(ip, p.address("__start_orc_unwind"), (int) ((p.address("__stop_orc_unwind_ip") - ip) / 4),
                dev.kdive.arch.x86_64.KernelLayout.START_KERNEL_MAP, p.layout().modulesStart()));
        Type.Struct orc = (Type.Struct) p.types().lookup("struct orc_entry").orElseThrow();
        entrySize = (int) orc.size();
        spRegBitOffset = (int) orc.member("sp_reg").orElseThrow().bitOffset();
        bpRegBitOffset = (int) orc.member("bp_reg").orElseThrow().bitOffset();
        Type.Member type = orc.member("type").orElseThrow();
        typeBitOffset = (int) type.bitOffset();
        typeBits = type.bitSize();
        endBitOffset = orc.member("end").map(m -> (int) m.bitOffset()).orElse(-1);
        ptRegs = (Type.Struct) p.types().lookup("struct pt_regs").orElseThrow();
        for (Module m : Modules.of(p).modules()) {
            try {
                KernelObject mod = KernelObject.at(p, "module", m.address());
                int n = (int) mod.read("arch.num_orcs");
                if (n > 0) {
                    tables.add(new Table(mod.read("arch.orc_unwind_ip"), mod.read("arch.orc_unwind"), n, m.text().base(), m.text().base() + m.text().size()));
                }
            } catch (MemoryFault | TypeException e) {
                // a module without ORC tables: its frames end the walk
            }
        }
    }

    private enum Kind { CALL, REGS, REGS_PARTIAL, END, UNDEFINED }

    private record Entry(int spOffset, int bpOffset, int spReg, int bpReg, Kind kind) {}

    private Kind kind(int type, boolean end) {
        if (endBitOffset >= 0) { // 6.1: CALL 0, REGS 1, REGS_PARTIAL 2; end flag apart
            if (end) {
                return Kind.END;
            }
            return switch (type) {
                case 0 -> Kind.CALL;
                case 1 -> Kind.REGS;
                case 2 -> Kind.REGS_PARTIAL;
                default -> Kind.UNDEFINED;
            };
        }
        return switch (type) { // 6.3+: UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4
            case 1 -> Kind.END;
            case 2 -> Kind.CALL;
            case 3 -> Kind.REGS;
            case 4 -> Kind.REGS_PARTIAL;
            default -> Kind.UNDEFINED;
        };
    }

    /** The entry for a code address: the last one at or below it in the table that covers it. */
    private Entry find(long ip) throws MemoryFault {
        for (Table t : tables) {
            int lo = 0;
            int hi = t.count() - 1;
            int found = -1;
            if (Long.compareUnsigned(ip, t.low()) < 0 || Long.compareUnsigned(ip, t.high()) >= 0) {
                continue;
            }
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long at = t.ips() + mid * 4L + (int) p.kernel().u32(t.ips() + mid * 4L);
                if (Long.compareUnsigned(at, ip) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found >= 0) {
                byte[] e = p.kernel().read(t.entries() + (long) found * entrySize, entrySize);
                long bits = 0;
                for (int i = e.length - 1; i >= 0; i--) {
                    bits = (bits << 8) | (e[i] & 0xff);
                }
                int spOff = (short) ((e[0] & 0xff) | (e[1] << 8));
                int bpOff = (short) ((e[2] & 0xff) | (e[3] << 8));
                int spReg = (int) ((bits >>> spRegBitOffset) & 0xf);
                int bpReg = (int) ((bits >>> bpRegBitOffset) & 0xf);
                int type = (int) ((bits >>> typeBitOffset) & ((1 << typeBits) - 1));
                boolean end = endBitOffset >= 0 && ((bits >>> endBitOffset) & 1) != 0;
                return new Entry(spOff, bpOff, spReg, bpReg, kind(type, end));
            }
        }
        return null;
    }

    /**
     * Unwinds from a register set: the CPU's at the time of the dump, or a sleeping task's saved
     * frame. A frame reached through a pt_regs exception frame carries those registers.
     */
    public Trace unwind(Map<String, Long> start) {
        List<Frame> frames = new ArrayList<>();
        long ip = start.get("ip");
        long sp = start.get("sp");
        long bp = start.getOrDefault("bp", 0L);
        Map<String, Long> regs = start;
        Map<String, Long> exception = null;
        boolean exact = true; // the first ip, and one an exception interrupted, is not a return address
        try {
            while (frames.size() < MAX_FRAMES) {
                if (ip >= 0) {
                    return new Trace(frames, "user mode");
                }
                frames.add(new Frame(sp, ip, exception, exact));
                exception = null;
                Entry e = find(exact ? ip : ip - 1);
                if (e == null) {
                    return new Trace(frames, "no ORC entry for " + Long.toHexString(ip));
                }
                if (e.kind() == Kind.END) {
                    return new Trace(frames, "end of the kernel stack");
                }
                if (e.kind() == Kind.UNDEFINED) {
                    return new Trace(frames, "no unwind information at " + Long.toHexString(ip));
                }
                long cfa = switch (e.spReg()) {
                    case REG_SP -> sp + e.spOffset();
                    case REG_BP -> bp + e.spOffset();
                    case REG_SP_INDIRECT -> p.kernel().u64(sp) + e.spOffset();
                    case REG_BP_INDIRECT -> p.kernel().u64(bp + e.spOffset());
                    case REG_DI -> reg(regs, "di");
                    case REG_DX -> reg(regs, "dx");
                    case REG_R10 -> reg(regs, "r10");
                    case REG_R13 -> reg(regs, "r13");
                    default -> throw new MemoryFault(MemoryFault.Space.KERNEL, ip, "ORC sp_reg " + e.spReg());
                };
                if (e.kind() == Kind.CALL) {
                    long caller = p.kernel().u64(cfa - 8);
                    bp = switch (e.bpReg()) {
                        case REG_PREV_SP -> p.kernel().u64(cfa + e.bpOffset());
                        case REG_BP -> p.kernel().u64(bp + e.bpOffset());
                        default -> bp;
                    };
                    ip = caller;
                    sp = cfa;
                    regs = null;
                    exact = false;
                    continue;
                }
                // REGS: a full pt_regs at cfa; REGS_PARTIAL: an IRET frame (ip .. ss) ending there.
                long ipOffset = ptRegs.member("ip").orElseThrow().offset();
                long base = e.kind() == Kind.REGS ? cfa : cfa - ipOffset;
                Map<String, Long> r = Stacks.ptRegs(p, ptRegs, base, e.kind() == Kind.REGS ? 0 : ipOffset);
                ip = r.get("ip");
                sp = r.get("sp");
                if (e.kind() == Kind.REGS) {
                    bp = r.get("bp");
                }
                regs = r;
                exception = r;
                exact = true;
                if ((r.get("cs") & 3) != 0) {
                    frames.add(new Frame(sp, ip, r, true)); // the user-mode frame the kernel was entered from
                    return new Trace(frames, "user mode");
                }
            }
            return new Trace(frames, "over " + MAX_FRAMES + " frames");
        } catch (MemoryFault f) {
            return new Trace(frames, f.getMessage());
        }
    }

    private static long reg(Map<String, Long> regs, String name) throws MemoryFault {
        if (regs == null || !regs.containsKey(name)) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, 0, "ORC needs register " + name + ", which this frame does not have");
        }
        return regs.get(name);
    }
}
