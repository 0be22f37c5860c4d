package dev.kdive.cli.shell;

import dev.kdive.arch.MemoryRows;
import dev.kdive.arch.PhysicalSpace;
import dev.kdive.arch.AddressSpace;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code rd}: memory as crash shows it: 8/16/32/64-bit words with an ASCII column, a string
 * ({@code -a}), words as symbols ({@code -s}); kernel virtual by default, physical ({@code -p})
 * or user ({@code -u}) addresses. A page the dump lacks ends the output with the reason.
 */
final class RdCommand implements ShellCommand {
    private final Session session;

    RdCommand(Session session) {
        this.session = session;
    }

    private static final int STRING_LINE = 60; // crash prints -a strings 60 characters a line
    private static final int STRING_MAX = 4096;

    @Override
    public String name() {
        return "rd";
    }

    @Override
    public String synopsis() {
        return "rd [-8|-16|-32|-64] [-a] [-s] [-p|-u [-c PID]] ADDR [COUNT | -e END]   read memory";
    }

    @Override
    public String example() {
        return "rd -a linux_banner       the kernel version string, as ASCII";
    }

    /** One output line: its address and the bytes shown on it. */
    record Row(long address, byte[] bytes) {}

    /** One row as data: its address, and its text (strings) or its values (units of unitBits). */
    record RowData(@dev.kdive.value.Hex long address, String text, @dev.kdive.value.Hex List<Long> values) {}

    record Rows(String space, int unitBits, List<RowData> rows, String fault) {}

    /** @param slabs for rd -S: each word that points into a slab object, and its cache's name */
    record Dump(String space, int unit, boolean string, boolean symbolic, List<Row> rows, String fault,
                Program program, java.util.Map<Long, String> slabs) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Row r : rows) {
                out.printf("%16x:  ", r.address());
                if (string) {
                    out.println(AddressSpace.latin1(r.bytes()));
                    continue;
                }
                int perLine = 16 / unit;
                StringBuilder words = new StringBuilder();
                for (int i = 0; i < r.bytes().length / unit; i++) {
                    long v = word(r.bytes(), i * unit, unit);
                    String w = symbolic ? symbolic(v) : String.format("%0" + unit * 2 + "x", v);
                    words.append(w).append(' ');
                }
                if (symbolic) {
                    out.println(words.toString().stripTrailing());
                    continue;
                }
                int width = perLine * (unit * 2 + 1);
                out.print(String.format("%-" + width + "s", words));
                out.println("  " + ascii(r.bytes()));
            }
            if (fault != null) {
                out.println("rd: " + fault);
            }
        }

        private String symbolic(long v) {
            if (slabs.containsKey(v)) {
                return String.format("%-16s", "[" + slabs.get(v) + "]");
            }
            Optional<Symbol> s = v < 0 ? program.symbols().containing(v) : Optional.empty();
            if (s.isEmpty()) {
                return String.format("%016x", v);
            }
            long off = v - s.get().address();
            return String.format("%-16s", s.get().name() + (off == 0 ? "" : "+" + off));
        }

        @Override
        public Object json() {
            List<RowData> rs = new ArrayList<>();
            for (Row r : rows) {
                List<Long> values = new ArrayList<>();
                for (int i = 0; !string && i < r.bytes().length / unit; i++) {
                    values.add(word(r.bytes(), i * unit, unit));
                }
                rs.add(new RowData(r.address(), string ? AddressSpace.latin1(r.bytes()) : null, string ? null : values));
            }
            return new Rows(space, unit * 8, rs, fault);
        }
    }

    static long word(byte[] b, int off, int unit) {
        ByteBuffer bb = ByteBuffer.wrap(b, off, unit).order(ByteOrder.LITTLE_ENDIAN);
        return switch (unit) {
            case 1 -> b[off] & 0xffL;
            case 2 -> bb.getShort() & 0xffffL;
            case 4 -> bb.getInt() & 0xffffffffL;
            default -> bb.getLong();
        };
    }

    static String ascii(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(x >= 0x20 && x < 0x7f ? (char) x : '.');
        }
        return s.toString();
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("rd", raw, Set.of("-8", "-16", "-32", "-64", "-a", "-s", "-S", "-p", "-u", "-k"), Set.of("-e", "-c"));
        if (args.operands().isEmpty() || args.operands().size() > 2) {
            throw new UsageException("rd: usage: rd [-8|-16|-32|-64] [-a] [-s] [-p|-u] ADDR [COUNT | -e END]");
        }
        int unit = args.has("-8") ? 1 : args.has("-16") ? 2 : args.has("-32") ? 4 : 8;
        boolean string = args.has("-a");
        boolean symbolic = args.has("-s") || args.has("-S");
        if (symbolic && unit != 8) {
            throw new UsageException("rd: -s shows 64-bit words; it cannot be combined with -8/-16/-32");
        }
        long start = Args.address(p, "rd", args.operands().get(0));
        Space space = space(p, args);
        long bytes;
        if (args.value("-e").isPresent()) {
            long end = Args.address(p, "rd", args.value("-e").get());
            if (Long.compareUnsigned(end, start) <= 0) {
                throw new UsageException("rd: -e " + args.value("-e").get() + " is not above the start address");
            }
            bytes = end - start;
        } else if (args.operands().size() == 2) {
            long count = Args.number("rd", args.operands().get(1));
            if (count <= 0 || count > 1 << 24) {
                throw new UsageException("rd: count must be between 1 and " + (1 << 24));
            }
            bytes = string ? count : count * unit;
        } else {
            bytes = string ? STRING_MAX : unit;
        }
        MemoryRows read = string ? MemoryRows.string(space.memory(), start, bytes, STRING_LINE) : MemoryRows.read(space.memory(), start, bytes, 16);
        List<Row> rows = read.rows().stream().map(r -> new Row(r.address(), r.bytes())).toList();
        java.util.Map<Long, String> slabs = new java.util.HashMap<>();
        if (args.has("-S") && !string) { // crash's -S: a word pointing into a slab object shows the object's cache
            dev.kdive.kernel.Slub slub;
            try {
                slub = new dev.kdive.kernel.Slub(p);
            } catch (dev.kdive.dump.MemoryFault | dev.kdive.program.UnknownSymbolException e) {
                throw new UsageException("rd: -S needs the slab caches: " + e.getMessage());
            }
            for (Row r : rows) {
                for (int i = 0; i + 8 <= r.bytes().length; i += 8) {
                    long v = word(r.bytes(), i, 8);
                    if (!slabs.containsKey(v) && Long.compareUnsigned(v, p.layout().pageOffsetBase()) >= 0
                            && Long.compareUnsigned(v, p.layout().vmallocBase()) < 0) {
                        try {
                            slub.locate(v).ifPresent(l -> slabs.put(v, l.cache().name()));
                        } catch (dev.kdive.dump.MemoryFault f) {
                            // not readable as a slab page: shown as a number
                        }
                    }
                }
            }
        }
        return new Dump(space.name(), string ? 1 : unit, string, !string && symbolic, rows, read.fault(), p, slabs);
    }

    /** Which memory an address names, and its name for JSON. */
    record Space(String name, AddressSpace memory) {}

    private Space space(Program p, Args args) throws UsageException {
        if (args.has("-p")) {
            return new Space("physical", new PhysicalSpace(p.memory()));
        }
        if (args.has("-u") || args.value("-c").isPresent()) {
            return new Space("user", CurrentContext.userSpace(p, "rd", args.value("-c").or(session::pid)));
        }
        return new Space("kernel", p.kernel());
    }
}
