package dev.kdive.disasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Instructions taken from Debian's 6.1.0-56-amd64 vmlinux (address, bytes) with the line
 * {@code objdump -d --no-show-raw-insn} (binutils 2.40) prints for them; the crypto and AVX-512
 * ones, which that .text lacks, assembled by gas and printed by the same objdump at address 0.
 * The lab test compares every instruction of the kernel; these name the rules one by one.
 */
class DisassemblerTest {
    /** The names objdump put in angle brackets for the addresses below (from the vmlinux symbol table). */
    private static final Map<Long, String> SYMBOLS = Map.of(0xffffffff82a03f58L, "__end_rodata_aligned+0x3f58",
            0xffffffff81076650L, "__fentry__", 0x1fb40L, "__preempt_count", 0xffffffff823493b0L, "IV+0x10",
            0xffffffff81e016c0L, "__x86_indirect_thunk_r10", 0xffffffff810000a1L, "secondary_startup_64_no_verify+0x2c",
            0xffffffff81000083L, "secondary_startup_64_no_verify+0xe", 0xffffffff82a1a0c0L, "early_pmd_flags");
    private static final LongFunction<Optional<String>> SYMBOLIZE = a -> Optional.ofNullable(SYMBOLS.get(a));

    private static Disassembler dis;

    @BeforeAll
    static void open() throws Disassembler.Unavailable {
        dis = Disassembler.x86_64();
    }

    @AfterAll
    static void close() {
        dis.close();
    }

