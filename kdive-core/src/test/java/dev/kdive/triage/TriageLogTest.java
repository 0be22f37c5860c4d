package dev.kdive.triage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.finding.CrashReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * analyze on console logs alone: the real-world reports of the oops corpus (each file names its
 * public source), with the class a support engineer files each under, written from reading them.
 */
class TriageLogTest {
    private static final Path CORPUS = Path.of("src/test/resources/oops/corpus");

    /** The class of each corpus log's crash, as its report reads. */
    private static final Map<String, CrashClass> CLASSES = Map.ofEntries(
            Map.entry("al2023-1037-arm64-rcu.log", CrashClass.RCU_STALL),
            Map.entry("asahi-418-arm64-warning.log", CrashClass.WARNING),
            Map.entry("bcachefs-302-kasan.log", CrashClass.KASAN),
            Map.entry("bcachefs-49-gpf-strcmp.log", CrashClass.GPF_NON_CANONICAL),
            Map.entry("bcachefs-98-rcu-nmi-backtrace.log", CrashClass.NONE),
            Map.entry("ccc-98-warning-decoded.log", CrashClass.WARNING),
            Map.entry("ci20-8-hung-mips.log", CrashClass.HUNG_TASK),
            Map.entry("ddnet-401-hung-unreliable.log", CrashClass.HUNG_TASK),
            Map.entry("denx-ppc-oops.log", CrashClass.NULL_POINTER),
            Map.entry("edac-utils-10-mce.log", CrashClass.MACHINE_CHECK),
            Map.entry("fedora-list-del-kswapd.log", CrashClass.LIST_CORRUPTION),
            Map.entry("feh-574-arm-null-deref.log", CrashClass.NULL_POINTER),
            Map.entry("gluster-19-hung-mutex.log", CrashClass.HUNG_TASK),
            Map.entry("iotracer-37-null-deref-ip.log", CrashClass.NULL_POINTER),
            Map.entry("irati-396-softlockup-syslogd.log", CrashClass.SOFT_LOCKUP),
            Map.entry("kernel-internals-kasan-uaf.log", CrashClass.KASAN),
            Map.entry("kutrace-9-gpf.log", CrashClass.GPF),
            Map.entry("kvm-utils-6-invalid-opcode.log", CrashClass.OTHER_REPORT),
            Map.entry("linuxdays-kernel-bug-rmap.log", CrashClass.BUG),
            Map.entry("lkrg-446-softlockup.log", CrashClass.SOFT_LOCKUP),
            Map.entry("logrotate-232-hung-jbd2.log", CrashClass.HUNG_TASK),
            Map.entry("mcelog-70-mce.log", CrashClass.MACHINE_CHECK),
            Map.entry("mptcp-461-null-deref.log", CrashClass.NULL_POINTER),
            Map.entry("mptcp-99-softlockup.log", CrashClass.SOFT_LOCKUP),
            Map.entry("mt76-646-openwrt-warning-address.log", CrashClass.WARNING),
            Map.entry("mwlwifi-189-warning-mangled-syslog.log", CrashClass.WARNING),
            Map.entry("ocf-408-softlockup.log", CrashClass.SOFT_LOCKUP),
            Map.entry("omr-585-arm64-warning-after-trace.log", CrashClass.WARNING),
            Map.entry("openbmc-198-arm-warning.log", CrashClass.WARNING),
            Map.entry("openrisc-12-softlockup-prompt.log", CrashClass.SOFT_LOCKUP),
            Map.entry("propolis-376-rcu-stalls.log", CrashClass.RCU_STALL),
            Map.entry("radiasoft-134-mce-edac.log", CrashClass.MACHINE_CHECK),
            Map.entry("radxa-530-arm64-kasan-hwtags.log", CrashClass.KASAN),
            Map.entry("reptile-17-gpf.log", CrashClass.GPF),
            Map.entry("rpi-1088-warning-hostapd.log", CrashClass.WARNING),
            Map.entry("rpi-1708-warning-rcu.log", CrashClass.WARNING),
            Map.entry("rpi-1988-arm64-warning.log", CrashClass.WARNING),
            Map.entry("rtai-13-rcu-stalls-old.log", CrashClass.RCU_STALL),
            Map.entry("schedext-114-rcu-self-detected.log", CrashClass.RCU_STALL),
            Map.entry("skiboot-136-ppc-rcu.log", CrashClass.RCU_STALL),
            Map.entry("sof-3387-hung-truncated.log", CrashClass.HUNG_TASK),
            Map.entry("sonic-4822-hung-tasks.log", CrashClass.HUNG_TASK),
            Map.entry("spl-81-softlockup.log", CrashClass.SOFT_LOCKUP),
            Map.entry("systemd-660-softlockup-panic.log", CrashClass.SOFT_LOCKUP),
            Map.entry("tempesta-1246-ubsan-old.log", CrashClass.UBSAN),
            Map.entry("tempesta-2201-kasan-noframes.log", CrashClass.KASAN),
            Map.entry("tetragon-328-rcu-stalls.log", CrashClass.RCU_STALL),
            Map.entry("xbian-522-warning-twice.log", CrashClass.WARNING),
            Map.entry("zen-95-kasan-old.log", CrashClass.KASAN),
            Map.entry("syzbot-f2fs-kfence-uaf.log", CrashClass.KFENCE));

