package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Sbitmaps;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code sbitmapq ADDR}: a struct sbitmap_queue (blk-mq tags) as the kernel's debugfs and crash show it, then its bitmap. */
final class SbitmapqCommand implements ShellCommand {
    @Override
    public String name() {
        return "sbitmapq";
    }

    @Override
    public String synopsis() {
        return "sbitmapq ADDR              a struct sbitmap_queue (blk-mq tags): depth, busy, hints, wait queues, and the bitmap";
    }

    @Override
    public String example() {
        return "sbitmapq ffff8881062c0c10  depth = 256, busy = 3, … then the set bits as hex bytes";
    }

    record Show(Sbitmaps.Queue q) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("depth = " + q.depth());
            out.println("busy = " + q.busy());
            out.println("cleared = " + q.cleared());
            out.println("bits_per_word = " + q.bitsPerWord());
            out.println("map_nr = " + q.mapNr());
            out.println("alloc_hint = {" + String.join(", ", q.allocHints().stream().map(String::valueOf).toList()) + "}");
            out.println("wake_batch = " + q.wakeBatch());
            out.println("wake_index = " + q.wakeIndex());
            out.println("ws_active = " + q.wsActive());
            out.println("ws = {");
            q.waitStates().forEach(w -> out.println("\t{ .wait_cnt = " + w.waitCount() + ", .wait = " + (w.active() ? "active" : "inactive") + " },"));
            out.println("}");
            out.println("round_robin = " + q.roundRobin());
            out.println("min_shallow_depth = " + q.minShallowDepth());
            out.println();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < q.bitmap().length; i++) {
                if (i % 16 == 0) {
                    if (i > 0) {
                        out.println(line);
                        line.setLength(0);
                    }
                    line.append(String.format("%08x:", i));
                }
                if (i % 2 == 0) {
                    line.append(' ');
                }
                line.append(String.format("%02x", q.bitmap()[i] & 0xff));
            }
            if (!line.isEmpty()) {
                out.println(line);
            }
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() != 1 || args.getFirst().startsWith("-")) {
            throw new UsageException("sbitmapq: give one sbitmap_queue address (-s, -a, -p, -v are not supported)");
        }
        try {
            return new Show(Sbitmaps.of(p, Args.address(p, "sbitmapq", args.getFirst())));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("sbitmapq: " + e.getMessage());
        }
    }
}
