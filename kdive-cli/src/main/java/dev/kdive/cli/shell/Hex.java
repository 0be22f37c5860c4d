package dev.kdive.cli.shell;

/** Addresses in JSON are hex strings: 64-bit values do not survive JSON numbers in most readers. */
final class Hex {
    private Hex() {
    }

    static String of(long v) {
        return "0x" + Long.toHexString(v);
    }
}
