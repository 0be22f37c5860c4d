package dev.kdive.dump;

/**
 * A read that memory could not satisfy: the page was filtered out, never dumped, unreadable, or the
 * address does not translate. Callers report it and go on; it names the address and why.
 */
public final class MemoryFault extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of address failed, in crash's words. */
    public enum Space {
        PHYSICAL("physical address"), KERNEL("kernel virtual address"), USER("user virtual address");

        private final String words;

        Space(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    private final Space space;
    private final long address;
    private final String reason;

    public MemoryFault(Space space, long address, String reason) {
        super(space + " " + Long.toHexString(address) + ": " + reason);
        this.space = space;
        this.address = address;
        this.reason = reason;
    }

    public Space space() {
        return space;
    }

    public long address() {
        return address;
    }

    /** {@return why the read failed, without the address} */
    public String reason() {
        return reason;
    }
}
