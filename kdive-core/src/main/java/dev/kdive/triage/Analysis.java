package dev.kdive.triage;

import dev.kdive.finding.Finding;
import java.util.List;

/**
 * The answer to a crash: the verdict first, then the findings that prove it in rank order, the
 * context a reviewer weighs, and what to do next. Text, JSON and HTML are renderings of this value.
 *
 * @param input     what was analysed: the dump's or the log's path, "-" for standard input
 * @param source    "dump" or "log"
 * @param findings  ranked, most telling first; the first is the verdict's proof
 * @param stack     the crashing task's stack, innermost first (a hung task's: the blocked task's), with
 *                  source lines where the vmlinux has DWARF
 * @param context   what the dump or log says around the crash
 * @param nextSteps what to do next, each with its reason
 * @param limits    what could not be read or decided, and why
 */
public record Analysis(String input, String source, Verdict verdict, List<Ranked> findings, List<StackFrame> stack,
                       Context context, List<NextStep> nextSteps, List<Finding> limits) {
    public Analysis {
        findings = List.copyOf(findings);
        stack = List.copyOf(stack);
        nextSteps = List.copyOf(nextSteps);
        limits = List.copyOf(limits);
    }
}
