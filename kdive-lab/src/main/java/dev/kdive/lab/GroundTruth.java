package dev.kdive.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guest said about its own crash, read from the serial console: the kdive_lab module's
 * "kdive-lab: gt KEY=VALUE" lines (printed before it crashes), the user processes' marker lines,
 * and the panic line and "CPU: .. PID: .. Comm: .." line the kernel printed.
 */
public record GroundTruth(Map<String, String> module, List<Map<String, String>> markers, Map<String, String> files,
                          String panicMessage, Map<String, String> panicContext) {

    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s?");
    private static final Pattern GT = Pattern.compile("kdive-lab: gt (\\w+)=(.*)$");
    private static final Pattern MARKER = Pattern.compile("kdive-lab: marker role=(\\S+) pid=(\\d+) addr=(0x[0-9a-f]+) text=(.*)$");
    private static final Pattern FILES = Pattern.compile("kdive-lab: files pid=(\\d+) regular=(\\d+) pipe=(\\d+),(\\d+) socket=(\\d+),(\\d+)");
    private static final Pattern PANIC = Pattern.compile("Kernel panic - not syncing: (.*)$");
    private static final Pattern RIP = Pattern.compile("RIP: 0010:(\\S+)");
    // 6.12 and later put "UID: n" between CPU and PID (lib/dump_stack.c)
    private static final Pattern CONTEXT = Pattern.compile("CPU: (\\d+) (?:UID: \\d+ )?PID: (\\d+) Comm: (\\S+) (.*)$");

    /** Reads the facts out of a console log; missing parts stay empty. */
    public static GroundTruth parse(String console) {
        Map<String, String> module = new LinkedHashMap<>();
        List<Map<String, String>> markers = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        String panic = null;
        Map<String, String> context = new LinkedHashMap<>();
        for (String raw : console.split("\r?\n")) {
            String line = TIMESTAMP.matcher(raw).replaceFirst("");
            Matcher m;
            if ((m = GT.matcher(line)).find()) {
                module.putIfAbsent(m.group(1), m.group(2).strip());
            } else if ((m = MARKER.matcher(line)).find()) {
                markers.add(Map.of("role", m.group(1), "pid", m.group(2), "address", m.group(3), "text", m.group(4).strip()));
            } else if ((m = FILES.matcher(line)).find()) {
                files.put("pid", m.group(1));
                files.put("regular_fd", m.group(2));
                files.put("pipe_fds", m.group(3) + "," + m.group(4));
                files.put("socket_fds", m.group(5) + "," + m.group(6));
            } else if (panic == null && (m = PANIC.matcher(line)).find()) {
                panic = m.group(1).strip();
            } else if (!context.isEmpty() && !context.containsKey("rip") && (m = RIP.matcher(line)).find()) {
                context.put("rip", m.group(1)); // the kernel's own word on where it faulted
            } else if (context.isEmpty() && (m = CONTEXT.matcher(line)).find()) {
                context.put("cpu", m.group(1));
                context.put("pid", m.group(2));
                context.put("comm", m.group(3));
                context.put("taint_and_release", m.group(4).strip());
            }
        }
        return new GroundTruth(module, markers, files, panic, context);
    }

    /** {@return the JSON document written as ground-truth.json} */
    public Map<String, Object> toJson(Scenario scenario) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", scenario.id());
        json.put("release", module.get("release"));
        json.put("module", module);
        json.put("crashing", panicContext);
        json.put("panic", panicMessage);
        json.put("markers", markers);
        json.put("files", files);
        return json;
    }

    /** The user processes of samples/userland/lab-user.c, each of which logs one marker. */
    static final List<String> ROLES = List.of("sleeper", "busy", "files", "trigger");

    /**
     * {@return why this log is not the complete record of the scenario's crash, or null when it is}
     * Every fact a test reads must be here: a boot whose log lacks one is retried, never written
     * out as ground truth.
     */
    public String incompleteness(Scenario scenario) {
        if (!scenario.id().equals(module.get("scenario"))) {
            return "the kdive_lab module never announced scenario " + scenario.id();
        }
        for (String key : scenario.moduleFacts()) {
            if (!module.containsKey(key)) {
                return "the kdive_lab module did not log " + key;
            }
        }
        if (panicMessage == null) {
            return "no \"Kernel panic - not syncing\" line";
        }
        for (String role : ROLES) {
            long n = markers.stream().filter(m -> m.get("role").equals(role)).count();
            if (n != 1) {
                return "the " + role + " process logged " + n + " markers, not 1";
            }
        }
        if (files.isEmpty()) {
            return "the files process did not log its descriptors";
        }
        String trigger = markers.stream().filter(m -> m.get("role").equals("trigger")).findFirst().orElseThrow().get("pid");
        if (!trigger.equals(module.get("pid"))) {
            return "the trigger's marker (pid " + trigger + ") and the module (pid " + module.get("pid") + ") disagree";
        }
        if (!panicContext.containsKey("pid")) {
            return "no \"CPU: .. PID: .. Comm: ..\" line";
        }
        if (scenario.oopses() && !panicContext.containsKey("rip")) {
            return "the oops has no RIP line";
        }
        return null;
    }
}
