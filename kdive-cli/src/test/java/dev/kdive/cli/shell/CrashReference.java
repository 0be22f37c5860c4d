package dev.kdive.cli.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the reference tool, crash 8.0.2 ({@code crash -s VMLINUX DUMP} with commands on standard
 * input), and returns each command's output. A run takes 6-8 s, so outputs are kept beside the
 * dump, keyed by the command script; a changed script runs crash again.
 */
final class CrashReference {
    private static final Pattern MARK = Pattern.compile("==KDIVE== (\\d+)\\n?");

    private CrashReference() {
    }

    static List<String> outputs(Path vmlinux, Path dump, List<String> commands) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < commands.size(); i++) {
            script.append("echo ==KDIVE== ").append(i).append('\n').append(commands.get(i)).append('\n');
        }
        script.append("echo ==KDIVE== ").append(commands.size()).append('\n');
        Path cache = dump.resolveSibling(".crash").resolve(dump.getFileName() + "." + sha(script.toString()) + ".txt");
        if (!Files.isRegularFile(cache)) {
            Files.createDirectories(cache.getParent());
            Path part = Files.createTempFile(cache.getParent(), "crash", ".part");
            Process p = new ProcessBuilder("crash", "-s", vmlinux.toString(), dump.toString())
                    .redirectErrorStream(true).redirectOutput(part.toFile()).start();
            p.getOutputStream().write(script.toString().getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("crash on " + dump + " did not finish in 180 s");
            }
            Files.move(part, cache, StandardCopyOption.ATOMIC_MOVE);
        }
        String all = Files.readString(cache, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        Matcher m = MARK.matcher(all);
        int prev = -1;
        while (m.find()) {
            if (prev >= 0) {
                out.add(all.substring(prev, m.start()));
            }
            prev = m.end();
        }
        if (out.size() != commands.size()) {
            throw new IOException("crash on " + dump + " answered " + out.size() + " of " + commands.size() + " commands; see " + cache);
        }
        return out;
    }

    private static String sha(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
