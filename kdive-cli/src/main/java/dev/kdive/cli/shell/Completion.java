package dev.kdive.cli.shell;

import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the shell offers at TAB, from the dump itself: command names, a command's flags (read from
 * its synopsis, so help and completion cannot disagree), symbol names, {@code struct}/{@code union}
 * names and {@code struct NAME.member} members, pids and comms. Each source is read on first use
 * and kept sorted, so a completion is a binary search.
 */
final class Completion {
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])-[a-zA-Z0-9]+\\b");
    /** Commands whose arguments are tasks: a pid or a comm, as crash takes them. */
    private static final Set<String> TASK_ARGS = Set.of("ps", "bt", "task", "files", "vm", "set", "foreach");
    /** Commands whose arguments are addresses or symbols. */
    private static final Set<String> SYMBOL_ARGS = Set.of("sym", "rd", "dis", "p", "list", "vtop", "kmem", "struct", "union");

    private final Program program;
    private final Map<String, ShellCommand> commands;
    private String[] symbols;
    private String[] typeNames;
    private String[] tasks;
    private String[] caches;

    Completion(Program program, Map<String, ShellCommand> commands) {
        this.program = program;
        this.commands = commands;
    }

    /**
     * {@return the words that may replace {@code word}, sorted}
     *
     * @param before the words of the command typed before it ({@code struct} for {@code struct kmem_c})
     * @param word   the word being typed, possibly empty
     */
    List<String> candidates(List<String> before, String word) {
        if (before.isEmpty()) {
            List<String> names = new ArrayList<>(commands.keySet());
            names.addAll(List.of("help", "q", "quit", "exit"));
            return startingWith(names.stream().sorted().toArray(String[]::new), word);
        }
        String command = before.getFirst();
        if (command.equals("help")) {
            return startingWith(commands.keySet().stream().sorted().toArray(String[]::new), word);
        }
        ShellCommand c = commands.get(command);
        if (c == null) {
            return List.of();
        }
        if (word.startsWith("-")) {
            return startingWith(flags(c.synopsis()), word);
        }
        boolean firstArgument = before.stream().skip(1).allMatch(w -> w.startsWith("-"));
        if ((command.equals("struct") || command.equals("union")) && firstArgument) {
            int dot = word.indexOf('.');
            return dot < 0 ? typesOfKind(command, word) : members(command + " " + word.substring(0, dot), word.substring(0, dot + 1),
                    word.substring(dot + 1));
        }
        if (command.equals("ptype") || command.equals("whatis")) {
            String last = before.getLast();
            if (List.of("struct", "union", "enum").contains(last)) {
                return typesOfKind(last, word);
            }
            List<String> out = new ArrayList<>(startingWith(new String[] {"enum", "struct", "union"}, word));
            out.addAll(startingWith(symbols(), word));
            return out;
        }
        if (command.equals("kmem") && before.stream().anyMatch(w -> List.of("-s", "-S", "-V").contains(w))) {
            return startingWith(caches(), word);
        }
        if (TASK_ARGS.contains(command)) {
            return startingWith(tasks(), word);
        }
        if (SYMBOL_ARGS.contains(command)) {
            String prefix = word.startsWith("*(") ? "*(" : word.startsWith("*") ? "*" : ""; // list *(FUNC+0x10), dis *ADDR
            return startingWith(symbols(), word.substring(prefix.length())).stream().map(s -> prefix + s).toList();
        }
        return List.of();
    }

    /**
     * {@return whether a completed word is whole, so the prompt adds a blank after it: not a struct or
     * union name after {@code struct}/{@code union}, where {@code .member} may follow}
     */
    static boolean endsWord(List<String> before) {
        return before.isEmpty() || !(before.getFirst().equals("struct") || before.getFirst().equals("union"))
                || !before.stream().skip(1).allMatch(w -> w.startsWith("-"));
    }

    /** {@return the flags a synopsis names: "-s", "-S" and "-V" of "kmem -s|-S|-V [CACHE]"} */
    static String[] flags(String synopsis) {
        Set<String> flags = new java.util.TreeSet<>();
        Matcher m = FLAG.matcher(synopsis.split(" {3,}")[0]); // the usage, not the description after it
        while (m.find()) {
            flags.add(m.group());
        }
        return flags.toArray(String[]::new);
    }

    private List<String> typesOfKind(String kind, String word) {
        String prefix = kind + " ";
        return startingWith(typeNames(), prefix + word).stream().map(n -> n.substring(prefix.length())).toList();
    }

    private List<String> members(String type, String typed, String word) {
        Optional<Type> t;
        try {
            t = program.types().lookup(type);
        } catch (TypeException e) {
            return List.of();
        }
        if (t.isEmpty() || !(t.get().resolved() instanceof Type.Struct s)) {
            return List.of();
        }
        Set<String> names = new java.util.TreeSet<>();
        collectMembers(s, names);
        return names.stream().filter(n -> n.startsWith(word)).map(n -> typed + n).toList();
    }

    /** Members by name; an anonymous struct or union's members are the outer one's, as C reads them. */
    private static void collectMembers(Type.Struct s, Set<String> into) {
        for (Type.Member m : s.members()) {
            if (m.name() == null || m.name().isEmpty()) {
                if (m.type().get().resolved() instanceof Type.Struct inner) {
                    collectMembers(inner, into);
                }
            } else {
                into.add(m.name());
            }
        }
    }

    /**
     * {@return the reads a first TAB would otherwise wait for, most used first: symbol names (94k on
     * a distro kernel, decoded from kallsyms and sorted), type names, then tasks}
     */
    List<Runnable> prefetchSteps() {
        return List.of(this::symbols, this::typeNames, this::tasks);
    }

    private String[] symbols() {
        if (symbols == null) {
            symbols = program.symbols().all().stream().map(Symbol::name).distinct().sorted().toArray(String[]::new);
        }
        return symbols;
    }

    private String[] typeNames() {
        if (typeNames == null) {
            try {
                typeNames = program.types().names().stream().filter(n -> n.startsWith("struct ") || n.startsWith("union ")
                        || n.startsWith("enum ")).sorted().toArray(String[]::new);
            } catch (TypeException e) { // no types in this dump: nothing to offer, the command will say why
                typeNames = new String[0];
            }
        }
        return typeNames;
    }

    /** Slab cache names, from the kernel's list of caches (kmem -s|-S|-V CACHE). */
    private String[] caches() {
        if (caches == null) {
            try {
                caches = new dev.kdive.kernel.Slub(program).caches().caches().stream().map(dev.kdive.kernel.SlabCache::name)
                        .distinct().sorted().toArray(String[]::new);
            } catch (dev.kdive.dump.MemoryFault | dev.kdive.program.UnknownSymbolException | TypeException e) {
                caches = new String[0]; // kmem will say why
            }
        }
        return caches;
    }

    /** Pids and comms of the task list (what crash's pid-or-comm arguments take). */
    private String[] tasks() {
        if (tasks == null) {
            Set<String> words = new LinkedHashSet<>();
            List<Task> list = Tasks.walk(program).tasks();
            list.forEach(t -> words.add(Integer.toString(t.pid())));
            list.forEach(t -> words.add(t.comm()));
            TreeMap<String, String> sorted = new TreeMap<>();
            words.forEach(w -> sorted.put(w, w));
            tasks = sorted.keySet().toArray(String[]::new);
        }
        return tasks;
    }

    /** {@return the sorted entries starting with {@code prefix}: a binary search, then a scan of the matches} */
    static List<String> startingWith(String[] sorted, String prefix) {
        int i = Arrays.binarySearch(sorted, prefix);
        if (i < 0) {
            i = -i - 1;
        }
        List<String> out = new ArrayList<>();
        for (; i < sorted.length && sorted[i].startsWith(prefix); i++) {
            out.add(sorted[i]);
        }
        return out;
    }
}
