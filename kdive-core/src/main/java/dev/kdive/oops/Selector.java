package dev.kdive.oops;

import dev.kdive.value.Hex;

/**
 * A segment selector (CS, SS, DS...) as the oops prints it ("CS: 0010", "RSP: 0018:..."): Intel SDM
 * vol. 3A section 3.4.2 "Segment Selectors" (figure 3-6): bits 0-1 RPL, bit 2 TI (0 GDT, 1 LDT),
 * bits 3-15 the descriptor index. The RPL of CS is the current privilege level (vol. 3A section
 * 5.5): ring 0 is the kernel, ring 3 user mode. Linux's GDT (arch/x86/include/asm/segment.h):
 * 0x10 __KERNEL_CS, 0x18 __KERNEL_DS, 0x23 __USER32_CS, 0x2b __USER_DS, 0x33 __USER_CS.
 */
public record Selector(@Hex int value, int rpl, boolean ldt, int index) {
    /** The selector decoded from its value: {@code rpl} bits 0-1, {@code ldt} the TI bit (LDT rather than GDT), {@code index} bits 3-15. */
    public Selector(int value) {
        this(value, value & 3, (value & 4) != 0, value >>> 3);
    }

    /** {@return Linux's name for this selector, or null} */
    public String linuxName() {
        return switch (value) {
            case 0x10 -> "__KERNEL_CS";
            case 0x18 -> "__KERNEL_DS";
            case 0x23 -> "__USER32_CS";
            case 0x2b -> "__USER_DS";
            case 0x33 -> "__USER_CS";
            case 0x08 -> "__KERNEL32_CS";
            default -> null;
        };
    }

    /** {@return "ring 0 (kernel mode)" etc.} */
    public String describe() {
        String mode = switch (rpl()) {
            case 0 -> "kernel mode";
            case 3 -> "user mode";
            default -> "unusual ring";
        };
        String name = linuxName();
        return String.format("%04x: ring %d (%s), %s index %d%s", value, rpl(), mode, ldt() ? "LDT" : "GDT", index(),
                name == null ? "" : ", " + name);
    }
}
