package dev.kdive.program;

import dev.kdive.dump.MemoryFault;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import dev.kdive.types.TypeRef;
import dev.kdive.types.TypeTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The C expressions crash's and gdb's {@code p} take on kernel data: symbols (with {@code :cpu}
 * for per-cpu ones), numbers, {@code *}, {@code &}, casts {@code (struct x *)ADDR}, members
 * {@code .} and {@code ->}, array indexes. Evaluated against the program's memory and types.
 */
public final class Expression {
    private final Program program;
    private final List<String> tokens;
    private int pos;

    private Expression(Program program, List<String> tokens) {
        this.program = program;
        this.tokens = tokens;
    }

    /**
     * @throws TypeException for an expression that does not parse or type-check, naming the token
     * @throws MemoryFault   when memory it must read (a pointer to follow) is not in the dump
     */
    public static KernelObject evaluate(Program program, String text) throws MemoryFault, UnknownSymbolException {
        Expression e = new Expression(program, tokenize(text));
        KernelObject v = e.unary();
        if (e.pos != e.tokens.size()) {
            throw new TypeException("unexpected \"" + e.tokens.get(e.pos) + "\" in: " + text);
        }
        return v;
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("->", i)) {
                out.add("->");
                i += 2;
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else {
                out.add(String.valueOf(c));
                i++;
            }
        }
        return out;
    }

    private String peek() {
        return pos < tokens.size() ? tokens.get(pos) : "";
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw new TypeException("the expression ends too early");
        }
        return tokens.get(pos++);
    }

    private void expect(String t) {
        String n = next();
        if (!n.equals(t)) {
            throw new TypeException("expected \"" + t + "\", found \"" + n + "\"");
        }
    }

    private KernelObject unary() throws MemoryFault, UnknownSymbolException {
        switch (peek()) {
            case "*" -> {
                next();
                return deref(unary());
            }
            case "&" -> {
                next();
                KernelObject v = unary();
                if (!v.inMemory()) {
                    throw new TypeException("& needs an object in memory");
                }
                return KernelObject.value(program, pointerTo(v.type()), v.address());
            }
            case "(" -> {
                int save = pos;
                next();
                Optional<Type> cast = typeName();
                if (cast.isPresent() && peek().equals(")")) {
                    next();
                    KernelObject v = unary();
                    return KernelObject.value(program, cast.get(), scalar(v));
                }
                pos = save;
                return postfix();
            }
            default -> {
                return postfix();
            }
        }
    }

    /** A type name: [struct|union|enum] NAME followed by '*'s, or empty when the tokens are not one. */
    private Optional<Type> typeName() {
        int save = pos;
        String first = peek();
        TypeTable types = program.types();
        Optional<Type> base;
        if (first.equals("struct") || first.equals("union") || first.equals("enum")) {
            next();
            base = types.lookup(first + " " + next());
        } else {
            base = types.lookup(first).filter(t -> !(t instanceof Type.Struct));
            if (base.isPresent()) {
                next();
            }
        }
        if (base.isEmpty()) {
            pos = save;
            return Optional.empty();
        }
        Type t = base.get();
        while (peek().equals("*")) {
            next();
            t = pointerTo(t);
        }
        return Optional.of(t);
    }

    private KernelObject postfix() throws MemoryFault, UnknownSymbolException {
        KernelObject v = primary();
        while (true) {
            switch (peek()) {
                case "." -> {
                    next();
                    v = member(v, next());
                }
                case "->" -> {
                    next();
                    v = member(deref(v), next());
                }
                case "[" -> {
                    next();
                    long index = number(next());
                    expect("]");
                    v = index(v, index);
                }
                default -> {
                    return v;
                }
            }
        }
    }

    private KernelObject primary() throws MemoryFault, UnknownSymbolException {
        String t = next();
        if (t.equals("(")) {
            KernelObject v = unary();
            expect(")");
            return v;
        }
        if (Character.isDigit(t.charAt(0))) {
            return KernelObject.value(program, new Type.Int("long unsigned int", 8, false, false, false), number(t));
        }
        long address = program.address(t);
        if (peek().equals(":")) { // per-cpu: the symbol's offset in the given CPU's area
            next();
            int cpu = (int) number(next());
            long[] offsets = program.perCpuOffsets();
            if (cpu < 0 || cpu >= offsets.length) {
                throw new TypeException("no CPU " + cpu + " (nr_cpu_ids " + offsets.length + ")");
            }
            address += offsets[cpu];
        }
        // Without a recorded type the symbol is still an address: &sym and casts of &sym work.
        return KernelObject.at(program, program.types().variable(t).orElse(new Untyped(t, program.types().source())), address);
    }

    /** A symbol whose type no source records: usable through {@code &} only. */
    record Untyped(String symbol, String source) implements Type.Opaque {
        @Override
        public String name() {
            return "<unknown type of " + symbol + ">";
        }

        @Override
        public long size() {
            return 0;
        }
    }

    private static long number(String t) {
        try {
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new TypeException("not a number: " + t);
        }
    }

    /** The scalar content of a value: an in-memory integer or pointer is read; an array decays to its address. */
    private long scalar(KernelObject v) throws MemoryFault {
        if (!v.inMemory()) {
            return v.immediate();
        }
        Type t = v.type().resolved();
        if (t instanceof Type.Array || t instanceof Type.Struct) {
            return v.address();
        }
        if (t instanceof Untyped u) {
            throw new TypeException("'" + u.symbol() + "' has unknown type (" + u.source()
                    + " records no such variable); cast its address: *(TYPE *)&" + u.symbol());
        }
        int size = (int) t.size();
        if (size < 1 || size > 8) {
            throw new TypeException("cannot use a " + size + "-byte value as a number");
        }
        byte[] b = program.kernel().read(v.address(), size);
        long x = 0;
        for (int i = size - 1; i >= 0; i--) {
            x = (x << 8) | (b[i] & 0xff);
        }
        return x;
    }

    private KernelObject deref(KernelObject v) throws MemoryFault {
        Type t = v.type().resolved();
        if (t instanceof Type.Pointer p) {
            return KernelObject.at(program, p.target().get(), scalar(v));
        }
        if (t instanceof Type.Array a) {
            return KernelObject.at(program, a.element().get(), scalar(v));
        }
        if (t instanceof Untyped u) {
            scalar(v); // names the symbol and how to cast it
        }
        throw new TypeException("cannot dereference a value that is not a pointer");
    }

    private KernelObject member(KernelObject v, String name) {
        if (v.type().resolved() instanceof Untyped) {
            try {
                scalar(v);
            } catch (MemoryFault f) {
                throw new IllegalStateException(f);
            }
        }
        if (!(v.type().resolved() instanceof Type.Struct s) || !v.inMemory()) {
            throw new TypeException("member " + name + " of a value that is not a struct or union in memory");
        }
        Type.Member m = s.member(name).orElseThrow(() -> new TypeException(s.keyword() + " " + s.name() + " has no member " + name));
        if (m.bitSize() > 0) {
            throw new TypeException(name + " is a bitfield: print the struct to see it");
        }
        return KernelObject.at(program, m.type().get(), v.address() + m.offset());
    }

    private KernelObject index(KernelObject v, long i) throws MemoryFault {
        Type t = v.type().resolved();
        if (t instanceof Type.Array a && v.inMemory()) {
            Type e = a.element().get();
            return KernelObject.at(program, e, v.address() + i * e.size());
        }
        if (t instanceof Type.Pointer p) {
            Type e = p.target().get();
            return KernelObject.at(program, e, scalar(v) + i * e.size());
        }
        throw new TypeException("[] on a value that is not an array or pointer");
    }

    private static Type pointerTo(Type t) {
        return new Type.Pointer(TypeRef.fixed(t));
    }
}