    @ParameterizedTest(name = "{1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // RIP-relative operands, with the address objdump puts in its comment
        "ffffffff81000000 | 48 8d 25 51 3f a0 01 | lea    0x1a03f51(%rip),%rsp        # ffffffff82a03f58 <__end_rodata_aligned+0x3f58>",
        "ffffffff8109495c | 66 0f ef 1d 4c 4a 2b 01 | pxor   0x12b4a4c(%rip),%xmm3        # ffffffff823493b0 <IV+0x10>",
        // segment overrides; a per-cpu offset whose RIP-relative sum wraps below 2^64
        "ffffffff810009f2 | 65 48 8b 04 25 28 00 00 00 | mov    %gs:0x28,%rax",
        "ffffffff81002530 | 65 ff 05 09 d6 01 7f | incl   %gs:0x7f01d609(%rip)        # 1fb40 <__preempt_count>",
        "ffffffff8100248d | 65 44 8b 2d ab d6 01 7f | mov    %gs:0x7f01d6ab(%rip),%r13d        # 1fb40 <__preempt_count>",
        // direct branches
        "ffffffff81001c10 | e8 3b 4a 07 00 | call   ffffffff81076650 <__fentry__>",
        "ffffffff81000099 | 74 06 | je     ffffffff810000a1 <secondary_startup_64_no_verify+0x2c>",
        "ffffffff81000066 | eb 1b | jmp    ffffffff81000083 <secondary_startup_64_no_verify+0xe>",
        "ffffffff81045516 | 2e e8 a4 c1 db 00 | cs call ffffffff81e016c0 <__x86_indirect_thunk_r10>",
        "ffffffff81000315 | ff d0 | call   *%rax",
        // displacements and absolute addresses
        "ffffffff81001d67 | 48 8b 4d b8 | mov    -0x48(%rbp),%rcx",
        "ffffffff81000075 | 48 8b 04 25 78 c6 a4 82 | mov    0xffffffff82a4c678,%rax",
        "ffffffff81000b0e | 0f b6 44 24 0c | movzbl 0xc(%rsp),%eax",
        // immediates at the operand size: sign-extended imm8 and imm32
        "ffffffff81022642 | 48 83 e4 f0 | and    $0xfffffffffffffff0,%rsp",
        "ffffffff81009c62 | 83 f8 ff | cmp    $0xffffffff,%eax",
        "ffffffff81065716 | 48 83 c4 80 | add    $0xffffffffffffff80,%rsp",
        "ffffffff8107b34c | 6a ff | push   $0xffffffffffffffff",
        "ffffffff81009044 | 4d 69 e4 c0 08 00 00 | imul   $0x8c0,%r12,%r12",
        "ffffffff8100fb51 | 48 b8 00 01 00 00 00 00 ad de | movabs $0xdead000000000100,%rax",
        // size suffix only when no register fixes the size (the shift count %cl does not)
        "ffffffff81000bea | 48 c7 44 24 08 00 00 00 00 | movq   $0x0,0x8(%rsp)",
        "ffffffff8132e04b | 41 f6 46 0b 04 | testb  $0x4,0xb(%r14)",
        "ffffffff81001d4b | c7 45 c4 00 00 00 00 | movl   $0x0,-0x3c(%rbp)",
        "ffffffff810024e5 | 80 3c 24 00 | cmpb   $0x0,(%rsp)",
        "ffffffff810bc096 | 48 d3 63 28 | shlq   %cl,0x28(%rbx)",
        "ffffffff81000128 | 48 0f ba 2d 8f 9f a1 01 3f | btsq   $0x3f,0x1a19f8f(%rip)        # ffffffff82a1a0c0 <early_pmd_flags>",
        "ffffffff81002ea4 | 48 d1 ea | shr    %rdx",
        // nops and prefixes spelled out
        "ffffffff81000902 | 66 66 2e 0f 1f 84 00 00 00 00 00 | data16 cs nopw 0x0(%rax,%rax,1)",
        "ffffffff81159e76 | 66 2e 0f 1f 84 00 00 00 00 00 | cs nopw 0x0(%rax,%rax,1)",
        "ffffffff810a1c49 | 0f 1f 80 00 00 00 00 | nopl   0x0(%rax)",
        "ffffffff81002349 | 66 90 | xchg   %ax,%ax",
        "ffffffff810002cc | 90 | nop",
        "ffffffff8109d625 | f0 0f c1 07 | lock xadd %eax,(%rdi)",
        "ffffffff810011d6 | f3 48 ab | rep stos %rax,%es:(%rdi)",
        "ffffffff81000fc5 | f3 48 a5 | rep movsq %ds:(%rsi),%es:(%rdi)",
        "ffffffff81552697 | a4 | movsb  %ds:(%rsi),%es:(%rdi)",
        // AT&T names and objdump's own spellings
        "ffffffff810005a5 | 48 98 | cltq",
        "ffffffff81008eb3 | 48 63 d2 | movslq %edx,%rdx",
        "ffffffff81001b91 | 0f b7 44 24 08 | movzwl 0x8(%rsp),%eax",
        "ffffffff81000d30 | 0f 94 c0 | sete   %al",
        "ffffffff81000b66 | 0f 45 c2 | cmovne %edx,%eax",
        "ffffffff81000041 | 48 cb | lretq",
        "ffffffff81c00227 | 48 0f 07 | sysretq",
        "ffffffff8103eaa0 | c3 | ret",
        "ffffffff81000334 | cc | int3",
        "ffffffff81000994 | 0f 0b | ud2",
        "ffffffff81e00015 | 0f b9 cc | ud1    %esp,%ecx",
        "ffffffff810008fb | f3 0f 01 d9 | vmgexit",
        "ffffffff8103118d | 0f 01 ee | rdpkru",
        "ffffffff8106dab9 | 0f 01 c8 | monitor %rax,%ecx,%edx",
        "ffffffff8106dac2 | 0f 01 c9 | mwait  %eax,%ecx",
        "ffffffff81000083 | 0f 20 e1 | mov    %cr4,%rcx",
        "ffffffff81a48093 | 0f 21 f8 | mov    %db7,%rax",
        "ffffffff810000dd | 8e d8 | mov    %eax,%ds",
        "ffffffff81037c7a | ec | in     (%dx),%al",
        "ffffffff819d191a | e6 22 | out    %al,$0x22",
        "ffffffff81040ad4 | 48 0f ae 40 40 | fxsave64 0x40(%rax)",
        "ffffffff81040c05 | 48 0f ae 2f | xrstor64 (%rdi)",
        // SSE, AVX, AVX-512, BMI
        "ffffffff81094b90 | c4 c1 59 ef df | vpxor  %xmm15,%xmm4,%xmm3",
        "ffffffff81094bda | 62 f1 65 08 72 c3 10 | vprord $0x10,%xmm3,%xmm3",
        "ffffffff81094bf0 | c4 43 7d 39 c0 01 | vextracti128 $0x1,%ymm8,%xmm8",
        "ffffffff810949a6 | 66 41 0f 38 00 dc | pshufb %xmm12,%xmm3",
        "ffffffff81094909 | f3 0f 6f 07 | movdqu (%rdi),%xmm0",
        "ffffffff81555af4 | c4 e2 bb f7 f6 | shrx   %r8,%rsi,%rsi",
        "ffffffff8100945f | f3 48 0f bc c9 | tzcnt  %rcx,%rcx",
        "0 | 62 f1 fe c9 6f 08 | vmovdqu64 (%rax),%zmm1{%k1}{z}",
        "0 | 62 f1 75 58 fe 10 | vpaddd (%rax){1to16},%zmm1,%zmm2",
        "0 | c4 e2 e0 f2 c8 | andn   %rax,%rbx,%rcx",
        "0 | c4 e2 78 f7 17 | bextr  %eax,(%rdi),%edx",
        "0 | f2 0f 2a 08 | cvtsi2sdl (%rax),%xmm1",
        // AES-NI, PCLMULQDQ (objdump's named immediates), SHA, CRC32
        "0 | 66 0f 38 dc d1 | aesenc %xmm1,%xmm2",
        "0 | 66 0f 38 dd 47 10 | aesenclast 0x10(%rdi),%xmm0",
        "0 | 66 0f 3a df d1 01 | aeskeygenassist $0x1,%xmm1,%xmm2",
        "0 | 66 0f 3a 44 d1 11 | pclmulhqhqdq %xmm1,%xmm2",
        "0 | c4 e3 6d 44 d9 00 | vpclmullqlqdq %ymm1,%ymm2,%ymm3",
        "0 | 0f 38 cb d1 | sha256rnds2 %xmm0,%xmm1,%xmm2",
        "0 | 0f 3a cc d1 03 | sha1rnds4 $0x3,%xmm1,%xmm2",
        "0 | c4 e2 6d dc d9 | vaesenc %ymm1,%ymm2,%ymm3",
        "0 | f2 0f 38 f0 c2 | crc32  %dl,%eax",
        "0 | f2 48 0f 38 f1 07 | crc32q (%rdi),%rax",
    })
    void printsWhatObjdumpPrints(String address, String hex, String objdump) {
        byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(hex);
        List<Instruction> decoded = dis.decode(bytes, Long.parseUnsignedLong(address, 16));
        assertThat(decoded).hasSize(1);
        Instruction i = decoded.getFirst();
        assertThat(i.kind()).isEqualTo(Instruction.Kind.DECODED);
        assertThat(i.length()).isEqualTo(bytes.length);
        assertThat(i.text(SYMBOLIZE)).isEqualTo(objdump);
    }

    @Test
    void exposesBranchTargetsAndRipRelativeAddresses() {
        Instruction call = dis.decode(HexFormat.of().parseHex("e83b4a0700"), 0xffffffff81001c10L).getFirst();
        assertThat(call.mnemonic()).isEqualTo("call");
        assertThat(call.operands()).isEqualTo("ffffffff81076650");
        assertThat(call.target()).isEqualTo(OptionalLong.of(0xffffffff81076650L));
        assertThat(call.memoryAddress()).isEmpty();
        assertThat(call.text()).isEqualTo("call   ffffffff81076650");

        Instruction lea = dis.decode(HexFormat.of().parseHex("488d0551ffffff"), 0x1000).getFirst();
        assertThat(lea.operands()).isEqualTo("-0xaf(%rip),%rax");
        assertThat(lea.memoryAddress()).isEqualTo(OptionalLong.of(0x1000 + 7 - 0xaf));
        assertThat(lea.target()).isEmpty();
        assertThat(lea.text()).isEqualTo("lea    -0xaf(%rip),%rax        # f58");
    }

    @Test
    void undecodableBytesAreBadLikeObjdump() {
        // ffffffff810008a0 in the vmlinux: 32-bit code's far jump (EA), invalid in 64-bit mode.
        List<Instruction> decoded = dis.decode(HexFormat.of().parseHex("eaa70800"), 0xffffffff810008a0L);
        assertThat(decoded.getFirst().kind()).isEqualTo(Instruction.Kind.BAD);
        assertThat(decoded.getFirst().text()).isEqualTo("(bad)");
        assertThat(decoded.getFirst().length()).isEqualTo(1);
        assertThat(decoded.get(1).text()).isEqualTo("cmpsl  %es:(%rdi),%ds:(%rsi)");
        assertThat(decoded.get(2).text()).isEqualTo("or     %al,(%rax)");
    }

    @Test
    void aRexWOnAByteOperationIsNamedAsObjdumpNamesIt() {
        // objdump -D -b binary -m i386:x86-64 on 49 00 00 41 00 00 48 00 00 48 01 00 (trixie's dis input_leds_exit+10)
        List<Instruction> decoded = dis.decode(HexFormat.of().parseHex("490000410000480000480100"), 0);
        assertThat(decoded).extracting(Instruction::text).containsExactly("rex.WB add %al,(%r8)", "add    %al,(%r8)",
                "rex.W add %al,(%rax)", "add    %rax,(%rax)");
    }

    @Test
    void bytesCutOffAtTheEndAreTruncatedLikeObjdump() {
        // srso_untrain_ret (ffffffff81e0187e) is two bytes of a movabs the next symbol interrupts:
        // objdump prints "rex.W" and ".byte 0xb8".
        List<Instruction> decoded = dis.decode(HexFormat.of().parseHex("48b8"), 0xffffffff81e0187eL);
        assertThat(decoded).extracting(Instruction::text).containsExactly("rex.W", ".byte 0xb8");
        assertThat(decoded).extracting(Instruction::kind).containsOnly(Instruction.Kind.TRUNCATED);
        assertThat(decoded).extracting(Instruction::address).containsExactly(0xffffffff81e0187eL, 0xffffffff81e0187fL);
        assertThat(dis.decode(HexFormat.of().parseHex("e8"), 0).getFirst().text()).isEqualTo(".byte 0xe8");
    }

    @Test
    void decodesBackToBackAndFoldsFwaitIntoFinit() {
        // .init.text ffffffff8308ab6b: fsubp (the AT&T operand-order quirk), fistpl, then 9b db e3.
        List<Instruction> decoded = dis.decode(HexFormat.of().parseHex("dee1db5c24049bdbe3"), 0xffffffff8308ab6bL);
        assertThat(decoded).extracting(Instruction::text).containsExactly("fsubp  %st,%st(1)", "fistpl 0x4(%rsp)", "finit");
        assertThat(decoded.getLast().length()).isEqualTo(3);
    }

    @Test
    void missingLibraryIsOneLineNamingThePackage() {
        assertThatThrownBy(() -> Zydis.load("libZydis-not-installed.so.4.0"))
                .isInstanceOf(Disassembler.Unavailable.class)
                .hasMessageStartingWith("dis needs libzydis4.0 (apt-get install libzydis4.0)")
                .hasMessageNotContaining("\n");
    }
}
