package dev.kdive.triage;

/**
 * One thing to do next, chosen from the evidence.
 *
 * @param action what to do ("boot with slub_debug=FZPU,kmalloc-192")
 * @param reason what it will show, and what it cannot
 */
public record NextStep(String action, String reason) {}
