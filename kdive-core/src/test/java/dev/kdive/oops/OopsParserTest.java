package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser on lab console excerpts (checked in) and on hand-made variations of their prefixes. */
class OopsParserTest {
    static String resource(String name) throws IOException {
        try (InputStream in = OopsParserTest.class.getResourceAsStream("/oops/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theSlabUseAfterFreeOops() throws IOException {
        List<OopsReport> rs = OopsParser.parse(resource("lab-slab-uaf.log"));
        assertThat(rs).hasSize(1);
        OopsReport r = rs.getFirst();
        assertThat(r.kind()).isEqualTo(Kind.GENERAL_PROTECTION_FAULT);
        // syzbot's title skips the allocator for its caller; kdive's culprit stays where the CPU faulted
        assertThat(r.title()).isEqualTo("general protection fault in crash_write");
        assertThat(r.culprit()).isEqualTo("__kmem_cache_alloc_node");
        assertThat(r.rip().symbol()).isEqualTo("__kmem_cache_alloc_node+0x12e/0x2a0");
        assertThat(r.cpu()).isEqualTo(1);
        assertThat(r.pid()).isEqualTo(100);
        assertThat(r.comm()).isEqualTo("lab-trigger");
        assertThat(r.taint().letters()).isEqualTo("OE");
        assertThat(r.release()).isEqualTo("6.1.0-56-amd64");
        assertThat(r.version()).isEqualTo("#1  Debian 6.1.192-2");
        assertThat(r.hardware()).startsWith("QEMU Standard PC (Q35 + ICH9, 2009)");
        assertThat(r.address()).isEqualTo(0xffff0060575aeea0L);
        assertThat(r.errorCode()).isZero();
        assertThat(r.die()).isEqualTo(1);
        assertThat(r.dieFlags()).isEqualTo("PREEMPT SMP NOPTI");
        assertThat(r.ring()).contains(0);
        assertThat(r.registers().get("RCX")).contains(0xffff0060575aeea0L);
        assertThat(r.registers().get("SS")).contains(0x18L);
        assertThat(r.registers().get("RSP")).contains(0xffffcfcf003cb960L);
        assertThat(r.registers().get("PKRU")).contains(0x55555554L);
        assertThat(r.registers().eflags().orElseThrow().value()).isEqualTo(0x286);
        assertThat(r.registers().nonCanonical()).extracting(Registers.NonCanonical::register).containsExactly("RAX", "RCX");
        assertThat(r.code().faulting()).isEqualTo(42);
        assertThat(r.code().bytes()).hasSize(64);
        CallTrace t = r.callTrace().orElseThrow();
        assertThat(t.reliable()).extracting(Frame::function).containsExactly("kmalloc_trace", "kdive_lab_slab_uaf", "crash_write",
                "full_proxy_write", "vfs_write", "ksys_write", "do_syscall_64", "entry_SYSCALL_64_after_hwframe");
        assertThat(t.unreliable()).hasSize(16);
        assertThat(t.frames().getFirst().context()).isEqualTo("TASK");
        assertThat(r.modules()).containsExactly("kdive_lab(OE)", "pvpanic_mmio", "pvpanic", "qemu_fw_cfg");
        assertThat(r.panic()).isEqualTo("Fatal exception");
    }

    @Test
    void theSoftLockupAndItsPanicAreOneReport() throws IOException {
        List<OopsReport> rs = OopsParser.parse(resource("lab-soft-lockup.log"));
        assertThat(rs).hasSize(1);
        OopsReport r = rs.getFirst();
        // syzbot names a stall by the frame its syscall or work entry called (debugfs' proxy here)
        assertThat(r.title()).isEqualTo("BUG: soft lockup in full_proxy_write");
        assertThat(r.culprit()).isEqualTo("kdive_lab_soft_lockup");
        assertThat(r.panic()).isEqualTo("softlockup: hung tasks");
        assertThat(r.rip().module()).isEqualTo("kdive_lab");
        assertThat(r.taint().letters()).isEqualTo("OE"); // the panic's later "OEL" is not this report's
    }

    @Test
    void everyLogPrefixReadsTheSame() throws IOException {
        String plain = resource("lab-slab-uaf.log").replaceAll("(?m)^\\[\\s*\\d+\\.\\d+\\] ", "");
        OopsReport expected = OopsParser.parse(plain).getFirst();
        List<String> prefixes = List.of("[    3.073018] ", "<4>[    3.073018] ", "[   12.345678][ T100] ", "Jan  1 00:00:03 qemu kernel: ",
                "2024-05-01T10:00:03.123456+00:00 host kernel: ", "kern  :warn  : [Mon Jan  1 00:00:03 2024] ",
                "Jan 01 00:00:03 host kernel: [    3.073018] ", "<4>", "4,1234,3073018,-,caller=T100;", "Jan  1 00:00:03 host 4,1234,3073018,c;");
        for (String prefix : prefixes) {
            String log = plain.lines().map(l -> prefix + l).reduce("", (a, b) -> a + b + "\r\n");
            List<OopsReport> rs = OopsParser.parse(log);
            assertThat(rs).as(prefix).hasSize(1);
            OopsReport r = rs.getFirst();
            assertThat(r.title()).as(prefix).isEqualTo(expected.title());
            assertThat(r.registers()).as(prefix).isEqualTo(expected.registers());
            assertThat(r.callTrace().orElseThrow().frames()).as(prefix).isEqualTo(expected.callTrace().orElseThrow().frames());
            assertThat(r.code()).as(prefix).isEqualTo(expected.code());
        }
    }

    /** syzkaller's last checks: a report is whole, or says why not. */
    @Test
    void aReportCutShortSaysWhy() throws IOException {
        String log = resource("lab-slab-uaf.log");
        assertThat(OopsParser.parse(log).getFirst().corrupted()).isNull();
        String cut = log.substring(0, log.indexOf("Call Trace:") + "Call Trace:".length() + 1);
        OopsReport r = OopsParser.parse(cut + "[    3.1] <TASK>\n").getFirst();
        // the RIP (__kmem_cache_alloc_node) is an allocator the conventions skip, and no frame follows
        assertThat(r.title()).isEqualTo("general protection fault in corrupted");
        assertThat(r.corrupted()).isEqualTo("extracted no frames");
        String noRegisters = log.lines().filter(l -> !l.contains("RIP:")).reduce("", (a, b) -> a + b + "\n");
        String noTrace = noRegisters.substring(0, noRegisters.indexOf("Call Trace:"));
        assertThat(OopsParser.parse(noTrace).getFirst().corrupted()).isEqualTo("extracted no frames");
        // two console lines run together: the panic's message holds the next line's timestamp
        OopsReport merged = OopsParser.parse("Kernel panic - not syncing: Attempted to [   3.100001] kill init!\n").getFirst();
        assertThat(merged.corrupted()).isEqualTo("title matches corrupted regexp");
    }

    @Test
    void aStackOpeningWithNoFrameIsCorrupted() {
        String warning = """
                WARNING: CPU: 0 PID: 1 at net/core/dev.c:10 dev_close+0x10/0x20
                Modules linked in:
                RIP: 0010:dev_close+0x10/0x20
                RSP: 0018:ffffc90000003e48 EFLAGS: 00010246
                Call Trace:
                 <TASK>
                 </TASK>
                ---[ end trace 0000000000000000 ]---
                """;
        OopsReport r = OopsParser.parse(warning).getFirst();
        assertThat(r.title()).isEqualTo("WARNING in dev_close");
        assertThat(r.corrupted()).isEqualTo("no frames in a stack trace");
        OopsReport leak = OopsParser.parse("""
                unregister_netdevice: waiting for lo to become free. Usage count = 2
                """).getFirst();
        assertThat(leak.title()).isEqualTo("unregister_netdevice: waiting for DEV to become free");
        assertThat(leak.corrupted()).as("a format that needs no stack").isNull();
    }

    /** With printk caller ids another task's header starts its own report; the one being read goes on. */
    @Test
    void anotherTasksHeaderDoesNotEndTheReport() {
        String log = """
                [  400.000000][   T30] INFO: task kworker/u4:5:1234 blocked for more than 143 seconds.
                [  400.000001][   T30]       Not tainted 6.1.0-syzkaller #0
                [  400.000003][ T5012] unregister_netdevice: waiting for batadv0 to become free. Usage count = 3
                [  400.000004][   T30] task:kworker/u4:5    state:D stack:26000 pid:1234  ppid:2      flags:0x00004000
                [  400.000006][   T30] Call Trace:
                [  400.000007][   T30]  <TASK>
                [  400.000008][   T30]  __schedule+0x1190/0x5de0
                [  400.000009][   T30]  schedule+0xe7/0x3a0
                [  400.000011][   T30]  __mutex_lock+0x5b0/0x9d0
                [  400.000012][   T30]  rtnl_lock+0x15/0x20
                [  400.000013][   T30]  default_device_exit_batch+0xe9/0x570
                [  400.000016][   T30]  process_one_work+0x9bf/0x1710
                """;
        List<OopsReport> rs = OopsParser.parse(log);
        assertThat(rs).extracting(OopsReport::title)
                .containsExactly("INFO: task hung in rtnl_lock", "unregister_netdevice: waiting for DEV to become free");
        assertThat(rs.getFirst().callTrace().orElseThrow().frames()).extracting(Frame::function).contains("rtnl_lock");
    }

    /** The CPU that detected a stall asks the others for their backtraces; theirs are the report's. */
    @Test
    void otherCpusBacktracesJoinTheStallThatAskedForThem() {
        String log = """
                [  300.100000][    C0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
                [  300.100001][    C0] rcu: 	1-...!: (1 GPs behind) idle=ab4c/1/0x4000000000000000 softirq=1234/1235 fqs=0
                [  300.100003][    C0] Sending NMI from CPU 0 to CPUs 1:
                [  300.100004][    C1] NMI backtrace for cpu 1
                [  300.100007][    C1] RIP: 0010:native_queued_spin_lock_slowpath+0x100/0x200
                [  300.100010][    C1] Call Trace:
                [  300.100011][    C1]  <IRQ>
                [  300.100012][    C1]  _raw_spin_lock+0x20/0x30
                [  300.100019][    C1]  sysvec_apic_timer_interrupt+0x93/0xc0
                [  300.100020][    C1]  </IRQ>
                [  300.100021][    C1]  <TASK>
                [  300.100022][    C1]  asm_sysvec_apic_timer_interrupt+0x1a/0x20
                [  300.100023][    C1] RIP: 0010:tcp_sendmsg_locked+0x123/0x2000
                [  300.100025][    C1]  tcp_sendmsg+0x2f/0x50
                [  300.100026][    C1]  inet_sendmsg+0x9d/0xe0
                [  300.100027][    C1]  sock_sendmsg+0xde/0x190
                [  300.100028][    C1]  __sys_sendto+0x23a/0x340
                [  300.100029][    C1]  __x64_sys_sendto+0xe1/0x1b0
                [  300.100030][    C1]  do_syscall_64+0x35/0x80
                """;
        assertThat(OopsParser.parse(log)).singleElement().extracting(OopsReport::title).isEqualTo("INFO: rcu detected stall in inet_sendmsg");
    }

    /** printk's markers: a cut header printed again whole, and lost messages before a header. */
    @Test
    void printkReplaysAndDropsAreReadThrough() {
        String replayed = """
                [  100.000000][ T5100] BUG: KASAN: slab-use-after-free in hci_conn_d
                [  100.000000][ T5100] ** replaying previous printk message **
                [  100.000001][ T5100] BUG: KASAN: slab-use-after-free in hci_conn_drop+0x30/0x2a0
                [  100.000002][ T5100] Write of size 4 at addr ffff88807b2c0010 by task syz-executor.0/5100
                [  100.000003][ T5100] Call Trace:
                [  100.000004][ T5100]  <TASK>
                [  100.000005][ T5100]  kasan_report+0x10/0x20
                [  100.000006][ T5100]  hci_conn_drop+0x30/0x2a0
                [  100.000007][ T5100]  sco_sock_close+0x10/0x20
                """;
        assertThat(OopsParser.parse(replayed)).singleElement().extracting(OopsReport::title)
                .isEqualTo("KASAN: slab-use-after-free Write in hci_conn_drop");
        String dropped = replayed.replace("[  100.000000][ T5100] BUG: KASAN: slab-use-after-free in hci_conn_d\n", "")
                .replace("[  100.000000][ T5100] ** replaying previous printk message **\n", "** 3 printk messages dropped ** ");
        assertThat(OopsParser.parse(dropped)).singleElement().extracting(OopsReport::title)
                .isEqualTo("KASAN: slab-use-after-free Write in hci_conn_drop");
    }

    @Test
    void aConsoleThatHungUpLeavesItsReportsUntrusted() throws IOException {
        String log = resource("lab-slab-uaf.log");
        assertThat(OopsParser.parse(log).getFirst().corrupted()).isNull();
        assertThat(OopsParser.parse(log + "serialport: VM disconnected.\n").getFirst().corrupted())
                .isEqualTo("the console hung up (serialport: VM disconnected.)");
    }

    @Test
    void slubDebugReportsAreReports() {
        OopsReport r = OopsParser.parse("""
                =============================================================================
                BUG kmalloc-64 (Not tainted): Object already free
                -----------------------------------------------------------------------------
                Allocated in kdive_lab_alloc+0x10/0x20 age=10 cpu=0 pid=100
                """).getFirst();
        assertThat(r.title()).isEqualTo("BUG: Object already free");
        assertThat(OopsParser.parse("BUG dentry (Tainted: G    B): Poison overwritten\n")).hasSize(1);
        assertThat(OopsParser.parse("BUG fixed in 6.2 (see the changelog)\n")).isEmpty();
    }

    @Test
    void interleavedLinesOfAnotherCallerAreLeftOut() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : resource("lab-slab-uaf.log").replaceAll("(?m)^\\[\\s*\\d+\\.\\d+\\] ", "").lines().toList()) {
            b.append("[    3.1][ T100] ").append(l).append('\n');
            b.append("[    3.1][   C0] ").append("RIP: 0010:other_cpu_function+0x1/0x2\n");
            b.append("[    3.1][   C0] ").append(" other_cpu_frame+0x1/0x2\n");
        }
        OopsReport r = OopsParser.parse(b.toString()).getFirst();
        assertThat(r.rip().function()).isEqualTo("__kmem_cache_alloc_node");
        assertThat(r.callTrace().orElseThrow().frames()).noneMatch(f -> f.function().startsWith("other"));
    }

