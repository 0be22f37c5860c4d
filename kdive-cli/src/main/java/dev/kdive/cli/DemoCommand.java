package dev.kdive.cli;

import dev.kdive.kernel.Kernel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.Vmcoreinfo;
import dev.kdive.lab.Lab;
import dev.kdive.lab.LabException;
import dev.kdive.lab.Scenario;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code kdive demo}: builds (or reuses) the slab-uaf sample and shows what kdive can say about it
 * today: every dump format opened, the console's oops, and kdive's own reading of the dump (the
 * stack down to the faulting instruction, its disassembly, the corrupted freelist), next to the
 * ground truth the crash module logged.
 */
@Command(name = "demo", description = "Build (or reuse) the slab-uaf sample dump and analyse it.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Lab lab = Lab.standard();
        Path dir;
        try {
            dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        } catch (LabException e) {
            System.err.println("kdive demo: " + e.getMessage());
            return 1;
        }
        JsonNode gt = new ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
        System.out.println();
        System.out.println("== sample: " + dir);
        System.out.println("== dumps");
        for (Lab.Artifact a : Lab.Artifact.values()) {
            Path f = dir.resolve(a.file);
            if (!a.isDump() || a.optional() && !Files.exists(f)) {
                continue;
            }
            try (DumpFile d = DumpFile.open(f)) {
                var info = d.vmcoreinfo().map(Vmcoreinfo::parse).orElse(java.util.Map.of());
                System.out.printf("  %-24s %-24s %6d MiB  release %s%n", a.file, d.formatName(), Files.size(f) >> 20,
                        info.getOrDefault("OSRELEASE", "(no VMCOREINFO)"));
            } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
                System.out.printf("  %-24s unreadable: %s%n", a.file, e.getMessage());
            }
        }
        System.out.println("== the oops (console log)");
        List<String> console = Files.readAllLines(dir.resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
        // The oops header and registers, up to its first call trace; then the panic line.
        boolean in = false;
        for (String line : console) {
            String text = line.replaceFirst("^\\[\\s*\\d+\\.\\d+\\]\\s?", "");
            if (!in && (text.startsWith("general protection fault") || text.startsWith("Oops:"))) {
                in = true;
            }
            if (in && text.startsWith("Call Trace:")) {
                in = false;
            }
            if (in || text.startsWith("Kernel panic")) {
                System.out.println("  " + text);
            }
        }
        System.out.println("== kdive on the makedumpfile -d 31 dump alone (no debug package): bt; dis -r RIP; kmem -V");
        try (dev.kdive.program.Program p = dev.kdive.kernel.Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), java.util.Optional.empty())) {
            java.io.StringWriter w = new java.io.StringWriter();
            dev.kdive.cli.shell.Shell shell = new dev.kdive.cli.shell.Shell(p, new java.io.PrintWriter(w), false);
            shell.runLine("bt");
            List<String> bt = w.toString().lines().toList();
            // The frames down to the exception and its registers: where the CPU was when it faulted.
            int rip = 0;
            for (int i = 0; i < bt.size(); i++) {
                if (bt.get(i).contains("[exception RIP: ")) {
                    rip = i;
                }
            }
            bt.subList(0, Math.min(bt.size(), rip + 8)).forEach(l -> System.out.println("  " + l));
            String at = bt.get(rip).replaceFirst(".*\\[exception RIP: (\\S+)\\].*", "$1");
            w.getBuffer().setLength(0);
            shell.runLine("dis -r " + at);
            List<String> dis = w.toString().lines().toList();
            dis.subList(Math.max(0, dis.size() - 4), dis.size()).forEach(l -> System.out.println("  " + l));
            w.getBuffer().setLength(0);
            shell.runLine("kmem -V");
            w.toString().lines().forEach(l -> System.out.println("  " + l));
            System.out.println("== kdive analyze on the same dump: the verdict, the proof, what to do next");
            java.io.StringWriter v = new java.io.StringWriter();
            java.io.PrintWriter vw = new java.io.PrintWriter(v);
            new dev.kdive.cli.shell.AnalyzeCommand.Report(dev.kdive.triage.Triage.ofDump(
                    dir.resolve(Lab.Artifact.D31_ZLIB.file).toString(), p)).text(vw);
            vw.flush();
            v.toString().lines().forEach(l -> System.out.println("  " + l));
        } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
            System.out.println("  kdive: " + e.getMessage());
        }
        JsonNode m = gt.path("module");
        System.out.println("== ground truth (logged by the crash module before it crashed)");
        System.out.printf("  cache %s, object %s, free pointer offset %s%n", m.path("cache").asText(),
                m.path("object").asText(), m.path("free_pointer_offset").asText());
        System.out.printf("  free pointer: raw %s, decoded %s (non-canonical), fault address %s%n",
                m.path("raw_pointer").asText(), m.path("decoded_pointer").asText(), m.path("fault_address").asText());
        return 0;
    }
}
