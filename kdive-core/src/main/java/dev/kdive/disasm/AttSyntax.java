package dev.kdive.disasm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Spells a decoded instruction the way binutils 2.40's objdump does in AT&T syntax. The rules were
 * read off objdump's output over the kernel's text (and Intel SDM vol. 2 for what each prefix
 * means); they are objdump's conventions, not the SDM's: operands in reverse Intel order, a size
 * suffix only when no register fixes the size, immediates shown at the operand size, CS/DS/ES/SS
 * overrides (ignored in 64-bit mode, SDM vol. 1 §3.3.7.1) printed as prefixes, string
 * instructions with their implicit operands.
 */
final class AttSyntax {
    private static final int REGISTER_NONE = 0;

    /** Zydis's Intel condition spellings that objdump spells otherwise (jnbe: ja, cmovz: cmove). */
    private static final Map<String, String> CONDITIONS = Map.of("nbe", "a", "nb", "ae", "z", "e", "nz", "ne",
            "nl", "ge", "nle", "g");
    /** Intel names for which objdump uses the AT&T ones (binutils i386-dis.c's table spellings). */
    private static final Map<String, String> RENAMED = Map.ofEntries(Map.entry("cdqe", "cltq"), Map.entry("cdq", "cltd"),
            Map.entry("cqo", "cqto"), Map.entry("cwde", "cwtl"), Map.entry("cbw", "cbtw"), Map.entry("cwd", "cwtd"),
            Map.entry("pushfq", "pushf"), Map.entry("popfq", "popf"), Map.entry("iretd", "iret"));
    /** Integer instructions whose size objdump shows as a suffix when no register operand fixes it. */
    private static final Set<String> SIZED = Set.of("mov", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test",
            "inc", "dec", "not", "neg", "mul", "imul", "div", "idiv", "shl", "shr", "sal", "sar", "rol", "ror", "rcl",
            "rcr", "bt", "bts", "btr", "btc", "nop");

    /** Instructions whose register operands objdump leaves implicit (AMD APM vol. 3: SEV-SNP). */
    private static final Set<String> IMPLICIT_ONLY = Set.of("rmpadjust", "pvalidate", "rmpupdate", "psmash", "rmpquery");

    /** SSE4.1/SHA instructions with an implicit %xmm0 operand that objdump prints first. */
    private static final Set<String> XMM0_SHOWN = Set.of("sha256rnds2", "blendvpd", "blendvps", "pblendvb");

    private final Zydis zydis;

    AttSyntax(Zydis zydis) {
        this.zydis = zydis;
    }

    /** The text parts of one instruction. */
    record Spelled(String mnemonic, String operands, OptionalLong target, OptionalLong memoryAddress) {}