    /** Lines that user space writes to /dev/console while the kernel prints (lab-user, getty, systemd). */
    private static final List<String> FOREIGN = List.of("kdive-lab: marker role=trigger pid=100 addr=0x6b6400040000 text=KDIVE-MARKER role=trigger pid=100",
            "[  OK  ] Started getty@tty1.service - Getty on tty1.", "Debian GNU/Linux 12 qemu ttyS0", "qemu login: ", "",
            "Starting OpenBSD Secure Shell server...", "lab-user: open /sys/kernel/debug/kdive_lab/crash: No such file");

    /** Splices foreign lines in at random line boundaries: {@code maxRun} at most in a row. */
    private static String splice(String log, long seed, int maxRun) {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder b = new StringBuilder();
        for (String l : log.lines().toList()) {
            if (random.nextInt(3) == 0) {
                for (int k = 1 + random.nextInt(maxRun); k > 0; k--) {
                    b.append(FOREIGN.get(random.nextInt(FOREIGN.size()))).append('\n');
                }
            }
            b.append(l).append('\n');
        }
        return b.toString();
    }

    private static void assertSameReport(OopsReport r, OopsReport expected, String as) {
        assertThat(r.title()).as(as).isEqualTo(expected.title());
        assertThat(r.culprit()).as(as).isEqualTo(expected.culprit());
        assertThat(r.rip()).as(as).isEqualTo(expected.rip());
        assertThat(r.registers()).as(as).isEqualTo(expected.registers());
        assertThat(r.traces()).as(as).isEqualTo(expected.traces());
        assertThat(r.code()).as(as).isEqualTo(expected.code());
        assertThat(r.panic()).as(as).isEqualTo(expected.panic());
    }

