package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * System V IPC objects of an IPC namespace, as crash's {@code ipcs} lists them (ipc/util.h): the
 * namespace's {@code ids[]} (0 semaphores, 1 message queues, 2 shared memory), each an IDR
 * ({@code ipcs_idr}, an XArray) of {@code kern_ipc_perm} embedded in {@code sem_array.sem_perm},
 * {@code msg_queue.q_perm} and {@code shmid_kernel.shm_perm}.
 */
public final class Ipc {
    private Ipc() {
    }

    /**
     * One object.
     *
     * @param address the containing {@code shmid_kernel}, {@code sem_array} or {@code msg_queue}
     * @param size    shared memory: bytes; semaphores: how many; messages: bytes queued
     * @param count   shared memory: attaches; messages: messages queued; semaphores: 0
     */
    public record Object(@Hex long address, int key, int id, long uid, int mode, long size, long count, boolean deleted) {}

    public record Objects(List<Object> sharedMemory, List<Object> semaphores, List<Object> messageQueues, List<Finding> findings) {}

    public static Objects of(Program p, Task task) throws MemoryFault, UnknownSymbolException {
        long ns = p.address("init_ipc_ns");
        long nsproxy = KernelObject.at(p, "task_struct", task.address()).read("nsproxy");
        if (nsproxy != 0 && KernelObject.at(p, "nsproxy", nsproxy).read("ipc_ns") != 0) {
            ns = KernelObject.at(p, "nsproxy", nsproxy).read("ipc_ns");
        }
        KernelObject n = KernelObject.at(p, "ipc_namespace", ns);
        long idsSize = KernelObject.at(p, "ipc_ids", 0).struct().size();
        List<Finding> findings = new ArrayList<>();
        return new Objects(objects(p, n.addressOf("ids") + 2 * idsSize, "shmid_kernel", "shm_perm", findings),
                objects(p, n.addressOf("ids"), "sem_array", "sem_perm", findings),
                objects(p, n.addressOf("ids") + idsSize, "msg_queue", "q_perm", findings), findings);
    }

    private static List<Object> objects(Program p, long ids, String struct, String perm, List<Finding> findings) throws MemoryFault {
        KernelObject i = KernelObject.at(p, "ipc_ids", ids);
        List<Object> out = new ArrayList<>();
        if (i.read("in_use") == 0) {
            return out;
        }
        Trees.Walk<Trees.Slot> w = Trees.xarray(p, struct + " ids", i.read("ipcs_idr.idr_rt.xa_head"));
        findings.addAll(w.findings());
        long permOffset = KernelObject.at(p, struct, 0).member(perm).offset();
        for (Trees.Slot s : w.nodes()) {
            try {
                KernelObject o = KernelObject.at(p, struct, s.entry() - permOffset);
                KernelObject k = KernelObject.at(p, "kern_ipc_perm", s.entry());
                long size = switch (struct) {
                    case "shmid_kernel" -> o.read("shm_segsz");
                    case "sem_array" -> o.read("sem_nsems");
                    default -> o.read("q_cbytes");
                };
                long count = switch (struct) {
                    case "shmid_kernel" -> o.read("shm_nattch");
                    case "sem_array" -> 0;
                    default -> o.read("q_qnum");
                };
                out.add(new Object(o.address(), (int) k.read("key"), (int) k.read("id"), k.read("uid.val"), (int) k.read("mode"), size, count,
                        k.read("deleted") != 0));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of(struct + " at kern_ipc_perm " + Long.toHexString(s.entry()), f));
            }
        }
        return out;
    }
}
