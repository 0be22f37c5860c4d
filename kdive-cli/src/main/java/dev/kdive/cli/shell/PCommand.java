package dev.kdive.cli.shell;

import java.io.PrintWriter;

import dev.kdive.dump.MemoryFault;
import dev.kdive.program.Expression;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.program.KernelObject;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.util.List;

/** {@code p EXPR}: gdb's print of kernel data, "$N = value", numbered per session as crash does. */
final class PCommand implements ShellCommand {
    private int counter;

    /**
     * What p printed: gdb's "$N = text", and the same value as data.
     *
     * @param address where the value lives; null for a computed one (an address, a constant)
     */
    /** What p printed, as data: the value as JSON-ready data besides gdb's text. */
    record Data(int number, String expression, String type, @dev.kdive.value.Hex Long address, String text, Object value) {}

    record Printed(int number, String expression, String type, Long address, String text, java.util.function.Supplier<Object> value)
            implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("$" + number + " = " + text);
        }

        @Override
        public Object json() { // the value as data is worked out from the bytes already read, only for JSON
            return new Data(number, expression, type, address, text, value.get());
        }
    }

    @Override
    public String name() {
        return "p";
    }

    @Override
    public String synopsis() {
        return "p EXPR                   print: SYMBOL[:cpu], *(struct x *)ADDR, ptr->member, a.b, a[i], &x";
    }

    @Override
    public String example() {
        return "p runqueues:0.nr_running   a member of CPU 0's copy of a per-CPU variable";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("p: give an expression");
        }
        String expr = String.join(" ", args);
        try {
            KernelObject v = Expression.evaluate(p, expr);
            Type t = v.type().resolved();
            if (t instanceof Type.Opaque) {
                throw new UsageException("p: " + t.name() + " (" + p.types().source()
                        + " records no such variable); cast its address: *(TYPE *)&" + expr.strip());
            }
            String text;
            java.util.function.Supplier<Object> data;
            if (!v.inMemory()) {
                text = t instanceof Type.Pointer ? "(" + Declarations.name(v.type()) + ") 0x" + Long.toHexString(v.immediate())
                        : Long.toString(v.immediate());
                Object constant = t instanceof Type.Pointer ? Hex.of(v.immediate()) : (Object) v.immediate();
                data = () -> constant;
            } else {
                byte[] bytes = v.bytes(1 << 20);
                String value = new dev.kdive.program.GdbFormat(p.kernel()).format(v.type(), bytes, 0, 0, 0, 0);
                text = t instanceof Type.Pointer ? "(" + Declarations.name(v.type()) + ") " + value : value;
                Type type = v.type();
                data = () -> ObjectData.of(type, bytes, 0, 0, 0);
            }
            return new Printed(++counter, expr, Declarations.name(v.type()), v.inMemory() ? v.address() : null, text, data);
        } catch (TypeException | UnknownSymbolException e) {
            throw new UsageException("p: " + e.getMessage());
        } catch (MemoryFault f) {
            return Text.of("p: " + f.getMessage());
        }
    }
}