    @Test
    void linesOfOtherWritersOnTheConsoleDoNotEndATrace() throws IOException {
        for (String name : List.of("lab-slab-uaf.log", "lab-soft-lockup.log")) {
            String log = resource(name);
            OopsReport expected = OopsParser.parse(log).getFirst();
            assertThat(expected.callTrace().orElseThrow().reliable()).hasSizeGreaterThan(3);
            // timestamped console: any number of untimestamped lines anywhere
            for (long seed = 0; seed < 50; seed++) {
                List<OopsReport> rs = OopsParser.parse(splice(log, seed, 6));
                assertThat(rs).as(name + " seed " + seed).hasSize(1);
                assertSameReport(rs.getFirst(), expected, name + " seed " + seed);
            }
            // no timestamps to tell them apart: up to three in a row inside a trace
            String plain = log.replaceAll("(?m)^\\[\\s*\\d+\\.\\d+\\] ", "");
            OopsReport plainExpected = OopsParser.parse(plain).getFirst();
            assertThat(plainExpected.traces()).isEqualTo(expected.traces());
            for (long seed = 0; seed < 50; seed++) {
                List<OopsReport> rs = OopsParser.parse(splice(plain, seed, 3));
                assertThat(rs).as(name + " plain seed " + seed).hasSize(1);
                assertSameReport(rs.getFirst(), plainExpected, name + " plain seed " + seed);
            }
        }
    }

