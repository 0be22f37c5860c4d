package dev.kdive.oops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bit decoding against the Intel SDM's definitions and the kernel's taint table. */
class OopsDecodingTest {
    @Test
    void eflagsOfTheSeedReport() {
        // 0x00010282: bit 16 RF, bit 9 IF, bit 7 SF, bit 1 reserved-one (SDM vol. 1, 3.4.3, figure 3-8)
        Eflags e = new Eflags(0x00010282L);
        assertThat(e.set()).containsExactly(Eflags.Bit.SF, Eflags.Bit.IF, Eflags.Bit.RF);
        assertThat(e.iopl()).isZero();
        assertThat(e.reservedOneSet()).isTrue();
        assertThat(e.reservedSet()).isZero();
        assertThat(e.describe()).isEqualTo("SF IF RF IOPL=0");
    }

    @Test
    void eflagsEveryBitWhereTheSdmPutsIt() {
        assertThat(new Eflags(1L << 0).set()).containsExactly(Eflags.Bit.CF);
        assertThat(new Eflags(1L << 2).set()).containsExactly(Eflags.Bit.PF);
        assertThat(new Eflags(1L << 4).set()).containsExactly(Eflags.Bit.AF);
        assertThat(new Eflags(1L << 6).set()).containsExactly(Eflags.Bit.ZF);
        assertThat(new Eflags(1L << 8).set()).containsExactly(Eflags.Bit.TF);
        assertThat(new Eflags(1L << 10).set()).containsExactly(Eflags.Bit.DF);
        assertThat(new Eflags(1L << 11).set()).containsExactly(Eflags.Bit.OF);
        assertThat(new Eflags(3L << 12).iopl()).isEqualTo(3);
        assertThat(new Eflags(1L << 12).iopl()).isEqualTo(1);
        assertThat(new Eflags(1L << 14).set()).containsExactly(Eflags.Bit.NT);
        assertThat(new Eflags(1L << 17).set()).containsExactly(Eflags.Bit.VM);
        assertThat(new Eflags(1L << 18).set()).containsExactly(Eflags.Bit.AC);
        assertThat(new Eflags(1L << 19).set()).containsExactly(Eflags.Bit.VIF);
        assertThat(new Eflags(1L << 20).set()).containsExactly(Eflags.Bit.VIP);
        assertThat(new Eflags(1L << 21).set()).containsExactly(Eflags.Bit.ID);
        assertThat(new Eflags(0x246L).describe()).isEqualTo("PF ZF IF IOPL=0"); // the lab's other oopses
        assertThat(new Eflags(0x8L | 2).reservedSet()).isEqualTo(8);
    }

    @Test
    void codeSegmentSelectorsGiveThePrivilegeLevel() {
        Selector kernel = new Selector(0x0010); // "CS: 0010": index 2, GDT, RPL 0
        assertThat(kernel.rpl()).isZero();
        assertThat(kernel.index()).isEqualTo(2);
        assertThat(kernel.ldt()).isFalse();
        assertThat(kernel.describe()).isEqualTo("0010: ring 0 (kernel mode), GDT index 2, __KERNEL_CS");
        Selector user = new Selector(0x0033);
        assertThat(user.rpl()).isEqualTo(3);
        assertThat(user.index()).isEqualTo(6);
        assertThat(new Selector(0x002b).describe()).isEqualTo("002b: ring 3 (user mode), GDT index 5, __USER_DS");
        assertThat(new Selector(0x0007).ldt()).isTrue();
    }

    @Test
    void pageFaultErrorCodeBits() {
        // SDM vol. 3A 4.7, figure 4-12: P W/R U/S RSVD I/D PK SS ... SGX(15)
        PageFaultError w = new PageFaultError(0x0002);
        assertThat(w.present()).isFalse();
        assertThat(w.write()).isTrue();
        assertThat(w.user()).isFalse();
        assertThat(w.describe()).isEqualTo("supervisor write access in kernel mode, not-present page");
        PageFaultError fetch = new PageFaultError(0x0011);
        assertThat(fetch.instructionFetch()).isTrue();
        assertThat(fetch.present()).isTrue();
        assertThat(fetch.describe()).isEqualTo("supervisor instruction fetch in kernel mode, protection violation on a present page");
        PageFaultError all = new PageFaultError(0x807f);
        assertThat(all.user()).isTrue();
        assertThat(all.reservedBit()).isTrue();
        assertThat(all.protectionKey()).isTrue();
        assertThat(all.shadowStack()).isTrue();
        assertThat(all.sgx()).isTrue();
        assertThat(new PageFaultError(0x0000).describe()).isEqualTo("supervisor read access in kernel mode, not-present page");
    }

