package dev.kdive.cli.shell;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Output that is lines of text in both renderings: gdb-shaped answers (p, ptype, whatis). */
record Text(List<String> lines) implements Output {
    static Text of(String text) {
        return new Text(text.lines().toList());
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
