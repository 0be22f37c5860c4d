package dev.kdive.kernel;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.program.Program;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens a crashed Linux kernel as a {@link Program} with the kernel layer's finders registered,
 * as drgn's {@code program_from_kernel()} does: symbols of loaded modules come from each
 * {@code struct module}'s kallsyms, read on first use.
 */
public final class Kernel {
    private Kernel() {
    }

    /** {@return the program of a dump, with the matching vmlinux when there is one; see {@link Program#open}} */
    public static Program open(Path dump, Optional<Path> vmlinux) throws IOException, DumpFormatException {
        Program p = Program.open(dump, vmlinux);
        p.addSymbolFinder(Modules.finder(p));
        return p;
    }
}