    @Test
    void aTraceEndsWhereTheKernelSaysSo() {
        String log = """
                [    1.0] BUG: kernel NULL pointer dereference, address: 0000000000000010
                [    1.0] Oops: 0002 [#1] SMP
                [    1.0] CPU: 0 PID: 7 Comm: sh Not tainted 6.1.0 #1
                [    1.0] RIP: 0010:foo_write+0x1/0x2 [foo]
                [    1.0] Call Trace:
                [    1.0]  bar+0x3/0x4
                [    1.0] Modules linked in: foo
                [    1.0]  baz+0x3/0x4
                """;
        OopsReport r = OopsParser.parse(log).getFirst();
        assertThat(r.callTrace().orElseThrow().frames()).extracting(Frame::function).containsExactly("bar");
        assertThat(r.modules()).containsExactly("foo");
    }

    @Test
    void titlesAreStableAcrossKaslrTimestampsOffsetsAndPids() throws IOException {
        String a = resource("lab-slab-uaf.log");
        String b = a.replace("ffff0060575aeea0", "ffff0060123aeea0").replace("3.07", "9.99").replace("0x12e/", "0x13e/")
                .replace("PID: 100", "PID: 4242").replace("ffffcfcf003cb960", "ffffaaaa003cb960");
        OopsReport ra = OopsParser.parse(a).getFirst();
        OopsReport rb = OopsParser.parse(b).getFirst();
        assertThat(rb.title()).isEqualTo(ra.title());
        assertThat(rb.signature()).isEqualTo(ra.signature());
    }