    @Test
    void everyCorpusLogGetsTheClassItsReportReads() throws IOException {
        Map<String, String> wrong = new TreeMap<>();
        int n = 0;
        try (Stream<Path> s = Files.list(CORPUS)) {
            for (Path p : s.sorted().toList()) {
                n++;
                String name = p.getFileName().toString();
                assertThat(CLASSES).as("a class for every corpus log").containsKey(name);
                Analysis a = Triage.ofLog(name, Files.readString(p, StandardCharsets.UTF_8));
                if (a.verdict().crashClass() != CLASSES.get(name)) {
                    wrong.put(name, a.verdict().crashClass() + " (expected " + CLASSES.get(name) + "): " + a.verdict().what());
                }
                assertThat(a.source()).isEqualTo("log");
                // prose is made from what the log has: a missing part is named, never printed as "null"
                assertThat(a.verdict().what() + " " + a.verdict().why()).as(name).doesNotContainPattern("\\bnull\\b");
                a.nextSteps().forEach(step -> assertThat(step.action() + " " + step.reason()).as(name).doesNotContainPattern("\\bnull\\b"));
                if (a.verdict().crashClass() != CrashClass.NONE) {
                    assertThat(a.findings()).as(name).isNotEmpty();
                    assertThat(a.findings().getLast().finding()).isInstanceOf(CrashReport.class);
                    assertThat(a.verdict().origin()).isEqualTo(Origin.LOG);
                }
            }
        }
        assertThat(n).isEqualTo(CLASSES.size());
        assertThat(wrong).as("logs classed otherwise").isEmpty();
    }

