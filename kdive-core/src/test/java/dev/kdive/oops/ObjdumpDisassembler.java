package dev.kdive.oops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** binutils' objdump as a {@link Disassembler}: the reference the kdive disassembler's spelling must equal. */
final class ObjdumpDisassembler implements Disassembler {
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(.*)$");

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/objdump"));
    }

    @Override
    public List<Instruction> disassemble(byte[] code, long address) {
        try {
            Path f = Files.createTempFile("kdive-code", ".bin");
            try {
                Files.write(f, code);
                Process p = new ProcessBuilder("/usr/bin/objdump", "-D", "-w", "-b", "binary", "-m", "i386:x86-64",
                        "--adjust-vma=0x" + Long.toHexString(address), f.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor();
                List<Instruction> ins = new ArrayList<>();
                for (String l : out.lines().toList()) {
                    Matcher m = LINE.matcher(l);
                    if (m.matches()) {
                        ins.add(new Instruction(Long.parseUnsignedLong(m.group(1), 16), m.group(2).split(" ").length,
                                m.group(3).replaceAll("\\s+$", "")));
                    }
                }
                return ins;
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