    @Test
    void noReportInAnOrdinaryLog() {
        assertThat(OopsParser.parse("[    0.000000] Linux version 6.1.0\n[    0.1] Command line: console=ttyS0\n")).isEmpty();
        assertThat(OopsParser.parse("")).isEmpty();
    }

    @Test
    void kernelWordsOfOtherReports() {
        String kasan = """
                ==================================================================
                BUG: KASAN: slab-use-after-free in foo_read+0x3c/0x50 [foo]
                Read of size 8 at addr ffff888012345678 by task cat/1234

                CPU: 0 PID: 1234 Comm: cat Not tainted 6.5.0 #1
                Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.15.0-1 04/01/2014
                Call Trace:
                 <TASK>
                 dump_stack_lvl+0x48/0x70
                 print_report+0xcf/0x620
                 kasan_report+0xb0/0xe0
                 foo_read+0x3c/0x50 [foo]
                 vfs_read+0x10e/0x4a0
                 </TASK>

                Allocated by task 1200:
                 kasan_save_stack+0x22/0x50
                 foo_open+0x20/0x60 [foo]

                Freed by task 1201:
                 kasan_save_stack+0x22/0x50
                 kfree+0x80/0x120
                 foo_release+0x1c/0x30 [foo]
                ==================================================================
                """;
        OopsReport k = OopsParser.parse(kasan).getFirst();
        assertThat(k.title()).isEqualTo("KASAN: slab-use-after-free Read in foo_read");
        assertThat(k.address()).isEqualTo(0xffff888012345678L);
        assertThat(k.traces()).extracting(CallTrace::label).containsExactly("Call Trace", "Allocated by task 1200", "Freed by task 1201");
        assertThat(k.taint().flags()).isEmpty();

        String warn = """
                ------------[ cut here ]------------
                WARNING: CPU: 3 PID: 77 at net/core/dev.c:3214 skb_warn_bad_offload+0x99/0xb0
                Modules linked in: e1000
                CPU: 3 PID: 77 Comm: kworker/3:1 Tainted: G        W          5.15.0-91-generic #101-Ubuntu
                RIP: 0010:skb_warn_bad_offload+0x99/0xb0
                Call Trace:
                 <IRQ>
                 __skb_gso_segment+0x1a3/0x1b0
                 validate_xmit_skb+0x2c4/0x330
                 </IRQ>
                ---[ end trace 7f8f5c3b2b3a1d2e ]---
                """;
        OopsReport w = OopsParser.parse(warn).getFirst();
        assertThat(w.title()).isEqualTo("WARNING in skb_warn_bad_offload");
        assertThat(w.location()).isEqualTo("net/core/dev.c:3214");
        assertThat(w.comm()).isEqualTo("kworker/3:1");
        assertThat(w.taint().flags()).containsExactly(Taint.Flag.WARN);
        assertThat(w.callTrace().orElseThrow().frames().getFirst().context()).isEqualTo("IRQ");

        String rcu = """
                rcu: INFO: rcu_sched self-detected stall on CPU
                rcu: \t2-....: (5250 ticks this GP) idle=8f2/1/0x4000000000000002 softirq=1/1 fqs=2500
                \t(t=5251 jiffies g=12345 q=678)
                NMI backtrace for cpu 2
                CPU: 2 PID: 321 Comm: spinner Tainted: G           O      5.10.0 #1
                Call Trace:
                 <IRQ>
                 dump_stack+0x6d/0x88
                 nmi_cpu_backtrace.cold+0x14/0x53
                 rcu_dump_cpu_stacks+0xa7/0xd5
                 rcu_sched_clock_irq.cold+0x1f9/0x3c6
                 update_process_times+0x8c/0xc0
                 tick_sched_timer+0x54/0x90
                 __hrtimer_run_queues+0x12f/0x2a0
                 hrtimer_interrupt+0x10e/0x280
                 __sysvec_apic_timer_interrupt+0x5c/0xe0
                 sysvec_apic_timer_interrupt+0x6d/0x90
                 </IRQ>
                 asm_sysvec_apic_timer_interrupt+0x12/0x20
                RIP: 0010:spin_forever+0x5/0x10 [spinmod]
                Code: 90 90 <eb> fe
                RSP: 0018:ffffc90000abfe58 EFLAGS: 00000246
                 spin_write+0x20/0x40 [spinmod]
                 vfs_write+0xc7/0x3f0
                NMI backtrace for cpu 0
                CPU: 0 PID: 1 Comm: init Not tainted 5.10.0 #1
                """;
        OopsReport s = OopsParser.parse(rcu).getFirst();
        assertThat(s.kind()).isEqualTo(Kind.RCU_STALL);
        assertThat(s.title()).isEqualTo("INFO: rcu detected stall in spin_write");
        assertThat(s.cpu()).isEqualTo(2);
        assertThat(s.comm()).isEqualTo("spinner");

        String nullDeref = """
                BUG: kernel NULL pointer dereference, address: 0000000000000008
                #PF: supervisor read access in kernel mode
                #PF: error_code(0x0000) - not-present page
                PGD 0 P4D 0
                Oops: 0000 [#1] SMP PTI
                CPU: 5 PID: 999 Comm: modprobe Tainted: P           OE     5.4.0-42-generic #46-Ubuntu
                RIP: 0010:nvidia_foo+0x12/0x40 [nvidia]
                Call Trace:
                 nvidia_bar+0x33/0x60 [nvidia]
                 do_one_initcall+0x4a/0x200
                """;
        OopsReport n = OopsParser.parse(nullDeref).getFirst();
        assertThat(n.title()).isEqualTo("BUG: unable to handle kernel NULL pointer dereference in nvidia_foo");
        assertThat(n.pageFault().code()).isZero();
        assertThat(n.address()).isEqualTo(8);
        assertThat(n.die()).isEqualTo(1);
        assertThat(n.taint().flags()).containsExactly(Taint.Flag.PROPRIETARY_MODULE, Taint.Flag.OOT_MODULE, Taint.Flag.UNSIGNED_MODULE);
    }

