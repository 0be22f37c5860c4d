package dev.kdive.dump;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What kdive keeps between runs in {@code ~/.cache/kdive/}: indexes of one kernel build's symbols,
 * types and BTF, named by its build id, so a second look at a dump of that kernel decodes nothing
 * again. Every file is only a saving of time: one that cannot be written or read is made anew.
 */
public final class UserCache {
    private UserCache() {
    }

    /** {@return the cache file {@code name} of this kind: {@code ~/.cache/kdive/KIND/NAME}} */
    public static Path file(String kind, String name) {
        return Path.of(System.getProperty("user.home"), ".cache", "kdive", kind, name);
    }

    /**
     * Writes {@code bytes} (from its position to its limit) beside {@code file}, then renames it into
     * place: a reader sees a whole file or none. A failure leaves nothing behind and is not reported.
     */
    public static void save(Path file, ByteBuffer bytes) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = bytes.duplicate();
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // nothing more to clean up
            }
        }
    }

    /** Saves made beside the work that needed their contents: one thread, in order. */
    private static final java.util.concurrent.ExecutorService SAVER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kdive-cache");
        t.setDaemon(true);
        return t;
    });
    private static final java.util.Queue<java.util.concurrent.Future<?>> PENDING = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * {@link #save}s what {@code contents} makes (null: nothing) on a thread of its own: the run that first meets a
     * kernel build goes on while its indexes are made and written (a second core does it), and
     * {@link #finishSaving} waits for them before the process ends.
     */
    public static void saveLater(Path file, java.util.function.Supplier<ByteBuffer> contents) {
        PENDING.add(SAVER.submit(() -> {
            ByteBuffer b = contents.get();
            if (b != null) {
                save(file, b);
            }
        }));
    }

    /**
     * Waits until every {@link #saveLater} so far is written. A file that cannot be written is only
     * time lost ({@link #save}); anything else thrown while making one is kdive's own bug, thrown here.
     */
    public static void finishSaving() {
        java.util.concurrent.Future<?> f;
        while ((f = PENDING.poll()) != null) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** {@return the file mapped read-only for as long as the value is reachable; empty when it is absent or unreadable} */
    public static Optional<MemorySegment> map(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return Optional.of(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto()));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
