package dev.kdive.kernel;

import dev.kdive.value.Hex;
import dev.kdive.finding.Finding;
import dev.kdive.value.Hex;
import dev.kdive.dump.MemoryFault;
import dev.kdive.value.Hex;
import dev.kdive.program.KernelObject;
import dev.kdive.value.Hex;
import dev.kdive.program.Program;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import dev.kdive.value.Hex;
import java.util.List;

/**
 * A task's open files (crash's {@code files}): {@code task->files->fdt->fd[]}, each struct file's
 * dentry, inode and type (i_mode's S_IFMT), and its path built the way d_path does: dentry names up
 * to the mount's root, then across to the mountpoint in the parent mount (fs/d_path.c). Pipes and
 * sockets, whose names pipefs and sockfs make up, are named "pipe:[ino]" and "socket:[ino]" as
 * /proc/PID/fd shows them.
 */
public final class OpenFiles {
    private static final int MAX_DEPTH = 256;

    /** One descriptor. */
    public record Fd(int fd, @Hex long file, @Hex long dentry, @Hex long inode, String type, String path) {}

    /** The descriptors found, root and cwd, and what could not be read. */
    public record Table(Task task, String root, String cwd, List<Fd> fds, List<Finding> problems) {}

    private OpenFiles() {
    }

    public static Table of(Program p, Task task) {
        List<Fd> fds = new ArrayList<>();
        List<Finding> problems = new ArrayList<>();
        String root = "?";
        String cwd = "?";
        try {
            KernelObject t = KernelObject.at(p, "task_struct", task.address());
            long fsStruct = t.read("fs");
            if (fsStruct != 0) {
                KernelObject fs = KernelObject.at(p, "fs_struct", fsStruct);
                root = path(p, fs.read("root.mnt"), fs.read("root.dentry"));
                cwd = path(p, fs.read("pwd.mnt"), fs.read("pwd.dentry"));
            }
            long files = t.read("files");
            if (files == 0) {
                return new Table(task, root, cwd, fds, problems);
            }
            KernelObject fdt = KernelObject.at(p, "files_struct", files).follow("fdt", "fdtable");
            int max = (int) Math.min(fdt.read("max_fds"), 1 << 20);
            long array = fdt.read("fd");
            for (int i = 0; i < max; i++) {
                long file = p.kernel().u64(array + i * 8L);
                if (file == 0) {
                    continue;
                }
                try {
                    fds.add(fd(p, i, KernelObject.at(p, "file", file)));
                } catch (MemoryFault f) {
                    problems.add(dev.kdive.finding.UnreadableMemory.of("fd " + i, f));
                }
            }
        } catch (MemoryFault f) {
            problems.add(dev.kdive.finding.UnreadableMemory.of("files of pid " + task.pid(), f));
        }
        return new Table(task, root, cwd, fds, problems);
    }

    private static Fd fd(Program p, int fd, KernelObject file) throws MemoryFault {
        long dentry = file.read("f_path.dentry");
        long inode = file.read("f_inode");
        int mode = inode == 0 ? 0 : (int) KernelObject.at(p, "inode", inode).read("i_mode");
        String type = switch (mode & 0170000) { // S_IFMT, include/uapi/linux/stat.h
            case 0140000 -> "SOCK";
            case 0120000 -> "LNK";
            case 0100000 -> "REG";
            case 060000 -> "BLK";
            case 040000 -> "DIR";
            case 020000 -> "CHR";
            case 010000 -> "FIFO";
            default -> "?";
        };
        long ino = inode == 0 ? 0 : KernelObject.at(p, "inode", inode).read("i_ino");
        String path = switch (type) {
            case "SOCK" -> "socket:[" + ino + "]";
            case "FIFO" -> name(p, dentry).isEmpty() || name(p, dentry).equals("/") ? "pipe:[" + ino + "]"
                    : path(p, file.read("f_path.mnt"), dentry);
            default -> path(p, file.read("f_path.mnt"), dentry);
        };
        return new Fd(fd, file.address(), dentry, inode, type, path);
    }

    private static String name(Program p, long dentry) throws MemoryFault {
        KernelObject d = KernelObject.at(p, "dentry", dentry);
        long name = d.read("d_name.name");
        return name == 0 ? "" : p.kernel().cstring(name, 256);
    }

    /** d_path: names up to the mount root, then the mountpoint in the parent mount, until the root mount. */
    static String path(Program p, long vfsmount, long dentry) throws MemoryFault {
        if (dentry == 0) {
            return "?";
        }
        KernelObject mountType = KernelObject.at(p, "mount", 0);
        long mntOffset = mountType.member("mnt").offset(); // struct mount embeds struct vfsmount mnt
        long mount = vfsmount == 0 ? 0 : vfsmount - mntOffset;
        List<String> parts = new ArrayList<>();
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            KernelObject d = KernelObject.at(p, "dentry", dentry);
            long parent = d.read("d_parent");
            if (mount != 0) {
                KernelObject m = KernelObject.at(p, "mount", mount);
                long mntRoot = m.read("mnt.mnt_root");
                if (dentry == mntRoot) {
                    long parentMount = m.read("mnt_parent");
                    if (parentMount == mount || parentMount == 0) {
                        break; // the root of the namespace
                    }
                    dentry = m.read("mnt_mountpoint");
                    mount = parentMount;
                    continue;
                }
            }
            if (parent == dentry || parent == 0) {
                break;
            }
            parts.add(name(p, dentry));
            dentry = parent;
        }
        StringBuilder s = new StringBuilder();
        for (int i = parts.size() - 1; i >= 0; i--) {
            s.append('/').append(parts.get(i));
        }
        return s.isEmpty() ? "/" : s.toString();
    }
}
