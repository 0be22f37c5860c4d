package dev.kdive.triage;

/**
 * The first lines of an analysis: what crashed, why, who is to blame, and how sure that is.
 *
 * @param crashClass the class of crash
 * @param what       what crashed, in one line ("general protection fault in __kmalloc+0x7b, pid 101 (cat) on CPU 1")
 * @param why        the cause as the evidence shows it
 * @param culprit    what to blame: a function, a cache, a task; null when nothing can be named
 * @param innocent   the crashing function, when it is not to blame (it tripped over an earlier corruption); else null
 */
public record Verdict(CrashClass crashClass, String what, String why, String culprit, String innocent, Confidence confidence,
                      Origin origin) {}
