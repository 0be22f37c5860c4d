package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.kernel.Kernel;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The crash commands kdive gained with issue 20, against the kernel's own suite's crash on every
 * lab scenario's ELF core: the same command lines, crash with the debug vmlinux, kdive with the dump
 * alone. Outputs are equal line for line, except where crash is wrong or prints char arrays in
 * another gdb's style (see {@link #normalise}). A command crash cannot run on a kernel (it says
 * so) is reported and skipped there, never counted as a pass.
 */
@Tag("lab")
class CrashVocabularyTest {
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void newCommandsAnswerAsCrashDoes(Scenario s) throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(s, System.out::println).resolve(Lab.Artifact.ELF.file);
        List<String> commands = new ArrayList<>(List.of("eval 0x1000 + 16", "eval -b 0xff", "eval 5k", "eval ~0", "eval init_task + 8",
                "ascii 0a41ff7f2009", "ascii 62696c2f7273752f", "btop 0x12345678 ffffffffb721aa40", "ptob 0x1234", "pte 0x8000000012345067",
                "pte 12345081", "pte 0", "runq", "mount", "irq", "timer", "dev", "net", "mach", "mach -m", "mach -c", "list -H modules -o module.list -s module.name,state",
                "list -r -H modules -o module.list", "list task_struct.tasks -s task_struct.pid,comm -h init_task"));
        List<String> kdive = new ArrayList<>();
        try (Program p = Kernel.open(dump, Optional.empty())) {
            if (p.symbols().lookup("vmap_area_root").isPresent()) { // 6.9 moved vmap areas into per-node trees
                commands.add("tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start vmap_area_root");
                commands.add("tree -t rbtree -o vmap_area.rb_node -l -p vmap_area_root");
            }
            String initTask = Long.toHexString(p.address("init_task"));
            long ram = p.memory().maxPfn() * 4096;
            commands.add("search -s " + Long.toHexString(p.layout().pageOffsetBase()) + " -e " + Long.toHexString(p.layout().pageOffsetBase() + ram)
                    + " " + initTask);
            commands.add("search -c kdive-lab");
            commands.add("search " + initTask);
            int panicPid = dev.kdive.kernel.Stacks.panicTask(p).orElseThrow().pid();
            long tasks = KernelObject.at(p, "task_struct", p.address("init_task")).addressOf("tasks");
            commands.addAll(List.of("ipcs", "swap", "bpf", "kmem -o", "kmem -v", "kmem -h", "rd -S " + Long.toHexString(tasks) + " 8",
                    "sym -q crash_wr", "sym -m kdive_lab", "sig " + panicPid, "bt -T " + panicPid, "waitq kauditd_wait", "fuser /",
                    "irq -a", "irq -s", "runq -t", "bt -e " + panicPid, "irq -b", "irq -d", "irq -u", "sig -l", "sig -s 8000000200014a03", "sig -s 0",
                    "struct task_struct.pid,comm -l task_struct.tasks " + Long.toHexString(tasks),
                    "kmem -z", "kmem -f", "kmem -F", "kmem -n", "dev -i", "dev -p", "dev -d", "net -a", "net -s", "timer -r", "timer -r -C 1",
                    "timer -C 1", "runq -g", "runq -m", "runq -d", "runq -c 1", "runq -t -c 0"));
            dev.kdive.kernel.Tasks.walk(p).tasks().stream().filter(t -> t.comm().equals("lab-files")).findFirst()
                    .ifPresent(t -> commands.add("net -s " + t.pid())); // a task with sockets open (crash 8.0.2 cannot find it on 6.1)
            if (p.symbols().lookup("irq_desc_tree").isPresent()) { // 6.5 moved irq descriptors into a maple tree
                commands.add("tree -t xarray -p -s irq_desc.irq_data.irq irq_desc_tree");
            }
            for (String c : commands) {
                StringWriter w = new StringWriter();
                Shell shell = new Shell(p, new PrintWriter(w), false);
                shell.runLine(c);
                assertThat(shell.failures()).as(s + ": " + c + "\n" + w).isZero();
                kdive.add(w.toString());
            }
        }
        List<String> crash = CrashReference.outputs(lab, dump, commands);
        int compared = 0;
        for (int i = 0; i < commands.size(); i++) {
            String theirs = crash.get(i);
            if (commands.get(i).startsWith("fuser")) { // crash's fuser runs its own foreach vm, whose errors on 6.1+ (no mm->mmap) come in between
                theirs = theirs.lines().filter(l -> l.startsWith(" PID ") || l.matches(" *\\d+ +[0-9a-f]{16} +\".*")).reduce("", (a, b) -> a + b + "\n");
            }
            // crash's errors are "CMD: message" lines (an IDT vector named asm_exc_invalid_op is not one)
            if (java.util.regex.Pattern.compile("(?m)^[a-z]+: .*(invalid|not supported|do not exist|have changed their format|command not found)")
                    .matcher(theirs).find()) {
                System.out.println(s + ": crash cannot run \"" + commands.get(i) + "\" here: " + theirs.strip().lines().findFirst().orElse(""));
                continue;
            }
            if (commands.get(i).startsWith("fuser")) { // crash 8.0.6 cuts a long COMM, quote and all: compare PID, TASK and USAGE
                kdive.set(i, fuserKeys(kdive.get(i)));
                theirs = fuserKeys(theirs);
            } else if (commands.get(i).startsWith("bt -T")) { // crash 8.0.6 drops gcc's .isra.N/.part.N/.constprop.N from names the kernel keeps
                kdive.set(i, kdive.get(i).replaceAll("\\.(isra|part|constprop)\\.\\d+", ""));
                theirs = theirs.replaceAll("\\.(isra|part|constprop)\\.\\d+", "");
            }
            if (commands.get(i).startsWith("waitq") || commands.get(i).startsWith("fuser")) {
                // crash 8.0.2 stops at the first task missing from its PID hash (kauditd, most of the "/" users on 6.1.192):
                // its lines must be kdive's, and kdive's must be the truth: kauditd waits on kauditd_wait (kernel/audit.c),
                // and every task has "/" as root and cwd in the lab's single mount namespace.
                assertThat(normalise(kdive.get(i)).lines().toList()).as(s + ": " + commands.get(i)).containsAll(normalise(theirs).lines().toList());
                if (commands.get(i).startsWith("waitq")) {
                    assertThat(kdive.get(i)).as(s + ": waitq kauditd_wait").contains("COMMAND: \"kauditd\"");
                } else {
                    try (Program p = Kernel.open(dump, Optional.empty())) {
                        long all = dev.kdive.kernel.Tasks.walk(p).tasks().stream().filter(t -> t.pid() != 0).count() + dev.kdive.kernel.Tasks.idle(p).size();
                        assertThat(kdive.get(i).lines().filter(l -> l.strip().endsWith("root cwd")).count()).as(s + ": fuser /").isEqualTo(all);
                    }
                }
            } else if (commands.get(i).equals("irq -a")) {
                // crash 8.0.6 prints each line's CPUs as kdive does (0-1); crash 8.0.2 leaves AFFINITY blank, though the
                // kernel's irq_common_data.affinity masks hold every CPU: there, the lines and names must be crash's.
                String ours = normalise(kdive.get(i));
                if (!java.util.regex.Pattern.compile("(?m)^ *\\d+ \\S+ +\\S+$").matcher(normalise(theirs)).find()) { // no AFFINITY column
                    ours = ours.replaceAll("(?m)^( *\\d+ \\S+) +\\S+$", "$1");
                }
                assertThat(ours.replaceAll("(?m) +$", "")).as(s + ": irq -a").isEqualTo(normalise(theirs).replaceAll("(?m) +$", ""));
                assertThat(kdive.get(i).lines().skip(1).toList()).as(s + ": irq -a affinity").allMatch(l -> l.matches(".* 0(-\\d+)?"));
            } else if (commands.get(i).startsWith("sym -")) { // module symbols' type letters: crash's are its own guesses (see docs/commands.md)
                assertThat(normalise(kdive.get(i)).replaceAll(" \\(.\\) ", " (?) ")).as(s + ": " + commands.get(i))
                        .isEqualTo(normalise(theirs).replaceAll(" \\(.\\) ", " (?) "));
            } else if (commands.get(i).equals("runq -g") || commands.get(i).equals("runq -d")) { // as runq: crash 8.0.2 leaves out the tasks missing from its PID hash
                List<String> ours = normalise(kdive.get(i)).lines().toList();
                List<String> crashLines = normalise(theirs).lines().toList();
                assertThat(ours).as(s + ": " + commands.get(i)).containsAll(crashLines);
                assertThat(ours.stream().filter(l -> !crashLines.contains(l)).toList()).as(s + ": " + commands.get(i) + " lines crash lacks")
                        .allMatch(l -> l.matches(" +\\[ *\\d+] PID: .*"));
            } else if (commands.get(i).equals("runq") || commands.get(i).equals("runq -c 1")) {
                // crash 8.0.2 misses queued tasks it cannot find in its PID hash (rcu_preempt on 6.1.192's bug dump):
                // every line of crash's must be kdive's, and the queued tasks must be as many as the kernel counts.
                assertThat(normalise(kdive.get(i)).lines().toList()).as(s + ": runq").containsAll(normalise(theirs).lines().toList());
                runqCountsMatchTheKernels(s, dump, kdive.get(i));
            } else if (commands.get(i).startsWith("search") && !commands.get(i).startsWith("search -s")) {
                // crash reads the kernel-image range [__START_KERNEL_map, modules) as mapped 1:1 from phys_base even where
                // the page tables map nothing (its vtop says "PMD ... => 0" and still gives a physical address): its hits
                // there are no kernel address. kdive's hits are crash's, less those.
                List<String> ours = normalise(kdive.get(i)).lines().toList();
                List<String> extra = new ArrayList<>(normalise(theirs).lines().toList());
                assertThat(extra).as(s + ": " + commands.get(i)).containsAll(ours);
                extra.removeAll(ours);
                try (Program p = Kernel.open(dump, Optional.empty())) {
                    for (String e : extra) {
                        long a = Long.parseUnsignedLong(e.substring(0, e.indexOf(':')), 16);
                        assertThat(p.kernel().translate(a)).as(s + ": crash's extra hit " + e).isInstanceOf(dev.kdive.arch.Translation.Unmapped.class);
                    }
                }
            } else if (commands.get(i).equals("kmem -n")) {
                // crash 8.0.6 reads 6.12's 4-byte enum memory_block_state as 8 bytes and prints UNKNOWN: compare
                // the memory blocks without STATE, and check that kdive's is a state the enum names
                String block = "(?m)^( [0-9a-f]{16} +memory\\d+ +[0-9a-f]+ - +[0-9a-f]+ +\\d+ +)(\\S+) +";
                assertThat(java.util.regex.Pattern.compile(block).matcher(kdive.get(i)).results().map(r -> r.group(2)))
                        .as(s + ": kmem -n memory block states").isNotEmpty().allMatch(st -> st.matches("ONLINE|OFFLINE|GOING_OFFLINE|GOING_ONLINE"));
                assertThat(normalise(kdive.get(i)).replaceAll(block, "$1STATE ")).as(s + ": kmem -n")
                        .isEqualTo(normalise(theirs).replaceAll(block, "$1STATE "));
            } else if (commands.get(i).equals("net")) { // crash 8.0.2 pads NAME to 6, later crashes to 10
                assertThat(normalise(kdive.get(i)).replaceAll(" +", " ")).as(s + ": net").isEqualTo(normalise(theirs).replaceAll(" +", " "));
            } else if (commands.get(i).startsWith("timer") && !commands.get(i).contains("-r") && kdive.get(i).contains("[BASE_GLOBAL]")) {
                // 6.9 split the wheel into BASE_LOCAL, BASE_GLOBAL and BASE_DEF; crash reads the first two as BASE_STD and
                // BASE_DEF and never reaches the third: those two must agree, the third is kdive's alone.
                String ours = kdive.get(i).replaceAll("(?s)TIMER_BASES\\[\\d+]\\[BASE_DEF].*?(?=\nTIMER_BASES|\n*$)", "")
                        .replace("[BASE_LOCAL]", "[BASE_STD]").replace("[BASE_GLOBAL]", "[BASE_DEF]");
                assertThat(normalise(ours)).as(s + ": timer").isEqualTo(normalise(theirs));
            } else {
                assertThat(normalise(kdive.get(i))).as(s + ": " + commands.get(i)).isEqualTo(normalise(theirs));
            }
            compared++;
        }
        assertThat(compared).as(s + ": commands compared with crash").isGreaterThanOrEqualTo(commands.size() - 3);
    }

    /** {@return each fuser row as "PID TASK USAGE…", the header kept} */
    private static String fuserKeys(String out) {
        return out.lines().map(l -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^ *(\\d+) +([0-9a-f]{16}) .*?((?: (?:root|cwd|fd|mmap))+) *$").matcher(l);
            return m.matches() ? m.group(1) + " " + m.group(2) + m.group(3) : l;
        }).reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * The ground truth for runq, the kernel's own counters: {@code rq->cfs.h_nr_running} counts the
     * fair tasks, the running one included (CFS takes it out of the tree while it runs);
     * {@code rq->rt.rt_nr_running} the real-time ones, all still on their lists. (rq->nr_running also
     * counts the stop and deadline classes, which runq does not list.)
     */
    private static void runqCountsMatchTheKernels(Scenario s, Path dump, String runq) throws Exception {
        try (Program p = Kernel.open(dump, Optional.empty())) {
            for (String block : runq.split("\n(?=CPU \\d+ RUNQUEUE)")) {
                long rqAddr = Long.parseUnsignedLong(block.lines().findFirst().orElseThrow().replaceAll(".*RUNQUEUE: ", "").strip(), 16);
                KernelObject rq = KernelObject.at(p, "rq", rqAddr);
                KernelObject curr = KernelObject.at(p, "task_struct", rq.read("curr"));
                boolean fairCurrent = rq.read("curr") != rq.read("idle") && curr.read("prio") >= 100;
                String cfsCounter = rq.struct().member("cfs").isPresent()
                        && KernelObject.at(p, "cfs_rq", 0).struct().member("h_nr_running").isPresent() ? "cfs.h_nr_running" : "cfs.h_nr_queued";
                String rt = block.substring(block.indexOf("RT PRIO_ARRAY"), block.indexOf("CFS RB_ROOT"));
                String cfs = block.substring(block.indexOf("CFS RB_ROOT"));
                assertThat(queued(cfs) + (fairCurrent ? 1 : 0)).as(s + ": CFS tasks of run queue " + Long.toHexString(rqAddr))
                        .isEqualTo(rq.read(cfsCounter));
                assertThat(queued(rt)).as(s + ": RT tasks of run queue " + Long.toHexString(rqAddr)).isEqualTo(rq.read("rt.rt_nr_running"));
            }
        }
    }

    private static long queued(String part) {
        return part.lines().filter(l -> l.startsWith("     [") && !l.contains("no tasks queued")).count();
    }

    /**
     * Blank lines and trailing blanks aside, and char arrays up to their first NUL: crash's gdb prints
     * every NUL ({@code "init\000\000…"}), kdive as today's gdb does ({@code "init", '\000' <repeats 11 times>}).
     */
    static String normalise(String out) {
        return out.replaceAll("(\\\\000)+\"", "\"").replaceAll(", '\\\\000' <repeats \\d+ times>", "")
                .lines().map(String::stripTrailing).filter(l -> !l.isEmpty() && !l.startsWith("WARNING: active task"))
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
