package dev.kdive.triage;

/**
 * How sure the verdict is: HIGH when the dump's own data proves it (a damaged freelist, the object
 * in a register), MEDIUM when the kernel's report says it but nothing in memory confirms it, LOW
 * when it is inferred from a fragment or from circumstances.
 */
public enum Confidence {
    HIGH, MEDIUM, LOW
}
