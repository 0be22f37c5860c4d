package dev.kdive.dwarf;

/** Malformed DWARF: names the section and the offset where reading stopped. */
public final class DwarfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DwarfException(String section, long offset, String expected) {
        super(section + " offset 0x" + Long.toHexString(offset) + ": expected " + expected);
    }
}
