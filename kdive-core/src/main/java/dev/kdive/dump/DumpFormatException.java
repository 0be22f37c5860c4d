package dev.kdive.dump;

import java.nio.file.Path;

/** A dump file that cannot be used as what it claims to be; the message names file, offset and expectation. */
public final class DumpFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DumpFormatException(Path file, long offset, String expected) {
        super(file + ": at offset 0x" + Long.toHexString(offset) + ": " + expected);
    }
}
