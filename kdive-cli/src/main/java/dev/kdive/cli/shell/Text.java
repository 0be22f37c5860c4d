package dev.kdive.cli.shell;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Output that is lines of text in both renderings: gdb-shaped answers (p, ptype, whatis). */
record Text(List<String> lines) implements Output {
    static Text of(String text) {
        return new Text(text.lines().toList());
    }

    /**
     * {@return {@code s} centred in {@code width}, as crash's mkstring(CENTER) lays out columns: an odd
     * space goes right of a title and left of a value}
     */
    static String centre(String s, int width, boolean value) {
        int pad = Math.max(0, width - s.length());
        int left = value ? (pad + 1) / 2 : pad / 2;
        return " ".repeat(left) + s + " ".repeat(pad - left);
    }

    /** {@return crash's task header (print_task_header, crash 8's widths): "PID: 1        TASK: … CPU: 0    COMMAND: "init""} */
    static String taskHeader(dev.kdive.kernel.Task t) {
        return String.format("PID: %-7d  TASK: %x  CPU: %-3d  COMMAND: \"%s\"", t.pid(), t.address(), t.cpu(), t.comm());
    }

    @Override
    public void text(PrintWriter out) {
        lines.forEach(out::println);
    }

    @Override
    public Object json() {
        return Map.of("text", String.join("\n", lines));
    }
}
