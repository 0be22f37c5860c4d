package dev.kdive.program;

import dev.kdive.dump.MemoryFault;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.MissingLayoutException;
import dev.kdive.types.TypeException;

/**
 * A typed object of the crashed kernel, as drgn's {@code Object}: in memory at an address (an
 * lvalue: a variable, a struct, a member), or a value computed from others (an address taken, a
 * pointer cast, a constant) held in {@code immediate}. Members are read by name through the
 * program's types (BTF or DWARF), never through offsets written into kdive. The one object model
 * of kdive: kernel helpers and the expression evaluator ({@code p}) both use it.
 *
 * @param inMemory  whether the object lives at {@code address}; else it is {@code immediate}
 * @param immediate the value of an object not in memory
 */
public record KernelObject(Program program, Type type, long address, boolean inMemory, long immediate) {
    /** {@return an object of a struct or union type in memory} */
    public KernelObject(Program program, Type.Struct type, long address) {
        this(program, type, address, true, 0);
    }

    /** {@return the object of {@code type} at {@code address}} */
    public static KernelObject at(Program p, Type type, long address) {
        return new KernelObject(p, type, address, true, 0);
    }

    /** {@return a computed object of {@code type} whose value is {@code value}} */
    public static KernelObject value(Program p, Type type, long value) {
        return new KernelObject(p, type, 0, false, value);
    }

    /**
     * {@return the object's bytes: its type's size, at least 1 and at most {@code max} (a flexible
     * or absurd size is cut)} An object not in memory has none to read.
     */
    public byte[] bytes(int max) throws MemoryFault {
        if (!inMemory) {
            throw new TypeException("a computed value (" + Declarations.name(type) + ") has no bytes in memory");
        }
        return program.kernel().read(address, (int) Math.max(1, Math.min(type.size(), max)));
    }

    /** {@return the object's struct or union type, typedefs and qualifiers resolved} */
    public Type.Struct struct() {
        if (type.resolved() instanceof Type.Struct s) {
            return s;
        }
        throw new TypeException(Declarations.name(type) + " is not a struct or union");
    }

    /** {@return the object of struct {@code structName} at {@code address}} */
    public static KernelObject at(Program p, String structName, long address) {
        Type t = p.types().lookup("struct " + structName)
                .orElseThrow(() -> new MissingLayoutException(p.types().source() + " has no struct " + structName));
        return new KernelObject(p, (Type.Struct) t, address);
    }

    /** {@return a member by name or dotted path ("thread_info.cpu"), its offset from the object's start} */
    public Type.Member member(String path) {
        Type.Struct s = struct();
        long bits = 0;
        Type.Member found = null;
        for (String part : path.split("\\.")) {
            final Type.Struct in = s;
            Type.Member m = s.member(part).orElseThrow(() -> new MissingLayoutException(
                    in.keyword() + " " + in.name() + " has no member " + part + " (" + program.types().source() + ")"));
            bits += m.bitOffset();
            found = new Type.Member(m.name(), m.type(), bits, m.bitSize());
            if (m.type().get().resolved() instanceof Type.Struct inner) {
                s = inner;
            }
        }
        return found;
    }

    /** {@return the address of a member} */
    public long addressOf(String path) {
        return address + member(path).offset();
    }

    /** {@return an integer, enum or pointer member (or a bitfield), zero-extended (sign-extended when signed)} */
    public long read(String path) throws MemoryFault {
        Type.Member m = member(path);
        Type t = m.type().get().resolved();
        int size = (int) t.size();
        if (size < 1 || size > 8) {
            throw new TypeException("member " + path + " of struct " + type.name() + " is not a plain integer or pointer");
        }
        if (m.bitSize() > 0) {
            return bits(m);
        }
        byte[] b = program.kernel().read(address + m.offset(), size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        boolean signed = t instanceof Type.Int i && i.signed() || t instanceof Type.Enum e && e.signed();
        if (signed && size < 8) {
            v = (v << (64 - 8 * size)) >> (64 - 8 * size);
        }
        return v;
    }

    /** A bitfield (struct slab's inuse:16/objects:15/frozen:1): its bits wherever the types put them, zero-extended. */
    private long bits(Type.Member m) throws MemoryFault {
        int shift = (int) (m.bitOffset() % 8);
        int bytes = (shift + m.bitSize() + 7) / 8;
        byte[] b = program.kernel().read(address + m.offset(), bytes);
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        v >>>= shift;
        return m.bitSize() >= 64 ? v : v & ((1L << m.bitSize()) - 1);
    }

    /** {@return a char-array member as text, up to its first NUL} */
    public String string(String path) throws MemoryFault {
        Type.Member m = member(path);
        return program.kernel().cstring(address + m.offset(), (int) Math.max(1, m.type().get().size()));
    }

    /** {@return the object a pointer member points at, as struct {@code structName}} */
    public KernelObject follow(String path, String structName) throws MemoryFault {
        return at(program, structName, read(path));
    }
}