    @Test
    void aLogWithoutACrashSaysSo() {
        Analysis a = Triage.ofLog("boot.log", """
                [    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3
                [    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-57-amd64 root=/dev/vda1 ro quiet
                [    1.234567] systemd[1]: Reached target Basic System.
                """);
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.NONE);
        assertThat(a.findings()).isEmpty();
        assertThat(a.verdict().what()).contains("no crash report");
    }

    /** Every CPU the lockup watchdogs named, from every report in the log, once each, in log order. */
    @Test
    void lockedUpCpusComeFromEveryLockupReport() throws IOException {
        Analysis one = Triage.ofLog("ocf-408", Files.readString(CORPUS.resolve("ocf-408-softlockup.log"), StandardCharsets.ISO_8859_1));
        assertThat(one.context().lockedCpus()).singleElement().satisfies(l -> {
            assertThat(l.cpu()).isEqualTo(51);
            assertThat(l.seconds()).isEqualTo(22);
            assertThat(l.task()).isEqualTo("pacd:140354");
            assertThat(l.kind()).isEqualTo("soft lockup");
            assertThat(l.spinning()).isNotNull().isEqualTo(one.verdict().culprit());
        });
        // two real reports in one log, then a hard lockup on a third CPU, then the first CPU again
        String ocf = Files.readString(CORPUS.resolve("ocf-408-softlockup.log"), StandardCharsets.ISO_8859_1);
        String mptcp = Files.readString(CORPUS.resolve("mptcp-99-softlockup.log"), StandardCharsets.ISO_8859_1);
        String log = ocf + mptcp + "[ 1234.567890] NMI watchdog: Watchdog detected hard LOCKUP on cpu 3\n" + ocf;
        Analysis many = Triage.ofLog("three", log);
        assertThat(many.context().lockedCpus()).extracting(Context.LockedCpu::cpu).containsExactly(51, 10, 3);
        assertThat(many.context().lockedCpus().get(2).kind()).isEqualTo("hard LOCKUP");
        assertThat(many.context().lockedCpus().get(2).seconds()).isNull();
        assertThat(Triage.ofLog("lab-slab-uaf.log", Files.readString(Path.of("src/test/resources/oops/lab-slab-uaf.log"),
                StandardCharsets.ISO_8859_1)).context().lockedCpus()).isEmpty();
    }

    /** A soft lockup whose log kept only the watchdog's line: no "spinning in null", the missing part is named. */
    @Test
    void aLockupWithoutItsTraceSaysWhereItSpunIsUnknown() throws IOException {
        Analysis a = Triage.ofLog("lkrg-446", Files.readString(CORPUS.resolve("lkrg-446-softlockup.log"), StandardCharsets.ISO_8859_1));
        assertThat(a.verdict().why()).startsWith("CPU 1 stuck for 372 s in kworker/1:2:1203905 (the log shows no RIP or trace")
                .doesNotContain("null");
        assertThat(a.nextSteps()).noneSatisfy(n -> assertThat(n.action()).contains("null"));
        assertThat(a.context().lockedCpus()).singleElement().satisfies(l -> assertThat(l.task()).isEqualTo("kworker/1:2:1203905"));
    }

    /** KASAN's and KFENCE's own alloc and free stacks, named by the first frame past the allocator, the sanitizer and generic wrappers. */
    @Test
    void aSanitizersAllocAndFreeStacksNameWhoAllocatedAndWhoFreed() throws IOException {
        Analysis kasan = Triage.ofLog("kasan", Files.readString(CORPUS.resolve("kernel-internals-kasan-uaf.log"), StandardCharsets.ISO_8859_1));
        assertThat(kasan.verdict().why()).endsWith("; the object was allocated by task 0 in mydrv_rx_alloc, then freed by task 12 in mydrv_rx_completion");
        CrashReport c = (CrashReport) kasan.findings().getFirst().finding();
        assertThat(c.evidence()).extracting(e -> e.text()).contains("allocated by task 0 in mydrv_rx_alloc: __alloc_skb < mydrv_rx_alloc",
                "freed by task 12 in mydrv_rx_completion: kfree_skb_reason < dev_kfree_skb < mydrv_rx_completion");
        assertThat(kasan.nextSteps()).anySatisfy(n -> assertThat(n.action()).startsWith("read mydrv_rx_completion's free"));

        Analysis kfence = Triage.ofLog("kfence", Files.readString(CORPUS.resolve("syzbot-f2fs-kfence-uaf.log"), StandardCharsets.ISO_8859_1));
        assertThat(kfence.verdict().crashClass()).isEqualTo(CrashClass.KFENCE);
        assertThat(kfence.verdict().why()).startsWith("use-after-free write: Use-after-free write at 0xffff88823bc16040 (in kfence-#10);")
                .endsWith("allocated by task 15453 in kmem_cache_create_usercopy, then freed by task 15448 in kmem_cache_destroy");
        // a report without the stacks says nothing about them
        Analysis plain = Triage.ofLog("bcachefs", Files.readString(CORPUS.resolve("bcachefs-302-kasan.log"), StandardCharsets.ISO_8859_1));
        assertThat(plain.verdict().why()).doesNotContain("the object was");
    }

    /** The lab's slab-uaf console log (checked in): from the log alone, the allocator is innocent. */
    @Test
    void aGpfInTheAllocatorOnANonCanonicalAddressIsAFreelistCorruption() throws IOException {
        Analysis a = Triage.ofLog("lab-slab-uaf.log", Files.readString(Path.of("src/test/resources/oops/lab-slab-uaf.log"),
                StandardCharsets.ISO_8859_1));
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.SLAB_FREELIST_CORRUPTION);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.LOW);
        assertThat(a.verdict().innocent()).isNotNull();
        assertThat(a.nextSteps()).anySatisfy(s -> assertThat(s.action()).contains("slub_debug=FZPU"));
        CrashReport c = (CrashReport) a.findings().getFirst().finding();
        assertThat(c.address()).isNotNull();
        assertThat(c.evidence()).anySatisfy(e -> assertThat(e.text()).startsWith("CS ring 0"));
    }

    /** Platform advice follows the log's platform warnings, and only them. */
    @Test
    void platformAdviceComesFromTheLogsOwnWarnings() throws IOException {
        String oops = Files.readString(Path.of("src/test/resources/oops/lab-slab-uaf.log"), StandardCharsets.ISO_8859_1);
        Analysis plain = Triage.ofLog("plain", oops);
        assertThat(plain.context().platform()).isEmpty();
        assertThat(plain.nextSteps()).noneSatisfy(s -> assertThat(s.action()).contains("intremap"));
        // lines from https://github.com/apptainer/singularity/issues/4774, then the same oops
        String withOptOut = """
                [    0.460225] DMAR-IR: x2apic is disabled because BIOS sets x2apic opt out bit.
                [    0.468085] DMAR-IR: Use 'intremap=no_x2apic_optout' to override the BIOS setting.
                [    0.484254] IRQ remapping doesn't support X2APIC mode, disable x2apic.
                """ + oops;
        Analysis a = Triage.ofLog("opt-out", withOptOut);
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.SLAB_FREELIST_CORRUPTION);
        assertThat(a.context().platform()).extracting(PlatformHint::kind)
                .containsExactly(PlatformHint.Kind.X2APIC_OPT_OUT, PlatformHint.Kind.X2APIC_WITHOUT_REMAPPING);
        assertThat(a.nextSteps()).anySatisfy(s -> assertThat(s.action()).contains("intremap=no_x2apic_optout"));
        assertThat(a.nextSteps()).noneSatisfy(s -> assertThat(s.action()).contains("max_cstate"));
    }

    /** A bug report that quotes only the RIP, RSP/EFLAGS and CS lines (the story's first paste). */
    @Test
    void aFragmentIsDecodedAndWhatItLacksIsNamed() {
        Analysis a = Triage.ofLog("paste", """
                RIP: 0010:kmem_cache_alloc_trace+0x7b/0x1f0
                RSP: 0018:ffffc90000a3fd28 EFLAGS: 00010286
                RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000
                RDX: 0000000000000000 RSI: 00000000000000c0 RDI: 0000000000000000
                R13: 4c8b4808478b4808 R14: 0000000000000000 R15: ffff88007a003800
                CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033
                """);
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.FRAGMENT);
        assertThat(a.verdict().confidence()).isEqualTo(Confidence.LOW);
        assertThat(a.verdict().culprit()).isEqualTo("kmem_cache_alloc_trace");
        assertThat(a.verdict().why()).contains("ring 0 (kernel mode)").contains("IOPL=0").contains("R13 = 0x4c8b4808478b4808 is not canonical")
                .contains("Missing: the report's first line").contains("the call trace");
    }
}
