package dev.kdive.triage;

import dev.kdive.value.Hex;

/**
 * One frame of the crashing stack as the analysis shows it: from the dump's ORC unwind, or from the
 * log's call trace.
 *
 * @param ip        the code address; null when the log printed only the symbol
 * @param function  the function; null when no symbol covers the address
 * @param offset    the offset into the function
 * @param module    the module, or null for the kernel image
 * @param source    FILE:LINE when the vmlinux's DWARF knows it, else null
 * @param exception whether an exception or interrupt frame's registers sit here (where it faulted)
 */
public record StackFrame(@Hex Long ip, String function, long offset, String module, String source, boolean exception) {
    /** {@return "function+0xoff [module]", as bt and oops print a frame} */
    public String symbol() {
        return (function == null ? (ip == null ? "?" : "0x" + Long.toHexString(ip)) : function + "+0x" + Long.toHexString(offset))
                + (module == null ? "" : " [" + module + "]");
    }
}
