package dev.kdive.triage;

/** Where a finding came from: the dump's memory, the kernel's console log, or both agreeing. */
public enum Origin {
    DUMP, LOG, BOTH
}
