package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The EFLAGS register bit by bit, as defined in the Intel SDM vol. 1, section 3.4.3 "EFLAGS
 * Register" (figure 3-8): status flags CF PF AF ZF SF OF, control flag DF, system flags TF IF
 * IOPL NT RF VM AC VIF VIP ID. Bit 1 is reserved and always reads 1; bits 3, 5, 15, 22-31 are reserved 0.
 *
 * @param value the register as printed
 * @param set   the set single-bit flags, low bit first
 * @param iopl  the I/O privilege level, bits 12-13
 */
public record Eflags(@Hex long value, List<Bit> set, int iopl) {
    /** One single-bit flag: its bit, abbreviation and the SDM's name. */
    public enum Bit {
        CF(0, "carry"), PF(2, "parity"), AF(4, "auxiliary carry"), ZF(6, "zero"), SF(7, "sign"),
        TF(8, "trap"), IF(9, "interrupt enable"), DF(10, "direction"), OF(11, "overflow"),
        NT(14, "nested task"), RF(16, "resume"), VM(17, "virtual-8086 mode"), AC(18, "alignment check / access control"),
        VIF(19, "virtual interrupt"), VIP(20, "virtual interrupt pending"), ID(21, "identification");

        public final int bit;
        public final String meaning;

        Bit(int bit, String meaning) {
            this.bit = bit;
            this.meaning = meaning;
        }
    }

    public Eflags {
        set = List.copyOf(set);
    }

    /** The register decoded from its value. */
    public Eflags(long value) {
        this(value, bits(value), (int) (value >>> 12 & 3));
    }

    private static List<Bit> bits(long value) {
        List<Bit> out = new ArrayList<>();
        for (Bit b : Bit.values()) {
            if ((value >>> b.bit & 1) != 0) {
                out.add(b);
            }
        }
        return out;
    }

    /** {@return whether the flag is set} */
    public boolean has(Bit b) {
        return (value >>> b.bit & 1) != 0;
    }

    /** {@return whether bit 1, which always reads 1 on real hardware, is set: a clear one means the value is not a real EFLAGS} */
    public boolean reservedOneSet() {
        return (value & 2) != 0;
    }

    /** {@return bits the SDM reserves as 0 that are set (bits 3, 5, 15, 22-63)} */
    public long reservedSet() {
        return value & ~0x3f7fd7L;
    }

    /** {@return "IF SF RF IOPL=0" style: set flags, then IOPL} */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (Bit f : set()) {
            b.append(f.name()).append(' ');
        }
        b.append("IOPL=").append(iopl());
        if (reservedSet() != 0) {
            b.append(String.format(" reserved=%x", reservedSet()));
        }
        if (!reservedOneSet()) {
            b.append(" (bit 1 clear: not a real EFLAGS value)");
        }
        return b.toString();
    }
}
