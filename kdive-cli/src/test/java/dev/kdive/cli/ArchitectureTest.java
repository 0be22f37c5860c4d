package dev.kdive.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.PhysicalMemory;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The layers of ../shared/DESIGN.md, checked on the compiled classes of core, lab and cli:
 * bytes → dump → arch → symbols/types → program → kernel → triage → cli, never upwards, and no cycles.
 */
class ArchitectureTest {
    private static final JavaClasses KDIVE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.kdive");

    /** The methods of KernelObject that follow the kernel's structures member by member (its type and bytes are a value's). */
    private static final Set<String> WALKS = Set.of("read", "member", "addressOf", "string", "follow");

    /** The methods of AddressSpace and PhysicalMemory that read the dump's bytes (census, translate and the like only describe it). */
    private static final Set<String> READS = Set.of("read", "u8", "u16", "u32", "u64", "cstring", "page");

    @Test
    void corePackagesHaveNoCycles() {
        slices().matching("dev.kdive.(*)..").should().beFreeOfCycles().check(KDIVE);
    }

    @Test
    void dumpKnowsNothingAboveIt() {
        noClasses().that().resideInAPackage("dev.kdive.dump..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.kdive.arch..", "dev.kdive.elf..", "dev.kdive.symbols..",
                        "dev.kdive.types..", "dev.kdive.dwarf..", "dev.kdive.program..", "dev.kdive.kernel..", "dev.kdive.oops..",
                        "dev.kdive.cli..", "dev.kdive.lab..")
                .check(KDIVE);
    }

    @Test
    void programLayerDoesNotReachIntoTheKernelModel() {
        noClasses().that().resideInAnyPackage("dev.kdive.program..", "dev.kdive.symbols..", "dev.kdive.types..",
                        "dev.kdive.dwarf..", "dev.kdive.elf..", "dev.kdive.arch..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.kdive.kernel..", "dev.kdive.oops..", "dev.kdive.cli..",
                        "dev.kdive.lab..")
                .check(KDIVE);
    }

    @Test
    void coreKnowsNoFrontEnd() {
        noClasses().that().resideInAnyPackage("dev.kdive.dump..", "dev.kdive.arch..", "dev.kdive.elf..", "dev.kdive.symbols..",
                        "dev.kdive.types..", "dev.kdive.dwarf..", "dev.kdive.disasm..", "dev.kdive.program..", "dev.kdive.kernel..",
                        "dev.kdive.oops..", "dev.kdive.value..", "dev.kdive.finding..", "dev.kdive.triage..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.kdive.cli..", "dev.kdive.lab..", "picocli..",
                        "com.fasterxml.jackson..")
                .check(KDIVE);
    }

    @Test
    void theKernelModelKnowsNothingOfTriage() {
        noClasses().that().resideInAnyPackage("dev.kdive.kernel..", "dev.kdive.oops..", "dev.kdive.program..", "dev.kdive.finding..")
                .should().dependOnClassesThat().resideInAPackage("dev.kdive.triage..")
                .check(KDIVE);
    }

    @Test
    void cliDoesNotReadMemoryOrWalkKernelStructures() {
        Set<String> offenders = new TreeSet<>();
        for (JavaClass c : KDIVE) {
            if (!c.getPackageName().startsWith("dev.kdive.cli")) {
                continue;
            }
            boolean walks = c.getMethodCallsFromSelf().stream().anyMatch(call -> call.getTargetOwner().getName().equals("dev.kdive.kernel.OrcUnwinder")
                    || call.getTargetOwner().getName().equals("dev.kdive.program.KernelObject") && WALKS.contains(call.getTarget().getName()));
            boolean reads = c.getMethodCallsFromSelf().stream()
                    .filter(call -> READS.contains(call.getTarget().getName()))
                    .map(call -> call.getTargetOwner())
                    .anyMatch(o -> o.isAssignableTo(AddressSpace.class) || o.isAssignableTo(PhysicalMemory.class));
            if (walks || reads) {
                offenders.add(c.getName().replaceAll(".*\\.", "").replaceAll("\\$.*", ""));
            }
        }
        assertThat(offenders).as("cli classes that read memory or walk kernel structures (move that into core)")
                .isEmpty();
    }
}
