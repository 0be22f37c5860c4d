package dev.kdive.cli.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One command as typed at crash's prompt, and where its output goes: the screen, a shell pipeline
 * ({@code kmem -S | grep invalid}), or a file ({@code bt > bt.txt}, {@code log >> all.txt}). A line
 * starting with {@code !} is a shell command of its own ({@code !ls}). As in crash, the first
 * unquoted {@code |} or {@code >} ends the kdive command; quotes keep them (and {@code ;}) literal.
 */
record Invocation(String command, Sink sink) {
    /** Where a command's output goes. */
    sealed interface Sink {
        record Screen() implements Sink {}

        /** {@code /bin/sh -c pipeline}, fed the command's output */
        record Pipe(String pipeline) implements Sink {}

        record File(Path path, boolean append) implements Sink {}

        /** {@code !command}: not kdive's at all, run by {@code /bin/sh} */
        record Shell(String command) implements Sink {}
    }

    /**
     * Splits on {@code ;} and newlines outside quotes, pipelines too: {@code -c 'ps | head -3; sys'} is
     * two commands; a pipeline's own {@code ;} is quoted ({@code bt | awk '{a; b}'}).
     */
    static List<String> split(String line) {
        List<String> parts = new ArrayList<>();
        if (line.strip().startsWith("!")) { // a shell command line is the shell's, semicolons and all
            return List.of(line.strip());
        }
        char quote = 0;
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\n' || c == ';') {
                parts.add(line.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(line.substring(start));
        parts.replaceAll(String::strip);
        parts.removeIf(String::isEmpty);
        return parts;
    }

    /**
     * {@return one command of a line, with its pipe or redirection}
     *
     * @throws UsageException for a redirection without a file name or a pipe without a command
     */
    static Invocation of(String text) throws UsageException {
        if (text.startsWith("!")) {
            return new Invocation(text, new Sink.Shell(text.substring(1).strip()));
        }
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '|') {
                String command = text.substring(0, i).strip();
                String pipeline = text.substring(i + 1).strip();
                if (command.isEmpty() || pipeline.isEmpty()) {
                    throw new UsageException(text + ": a pipe needs a kdive command before it and a shell command after it");
                }
                return new Invocation(command, new Sink.Pipe(pipeline));
            } else if (c == '>' && !(i > 0 && text.charAt(i - 1) == '-')) { // p ptr->member is C, not a redirection
                boolean append = i + 1 < text.length() && text.charAt(i + 1) == '>';
                String command = text.substring(0, i).strip();
                List<String> file = Shell.words(text.substring(i + (append ? 2 : 1)));
                if (command.isEmpty() || file.size() != 1) {
                    throw new UsageException(text + ": " + (append ? ">>" : ">") + " needs a kdive command before it and one file name after it");
                }
                String name = file.getFirst().startsWith("~/") // as a shell would, for bt > ~/bt.txt
                        ? System.getProperty("user.home") + file.getFirst().substring(1) : file.getFirst();
                return new Invocation(command, new Sink.File(Path.of(name), append));
            }
        }
        return new Invocation(text, new Sink.Screen());
    }
}