    @Test
    void twoOopsesInOneLogAreTwoReports() throws IOException {
        String one = resource("lab-slab-uaf.log");
        String two = one.replace("[#1]", "[#2]").replace("general protection fault", "general protection fault");
        List<OopsReport> rs = OopsParser.parse(one.replaceAll("(?m)^.*Kernel panic.*$", "") + "[    4.0] some other line\n" + two);
        assertThat(rs).hasSize(2);
        assertThat(rs.get(1).die()).isEqualTo(2);
        assertThat(rs.get(0).panic()).isNull();
    }

    /** syzbot's symbolized frames ("f+0x1/0x2 fs/x.c:12") are frames; its "[inline]" lines are not (no return address), and end nothing. */
    @Test
    void symbolizedFramesAndInlinedCallers() throws IOException {
        OopsReport r = OopsParser.parse(java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/oops/corpus/syzbot-f2fs-kfence-uaf.log"))).getFirst();
        assertThat(r.kind()).isEqualTo(Kind.KFENCE);
        assertThat(r.rip().symbol()).isEqualTo("kmem_cache_destroy+0x1f/0x120");
        assertThat(r.traces()).extracting(CallTrace::label).containsExactly("Call Trace", "Allocated by task 15453", "Freed by task 15448", "Call Trace");
        // the access's stack, printed with no "Call Trace:" line: 14 lines, 4 of them inlined callers
        assertThat(r.traces().getFirst().frames()).extracting(Frame::function).containsExactly("kmem_cache_destroy", "f2fs_recover_fsync_data",
                "f2fs_fill_super", "mount_bdev", "legacy_get_tree", "vfs_get_tree", "path_mount", "__se_sys_mount", "do_syscall_64",
                "entry_SYSCALL_64_after_hwframe");
        assertThat(r.traces().get(2).frames().getFirst().function()).isEqualTo("kobject_cleanup");
        assertThat(r.traces().getLast().frames()).hasSize(9);
    }
}
