package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Ipc;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code ipcs}: System V shared memory, semaphore arrays and message queues, crash's layout. */
final class IpcsCommand implements ShellCommand {
    /** include/linux/shm.h: mode bits beyond the permissions */
    private static final int SHM_DEST = 01000;
    private static final int SHM_LOCKED = 02000;

    @Override
    public String name() {
        return "ipcs";
    }

    @Override
    public String synopsis() {
        return "ipcs                       System V IPC: shared memory (KEY SHMID UID PERMS BYTES NATTCH), semaphores, message queues";
    }

    @Override
    public String example() {
        return "ipcs                       SHMID_KERNEL KEY … (none allocated) for each kind a system has none of";
    }

    record Listing(Ipc.Objects objects) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("SHMID_KERNEL     KEY      SHMID      UID   PERMS BYTES      NATTCH STATUS");
            for (Ipc.Object o : objects.sharedMemory()) {
                if (!o.deleted()) {
                    out.println(String.format("%-16x %08x %-10d %-5d %-5o %-10d %-6d %s %s", o.address(), o.key(), o.id(), o.uid(), o.mode() & 0777,
                            o.size(), o.count(), (o.mode() & SHM_DEST) != 0 ? "dest" : "", (o.mode() & SHM_LOCKED) != 0 ? "locked" : ""));
                }
            }
            none(out, objects.sharedMemory());
            out.println("SEM_ARRAY        KEY      SEMID      UID   PERMS NSEMS     ");
            for (Ipc.Object o : objects.semaphores()) {
                out.println(String.format("%-16x %08x %-10d %-5d %-5o %-10d", o.address(), o.key(), o.id(), o.uid(), o.mode() & 0777, o.size()));
            }
            none(out, objects.semaphores());
            out.println("MSG_QUEUE        KEY      MSQID      UID   PERMS USED-BYTES   MESSAGES    ");
            for (Ipc.Object o : objects.messageQueues()) {
                out.println(String.format("%-16x %08x %-10d %-5d %-5o %-12d %-12d", o.address(), o.key(), o.id(), o.uid(), o.mode() & 0777,
                        o.size(), o.count()));
            }
            none(out, objects.messageQueues());
            objects.findings().forEach(f -> out.println("ipcs: " + f.summary()));
        }

        private static void none(PrintWriter out, List<Ipc.Object> list) {
            if (list.stream().allMatch(Ipc.Object::deleted)) {
                out.println("(none allocated)");
            }
            out.println();
        }

        @Override
        public Object json() {
            return objects;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("ipcs: " + String.join(" ", args) + ": only the full listing is supported (-s, -m, -M, -q, -n, ID are not)");
        }
        try {
            var t = Stacks.panicTask(p).orElseGet(() -> Tasks.walk(p).tasks().getFirst());
            return new Listing(Ipc.of(p, t));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("ipcs: " + e.getMessage());
        }
    }
}
