package dev.kdive.dump;

import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code kdive info} says of a dump file: its container, compression and dump level, how many
 * pages it holds or left out, its ELF notes by kind, and the VMCOREINFO facts that identify the
 * kernel. A part that cannot be read is named with why, and the rest is still given.
 *
 * @param compression  kdump-compressed only: zlib, lzo, snappy, zstd or none; null for ELF
 * @param dumpLevel    makedumpfile's -d; null for ELF
 * @param pages        null when the page index is unusable ({@code pagesProblem} says why)
 * @param notes        note kinds ("CORE NT_PRSTATUS", "QEMU/0", "VMCOREINFO/0") and how many of each
 * @param release      VMCOREINFO's OSRELEASE; null without VMCOREINFO
 * @param vmcoreinfo   how many VMCOREINFO entries; 0 without
 */
public record DumpSummary(String path, String format, String compression, Integer dumpLevel, PhysicalMemory.Census pages,
                          String pagesProblem, Map<String, Integer> notes, String notesProblem, String release, String pageSize,
                          String kernelOffset, int vmcoreinfo) {

    /** {@return the summary of an open dump} */
    public static DumpSummary of(DumpFile d) throws DumpFormatException {
        String compression = null;
        Integer level = null;
        PhysicalMemory.Census pages = null;
        String pagesProblem = null;
        try {
            PhysicalMemory m = d.memory();
            pages = m.census();
            if (m instanceof DiskDumpMemory dd) {
                compression = dd.compression();
                level = dd.dumpLevel();
            }
        } catch (DumpFormatException e) {
            pagesProblem = e.getMessage();
        }
        Map<String, Integer> notes = new TreeMap<>();
        String notesProblem = null;
        try {
            d.notes().forEach(n -> notes.merge(n.name() + (n.type() == Note.NT_PRSTATUS && n.name().equals("CORE") ? " NT_PRSTATUS"
                    : "/" + n.type()), 1, Integer::sum));
        } catch (DumpFormatException e) {
            notesProblem = e.getMessage();
        }
        Map<String, String> v = d.vmcoreinfo().map(Vmcoreinfo::parse).orElse(Map.of());
        return new DumpSummary(d.path().toString(), d.formatName(), compression, level, pages, pagesProblem, Map.copyOf(notes), notesProblem,
                v.get("OSRELEASE"), v.get("PAGESIZE"), v.get("KERNELOFFSET"), v.size());
    }
}
