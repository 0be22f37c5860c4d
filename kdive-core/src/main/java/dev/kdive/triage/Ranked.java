package dev.kdive.triage;

import dev.kdive.finding.Finding;

/** A finding of the analysis, in rank order, with where it came from. */
public record Ranked(int rank, Origin origin, Finding finding) {}
