package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.Program;
import java.util.ArrayList;
import java.util.List;

/**
 * Which tasks use a file, as crash's {@code fuser} answers: as their root or working directory, as an
 * open descriptor, or mapped into their memory. The file is named by its path or by the address of
 * its {@code file}, {@code dentry} or {@code inode}.
 */
public final class FileUsers {
    private FileUsers() {
    }

    /** One task and how it uses the file: some of "root", "cwd", "fd", "mmap", in that order. */
    public record User(Task task, List<String> uses) {}

    public record Users(String file, List<User> users, List<Finding> findings) {}

    /**
     * @param path    the file's path, or null when it is named by an address
     * @param address a {@code file}, {@code dentry} or {@code inode} address, or 0
     */
    public static Users of(Program p, String path, long address) {
        List<User> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Tasks.Walk walk = Tasks.walk(p);
        findings.addAll(walk.findings());
        List<Task> tasks = new ArrayList<>();
        try {
            tasks.addAll(Tasks.idle(p));
        } catch (MemoryFault | dev.kdive.program.UnknownSymbolException e) {
            findings.add(new dev.kdive.finding.Unavailable("idle tasks", e.getMessage()));
        }
        for (Task t : walk.tasks()) {
            if (t.pid() != 0) {
                tasks.add(t);
            }
        }
        for (Task t : tasks) {
            List<String> uses = new ArrayList<>();
            OpenFiles.Table files = OpenFiles.of(p, t);
            if (path != null && path.equals(files.root())) {
                uses.add("root");
            }
            if (path != null && path.equals(files.cwd())) {
                uses.add("cwd");
            }
            if (files.fds().stream().anyMatch(f -> path != null ? path.equals(f.path())
                    : address == f.file() || address == f.dentry() || address == f.inode())) {
                uses.add("fd");
            }
            if (t.mm() != 0 && path != null) {
                try {
                    if (MemoryMap.of(p, t).vmas().stream().anyMatch(v -> path.equals(v.path()))) {
                        uses.add("mmap");
                    }
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("pid " + t.pid() + " memory map", f));
                }
            }
            if (!uses.isEmpty()) {
                out.add(new User(t, uses));
            }
        }
        return new Users(path != null ? path : Long.toHexString(address), out, findings);
    }
}
