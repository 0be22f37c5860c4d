package dev.kdive.triage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A platform or firmware warning in the kernel log, with what it means for a crash. Engineers read
 * these before blaming code: a broken DMAR table, interrupt remapping without x2APIC, machine checks
 * and corrected memory errors can all explain corruption that no code path shows.
 *
 * @param kind    what it is
 * @param line    the log line, as printed
 * @param meaning what it tells a reviewer
 */
public record PlatformHint(Kind kind, String line, String meaning) {
    /** The warnings kdive knows, each with the kernel message it is recognised by (the kernel file that prints it). */
    public enum Kind {
        /** drivers/iommu/intel/dmar.c warn_invalid_dmar(): the ACPI DMAR table is unusable. */
        DMAR_BROKEN(Pattern.compile("Your BIOS is broken; DMAR"),
                "the firmware's DMAR (VT-d) table is invalid, so the kernel runs without the IOMMU's DMA and interrupt remapping; "
                        + "a device's stray DMA then lands in memory unchecked"),
        /** drivers/iommu/intel/irq_remapping.c: the DMAR table's x2APIC opt-out flag. */
        X2APIC_OPT_OUT(Pattern.compile("x2apic is disabled because BIOS sets x2apic opt out bit"),
                "the firmware asked the kernel to stay in xAPIC mode (DMAR opt-out flag); interrupt remapping runs in xapic mode"),
        /** arch/x86/kernel/apic/apic.c try_to_enable_x2apic(): no interrupt remapping, so no x2APIC. */
        X2APIC_WITHOUT_REMAPPING(Pattern.compile("IRQ remapping doesn't support X2APIC mode"),
                "x2APIC was switched off because interrupt remapping is not available (VT-d off in the firmware, or a kernel without "
                        + "CONFIG_IRQ_REMAP); CPUs with APIC IDs above 255 cannot then be used"),
        /** drivers/iommu/intel/dmar.c dmar_fault(): the IOMMU blocked a device's DMA. */
        DMA_FAULT(Pattern.compile("DMAR: \\[DMA (Read|Write)|DMAR: DRHD: handling fault"),
                "a device did DMA to an address the IOMMU had not mapped for it: a driver or firmware (RMRR) bug; without the IOMMU "
                        + "the same DMA would have written memory"),
        /** arch/x86/kernel/cpu: a CPU erratum that the loaded microcode leaves unfixed. */
        MICROCODE(Pattern.compile("please update microcode|microcode: .*(?:update failed|is too old)", Pattern.CASE_INSENSITIVE),
                "the CPU runs microcode older than its known errata need; update the microcode package or the BIOS"),
        /** include/linux/printk.h FW_BUG: the kernel caught the firmware in a defect. */
        FIRMWARE_BUG(Pattern.compile("\\[Firmware Bug\\]"),
                "the kernel caught the firmware in a defect and worked around it; a BIOS update is the fix"),
        /** arch/x86/kernel/cpu/mce and drivers/edac: the hardware reported an error. */
        MACHINE_CHECK(Pattern.compile("mce: \\[Hardware Error\\]|Machine check events logged|EDAC \\S+: \\d+ (CE|UE) |"
                + "\\[Hardware Error\\]:"), "the hardware reported an error (a machine check, a corrected or uncorrected memory error); "
                + "memory or CPU faults corrupt data in ways no code path explains"),
        /** drivers/acpi/acpica: the firmware's AML refers to something that does not exist. */
        ACPI_ERROR(Pattern.compile("ACPI BIOS Error|ACPI Error: "),
                "the firmware's ACPI tables have a bug; usually harmless, unless the crash involves the device the method belongs to");

        private final Pattern pattern;
        private final String meaning;

        Kind(Pattern pattern, String meaning) {
            this.pattern = pattern;
            this.meaning = meaning;
        }

        public String words() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** At most this many lines of one kind: a flood of ACPI errors is one hint. */
    private static final int PER_KIND = 3;

    /** {@return the platform warnings in a log, in log order; the more specific kind wins for a line} */
    public static List<PlatformHint> scan(String log) {
        List<PlatformHint> out = new ArrayList<>();
        int[] seen = new int[Kind.values().length];
        for (String line : log.split("\n")) {
            for (Kind k : Kind.values()) {
                if (k.pattern.matcher(line).find()) {
                    if (seen[k.ordinal()]++ < PER_KIND) {
                        out.add(new PlatformHint(k, line.strip(), k.meaning));
                    }
                    break;
                }
            }
        }
        return out;
    }
}