    Spelled spell(Decoded d, long address) {
        String name = zydis.mnemonic(d.mnemonic());
        long next = address + d.length();
        boolean legacy = d.encoding() == Zydis.ENCODING_LEGACY;
        boolean oneByteMap = legacy && d.opcodeMap() == 0;
        int op = d.opcode();

        StringOperation string = oneByteMap ? StringOperation.of(op) : null;
        List<String> prefixes = prefixWords(d, name, string);

        if (string != null) {
            return new Spelled(join(prefixes, string.mnemonic(d)), string.operands(d), OptionalLong.empty(), OptionalLong.empty());
        }
        // Special spellings first: each is a fixed objdump table entry.
        if (oneByteMap && op == 0x90 && d.operands().isEmpty() && name.equals("nop") && d.operandWidth() == 16) {
            return new Spelled(join(prefixes, "xchg"), "%ax,%ax", OptionalLong.empty(), OptionalLong.empty());
        }
        String addr = d.addressWidth() == 32 ? "%eax" : "%rax";
        switch (name) {
            case "monitor", "monitorx" -> {
                return new Spelled(join(prefixes, name), addr + ",%ecx,%edx", OptionalLong.empty(), OptionalLong.empty());
            }
            case "mwait" -> {
                return new Spelled(join(prefixes, name), "%eax,%ecx", OptionalLong.empty(), OptionalLong.empty());
            }
            case "mwaitx" -> {
                return new Spelled(join(prefixes, name), "%eax,%ecx,%ebx", OptionalLong.empty(), OptionalLong.empty());
            }
            default -> { }
        }

        String mnemonic = mnemonic(d, name, oneByteMap, op);
        boolean x87 = oneByteMap && op >= 0xd8 && op <= 0xdf;
        if (x87 && (op == 0xdc || op == 0xde) && d.modrmMod() == 3 && d.modrmReg() >= 4) {
            // The AT&T "fsub/fdiv with st(i) destination" quirk that gas and objdump keep
            // (binutils "AT&T Syntax bugs"): Intel's FSUB(R)/FDIV(R) ST(i),ST(0) are spelled the other way round.
            mnemonic = mnemonic.contains("subr") ? mnemonic.replace("subr", "sub")
                    : mnemonic.contains("sub") ? mnemonic.replace("sub", "subr")
                    : mnemonic.contains("divr") ? mnemonic.replace("divr", "div") : mnemonic.replace("div", "divr");
        }
        long x87Registers = !x87 ? 0
                : d.operands().stream().filter(o -> o instanceof Decoded.Register r && zydis.register(r.register()).startsWith("st")).count();
        boolean indirectBranch = name.equals("call") || name.equals("jmp");

        // Operands in Intel order, less those objdump leaves out.
        List<Decoded.Operand> ops = new ArrayList<>(d.operands());
        ops.removeIf(o -> o instanceof Decoded.Register r && r.encoding() == 6); // ZYDIS_OPERAND_ENCODING_MASK: shown as {%k}
        if (oneByteMap && (op == 0xd0 || op == 0xd1) && ops.size() == 2 && !ops.get(1).explicit()) {
            ops.remove(1); // shift by one: objdump prints "shl %eax", not "shl $1,%eax"
        }
        if (name.equals("nop") && ops.size() == 2) {
            ops.remove(1); // the reserved-NOP's ModRM.reg is no operand to objdump
        }
        if (IMPLICIT_ONLY.contains(name)) {
            ops.removeIf(o -> !o.explicit());
        }

        boolean hasRegister = false;
        boolean hasMemory = false;
        OptionalLong target = OptionalLong.empty();
        OptionalLong memoryAddress = OptionalLong.empty();
        List<String> texts = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Decoded.Operand o = ops.get(i);
            String t;
            switch (o) {
                case Decoded.Register r -> {
                    String reg = register(r.register());
                    if (x87Registers == 2 && reg.equals("%st(0)")) {
                        reg = "%st"; // objdump's ST operand, as opposed to STi
                    }
                    if (oneByteMap && (op == 0x8c || op == 0x8e) && r.size() == 16 && !hasPrefix(d, 0x66)
                            && reg.matches("%([abcd]x|[sd]i|[sb]p|r\\d+w)")) {
                        reg = widened(reg); // MOV Sreg: objdump names the general register at 32 bits
                    } else if ((name.equals("lar") || name.equals("lsl")) && i == 1 && d.operandWidth() == 64) {
                        reg = widened(reg); // objdump names the source at the operand size
                    }
                    boolean port = reg.equals("%dx") && (name.equals("in") || name.equals("out"));
                    boolean count = reg.equals("%cl") && !r.explicit();
                    if (!port && !count) {
                        hasRegister = true;
                    }
                    t = port ? "(%dx)" : indirectBranch ? "*" + reg : reg;
                }
                case Decoded.Memory m -> {
                    if (m.type() != Zydis.MEMOP_AGEN) {
                        hasMemory = true;
                    }
                    if (m.base() == Zydis.REGISTER_RIP) {
                        memoryAddress = OptionalLong.of(next + m.displacement());
                    }
                    t = memory(d, m);
                    if (d.encoding() == Zydis.ENCODING_EVEX && d.broadcast() > 0) {
                        t += broadcast(d.broadcast());
                    }
                    if (indirectBranch) {
                        t = "*" + t;
                    }
                }
                case Decoded.Immediate imm -> {
                    if (imm.relative()) {
                        long to = next + imm.value();
                        target = OptionalLong.of(to);
                        t = Long.toHexString(to);
                    } else {
                        long v = imm.value();
                        int width = imm.signed() ? d.operandWidth() : imm.size();
                        if (width > 0 && width < 64) {
                            v &= (1L << width) - 1;
                        }
                        t = "$0x" + Long.toHexString(v);
                    }
                }
                case Decoded.Pointer p -> t = "$0x" + Integer.toHexString(p.segment()) + ",$0x" + Long.toHexString(p.offset());
            }
            if (i == 0 && d.encoding() == Zydis.ENCODING_EVEX && d.maskRegister() > 0) {
                String k = register(d.maskRegister());
                if (!k.equals("%k0")) {
                    t += "{" + k + "}";
                }
                if (d.maskMode() == Zydis.MASK_MODE_ZEROING) {
                    t += "{z}";
                }
            }
            texts.add(t);
        }
        if (!name.equals("enter")) { // objdump keeps enter's two immediates in Intel order
            Collections.reverse(texts);
        }
        if (XMM0_SHOWN.contains(name) && legacy) {
            texts.addFirst("%xmm0"); // the implicit third operand, which objdump prints
        }
        if ((name.equals("pclmulqdq") || name.equals("vpclmulqdq")) && !texts.isEmpty()
                && ops.getLast() instanceof Decoded.Immediate imm) {
            String halves = switch ((int) imm.value() & 0xff) {
                case 0x00 -> "lqlq";
                case 0x01 -> "hqlq";
                case 0x10 -> "lqhq";
                case 0x11 -> "hqhq";
                default -> null;
            };
            if (halves != null) { // objdump's (and gas's) names for the four immediates
                mnemonic = mnemonic.replace("qdq", halves + "dq");
                texts.removeFirst();
            }
        }