    @Test
    void taintLettersInColumnsBracketsAndOldStyle() {
        Taint t = Taint.parse("G           OE     ");
        assertThat(t.flags()).containsExactly(Taint.Flag.OOT_MODULE, Taint.Flag.UNSIGNED_MODULE);
        assertThat(t.letters()).isEqualTo("OE");
        assertThat(Taint.parse("P    B   D W  O").flags()).containsExactly(Taint.Flag.PROPRIETARY_MODULE, Taint.Flag.BAD_PAGE,
                Taint.Flag.DIE, Taint.Flag.WARN, Taint.Flag.OOT_MODULE);
        assertThat(Taint.parse("[W]=WARN, [O]=OOT_MODULE").flags()).containsExactly(Taint.Flag.WARN, Taint.Flag.OOT_MODULE);
        assertThat(Taint.parse("G        W  OEL").flags()).contains(Taint.Flag.SOFTLOCKUP);
        assertThat(Taint.Flag.values()).hasSize(19);
        assertThat(Taint.Flag.TEST.bit).isEqualTo(18);
        assertThat(Taint.Flag.RANDSTRUCT.letter).isEqualTo('T');
    }

    @Test
    void canonicalAddresses() {
        assertThat(Registers.canonical(0xffff8e6041042800L, 48)).isTrue();
        assertThat(Registers.canonical(0x00007ffd8e7f9888L, 48)).isTrue();
        assertThat(Registers.canonical(0xffff0060575aeea0L, 48)).isFalse();
        assertThat(Registers.canonical(0xffff0060575aeea0L, 57)).isTrue();
        assertThat(Registers.canonical(0xdead000000000122L, 57)).isFalse();
        assertThat(Registers.widest("ecx")).isEqualTo("RCX");
        assertThat(Registers.widest("%r8d")).isEqualTo("R08");
        assertThat(Registers.widest("r13")).isEqualTo("R13");
        assertThat(Registers.widest("sil")).isEqualTo("RSI");
        assertThat(Registers.widest("xmm0")).isNull();
    }

    @Test
    void codeLineBytesAndMarkers() {
        Code c = Code.parse("4c 03 05 <48> 8b 19 48");
        assertThat(c.bytes()).containsExactly(0x4c, 0x03, 0x05, 0x48, 0x8b, 0x19, 0x48);
        assertThat(c.faulting()).isEqualTo(3);
        assertThat(c.hex()).isEqualTo("4c 03 05 <48> 8b 19 48");
        Code arm = Code.parse("d2800001 f9400021 (b9400000) d65f03c0");
        assertThat(arm.unitBytes()).isEqualTo(4);
        assertThat(arm.faulting()).isEqualTo(8);
        assertThat(arm.bytes()[8]).isEqualTo((byte) 0x00); // b9400000 little-endian: 00 00 40 b9
        assertThat(arm.bytes()[11]).isEqualTo((byte) 0xb9);
        assertThat(Code.parse("Unable to access opcode bytes at 0x438af6.").unavailable()).startsWith("Unable");
        assertThat(Code.parse("")).isNull();
    }

    @Test
    void framesAsTheKernelPrintsThem() {
        Frame f = Frame.parse(" ? kdive_lab_slab_uaf+0xfd/0x125 [kdive_lab]", "TASK");
        assertThat(f.reliable()).isFalse();
        assertThat(f.function()).isEqualTo("kdive_lab_slab_uaf");
        assertThat(f.offset()).isEqualTo(0xfd);
        assertThat(f.size()).isEqualTo(0x125);
        assertThat(f.module()).isEqualTo("kdive_lab");
        Frame old = Frame.parse("[<ffffffff8110ab95>] ? kmem_cache_alloc+0x75/0x1d0", null);
        assertThat(old.address()).isEqualTo(0xffffffff8110ab95L);
        assertThat(old.reliable()).isFalse();
        assertThat(Frame.parse("__handle_sysrq.cold+0x44/0x11c", null).baseFunction()).isEqualTo("__handle_sysrq");
        assertThat(Frame.parse("foo+0x1/0x2 [mod 0123456789abcdef]", null).module()).isEqualTo("mod");
        assertThat(Frame.parse("sysfs_warn_dup+0x56/0x70()", null).function()).isEqualTo("sysfs_warn_dup");
        assertThat(Frame.parse("0xffffffffc0123456", null).address()).isEqualTo(0xffffffffc0123456L);
        assertThat(Frame.parse("Modules linked in: foo", null)).isNull();
    }

    @Test
    void titlesNormalizeVariableWords() {
        assertThat(Title.normalize("scheduling while atomic: swapper/0/0/0x00000100")).isEqualTo("scheduling while atomic");
        assertThat(Title.normalize("sleeping function called from invalid context at kernel/locking/mutex.c:580"))
                .isEqualTo("sleeping function called from invalid context");
        assertThat(Title.normalize("Bad page state in process swapper/0  pfn:1a2b3")).isEqualTo("Bad page state");
        assertThat(Title.normalize("workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 35s!")).isEqualTo("workqueue lockup");
        assertThat(List.of("a")).hasSize(1);
    }
}