        if (hasMemory && !hasRegister && SIZED.contains(mnemonic)) {
            mnemonic += suffix(d.operandWidth());
        } else if (x87 && hasMemory) {
            mnemonic += x87Suffix(mnemonic, ops);
        } else if (hasMemory && (mnemonic.startsWith("cvtsi2") || mnemonic.startsWith("vcvtsi2")
                || mnemonic.startsWith("cvtusi2") || mnemonic.startsWith("vcvtusi2"))) {
            mnemonic += suffix(sizeOf(ops.getLast()));
        } else if (mnemonic.equals("crc32") && hasMemory) {
            mnemonic += suffix(sizeOf(ops.getLast()));
        }
        return new Spelled(join(prefixes, mnemonic), String.join(",", texts), target, memoryAddress);
    }

    /** objdump's name for the instruction itself, before any size suffix. */
    private String mnemonic(Decoded d, String name, boolean oneByteMap, int op) {
        String renamed = RENAMED.get(name);
        if (renamed != null) {
            return renamed;
        }
        for (String cc : new String[] {"j", "set", "cmov"}) {
            if (name.startsWith(cc)) {
                String c = CONDITIONS.get(name.substring(cc.length()));
                if (c != null) {
                    return cc + c;
                }
            }
        }
        int w = d.operandWidth();
        return switch (name) {
            case "movzx", "movsx" -> "mov" + name.charAt(3) + suffix(sizeOf(d.operands().get(1))) + suffix(w);
            case "movsxd" -> "movs" + suffix(sizeOf(d.operands().get(1))) + suffix(w);
            case "sysret" -> w == 64 ? "sysretq" : "sysretl";
            case "ret" -> oneByteMap && (op == 0xca || op == 0xcb) ? (w == 64 ? "lretq" : "lret") : "ret";
            case "jmp" -> oneByteMap && op == 0xff && d.modrmReg() == 5 ? "ljmp" : "jmp";
            case "call" -> oneByteMap && op == 0xff && d.modrmReg() == 3 ? "lcall" : "call";
            case "mov" -> oneByteMap && ((op >= 0xa0 && op <= 0xa3) || (op >= 0xb8 && op <= 0xbf && w == 64)) ? "movabs" : "mov";
            case "vmmcall" -> hasPrefix(d, 0xf3) ? "vmgexit" : "vmmcall"; // AMD APM vol. 3: VMGEXIT is F3 VMMCALL
            default -> name;
        };
    }

    /**
     * The prefix words objdump prints before the mnemonic, in encoding order: the prefixes the
     * instruction does not consume (SDM vol. 2 §2.1.1), by objdump's names.
     */
    private List<String> prefixWords(Decoded d, String name, StringOperation string) {
        int[] bytes = d.prefixBytes();
        if (bytes.length == 0) {
            return List.of();
        }
        List<String> words = new ArrayList<>(2);
        boolean hasMemory = d.operands().stream().anyMatch(o -> o instanceof Decoded.Memory m && m.type() != Zydis.MEMOP_AGEN);
        boolean branch = name.startsWith("j") || name.equals("call") || name.equals("ret");
        boolean lock = (d.attributes() & Decoded.ATTRIB_HAS_LOCK) != 0;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i];
            int type = d.prefixTypes()[i];
            String w = switch (b) {
                case 0xf0 -> "lock";
                case 0xf2 -> string != null ? (string.conditional() ? "repnz" : "rep")
                        : type == Zydis.PREFIX_MANDATORY ? null
                        : lock ? "xacquire" : branch ? "bnd" : "repnz";
                case 0xf3 -> string != null ? (string.conditional() ? "repz" : "rep")
                        : type == Zydis.PREFIX_MANDATORY || name.equals("vmmcall") ? null
                        : lock ? "xrelease" : "repz";
                case 0x66 -> type == Zydis.PREFIX_IGNORED ? "data16" : null;
                case 0x67 -> type == Zydis.PREFIX_IGNORED ? "addr32" : null;
                case 0x2e -> string != null && type != Zydis.PREFIX_IGNORED ? null : "cs";
                case 0x36 -> string != null && type != Zydis.PREFIX_IGNORED ? null : "ss";
                case 0x3e -> (d.attributes() & (1L << 36)) != 0 ? "notrack" // ZYDIS_ATTRIB_HAS_NOTRACK
                        : string != null && type != Zydis.PREFIX_IGNORED ? null : "ds";
                case 0x26 -> string != null && type != Zydis.PREFIX_IGNORED ? null : "es";
                case 0x64 -> hasMemory || string != null ? null : "fs";
                case 0x65 -> hasMemory || string != null ? null : "gs";
                // objdump names a REX prefix any of whose bits went unused: wholly ignored (Zydis says so), or
                // REX.W on an 8-bit operation ("rex.WB add %al,(%r8)"), where operand size cannot widen
                default -> (b & 0xf0) == 0x40 && (type == Zydis.PREFIX_IGNORED || (b & 8) != 0 && d.operandWidth() == 8) ? rexName(b) : null;
            };
            if (w != null) {
                words.add(w);
            }
        }
        return words;
    }

    static String rexName(int b) {
        if (b == 0x40) {
            return "rex";
        }
        return "rex." + ((b & 8) != 0 ? "W" : "") + ((b & 4) != 0 ? "R" : "") + ((b & 2) != 0 ? "X" : "") + ((b & 1) != 0 ? "B" : "");
    }

    private static boolean hasPrefix(Decoded d, int value) {
        for (int b : d.prefixBytes()) {
            if (b == value) {
                return true;
            }
        }
        return false;
    }

    private static String join(List<String> prefixes, String mnemonic) {
        if (prefixes.isEmpty()) {
            return mnemonic;
        }
        return String.join(" ", prefixes) + " " + mnemonic;
    }

    /** objdump's memory operand: {@code %gs:-0x8(%rbp,%rax,8)}; absolute addresses unsigned at the address size. */
    private String memory(Decoded d, Decoded.Memory m) {
        StringBuilder b = new StringBuilder();
        String seg = register(m.segment());
        boolean overridden = (seg.equals("%fs") && (d.attributes() & Decoded.ATTRIB_HAS_SEGMENT_FS) != 0)
                || (seg.equals("%gs") && (d.attributes() & Decoded.ATTRIB_HAS_SEGMENT_GS) != 0);
        if (overridden) {
            b.append(seg).append(':');
        }
        if (m.base() == REGISTER_NONE && m.index() == REGISTER_NONE) {
            long a = m.displacement();
            if (d.addressWidth() == 32) {
                a &= 0xffffffffL;
            }
            return b.append("0x").append(Long.toHexString(a)).toString();
        }
        if (m.hasDisplacement()) {
            long disp = m.displacement();
            b.append(disp < 0 ? "-0x" + Long.toHexString(-disp) : "0x" + Long.toHexString(disp));
        }
        b.append('(');
        if (m.base() != REGISTER_NONE) {
            b.append(register(m.base()));
        }
        if (m.index() != REGISTER_NONE) {
            b.append(',').append(register(m.index())).append(',').append(Math.max(1, m.scale()));
        }
        return b.append(')').toString();
    }

    /** {@return a general register's name one size up: %ax to %eax, %r8w to %r8d, %eax to %rax, %r8d to %r8} */
    private static String widened(String reg) {
        if (reg.matches("%r\\d+w")) {
            return reg.substring(0, reg.length() - 1) + "d";
        }
        if (reg.matches("%r\\d+d")) {
            return reg.substring(0, reg.length() - 1);
        }
        if (reg.length() == 3) {
            return "%e" + reg.substring(1);
        }
        if (reg.startsWith("%e")) {
            return "%r" + reg.substring(2);
        }
        return reg;
    }

    private static String broadcast(int mode) {
        // ZydisBroadcastMode (DecoderTypes.h): 1_TO_2 .. 1_TO_64 are 1..6.
        return mode >= 1 && mode <= 6 ? "{1to" + (1 << mode) + "}" : "";
    }

    /** objdump's register spelling: %rax, %st(1), %db7 (it keeps the old name of the debug registers). */
    String register(int id) {
        String n = zydis.register(id);
        if (n.startsWith("st") && n.length() == 3 && Character.isDigit(n.charAt(2))) {
            return "%st(" + n.charAt(2) + ")";
        }
        if (n.startsWith("dr") && n.length() <= 4 && Character.isDigit(n.charAt(2))) {
            return "%db" + n.substring(2);
        }
        return "%" + n;
    }

    private static int sizeOf(Decoded.Operand o) {
        return switch (o) {
            case Decoded.Register r -> r.size();
            case Decoded.Memory m -> m.size();
            case Decoded.Immediate i -> i.size();
            case Decoded.Pointer p -> 0;
        };
    }

    private static String suffix(int bits) {
        return switch (bits) {
            case 8 -> "b";
            case 16 -> "w";
            case 32 -> "l";
            case 64 -> "q";
            default -> "";
        };
    }

    /** x87 memory operands: s/l/ll for 16/32/64-bit integers (fi*), s/l/t for 32/64/80-bit reals. */
    private static String x87Suffix(String mnemonic, List<Decoded.Operand> ops) {
        int bits = ops.stream().filter(o -> o instanceof Decoded.Memory).mapToInt(AttSyntax::sizeOf).findFirst().orElse(0);
        boolean integer = mnemonic.startsWith("fi");
        return switch (bits) {
            case 16 -> integer ? "s" : "";
            case 32 -> integer ? "l" : "s";
            case 64 -> integer ? "ll" : "l";
            case 80 -> mnemonic.equals("fld") || mnemonic.equals("fstp") ? "t" : "";
            default -> "";
        };
    }

    /**
     * The string instructions (SDM vol. 2, MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS and XLAT), which
     * objdump prints with their implicit operands: {@code rep stos %rax,%es:(%rdi)}.
     */
    private enum StringOperation {
        INS, OUTS, MOVS, CMPS, STOS, LODS, SCAS, XLAT;

        static StringOperation of(int opcode) {
            return switch (opcode) {
                case 0x6c, 0x6d -> INS;
                case 0x6e, 0x6f -> OUTS;
                case 0xa4, 0xa5 -> MOVS;
                case 0xa6, 0xa7 -> CMPS;
                case 0xaa, 0xab -> STOS;
                case 0xac, 0xad -> LODS;
                case 0xae, 0xaf -> SCAS;
                case 0xd7 -> XLAT;
                default -> null;
            };
        }

        boolean conditional() {
            return this == CMPS || this == SCAS;
        }

        String mnemonic(Decoded d) {
            String s = suffix(d.operandWidth());
            return switch (this) {
                case INS -> "ins" + s;
                case OUTS -> "outs" + s;
                case MOVS -> "movs" + s;
                case CMPS -> "cmps" + s;
                case STOS -> "stos";
                case LODS -> "lods";
                case SCAS -> "scas";
                case XLAT -> "xlat";
            };
        }

        String operands(Decoded d) {
            boolean a32 = d.addressWidth() == 32;
            String src = segment(d, "%ds") + (a32 ? "(%esi)" : "(%rsi)");
            String dst = "%es:" + (a32 ? "(%edi)" : "(%rdi)");
            String acc = switch (d.operandWidth()) {
                case 8 -> "%al";
                case 16 -> "%ax";
                case 32 -> "%eax";
                default -> "%rax";
            };
            return switch (this) {
                case INS -> "(%dx)," + dst;
                case OUTS -> src + ",(%dx)";
                case MOVS -> src + "," + dst;
                case CMPS -> dst + "," + src;
                case STOS -> acc + "," + dst;
                case LODS -> src + "," + acc;
                case SCAS -> dst + "," + acc;
                case XLAT -> segment(d, "%ds") + (a32 ? "(%ebx)" : "(%rbx)");
            };
        }

        /** The source segment: DS unless a prefix overrides it (SDM vol. 1 §3.7.5). */
        private static String segment(Decoded d, String otherwise) {
            for (int b : d.prefixBytes()) {
                switch (b) {
                    case 0x2e -> otherwise = "%cs";
                    case 0x36 -> otherwise = "%ss";
                    case 0x3e -> otherwise = "%ds";
                    case 0x26 -> otherwise = "%es";
                    case 0x64 -> otherwise = "%fs";
                    case 0x65 -> otherwise = "%gs";
                    default -> { }
                }
            }
            return otherwise + ":";
        }
    }
}
