package dev.kdive.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** kmem -i's sizes as crash prints them (tools.c pages_to_size: printf "%.1f", ties to even). */
class MemoryInfoTest {
    @Test
    void sizesRoundAsCsPrintfDoes() {
        assertThat(MemoryInfo.size(0)).isEqualTo("0");
        assertThat(MemoryInfo.size(32)).isEqualTo("128 KB");
        assertThat(MemoryInfo.size(768)).isEqualTo("3 MB"); // "3.0 MB" loses its ".0", as crash's does
        assertThat(MemoryInfo.size(117041)).isEqualTo("457.2 MB"); // the lab guest's memory, crash's own figure
        assertThat(MemoryInfo.size(576)).isEqualTo("2.2 MB"); // 2.25 exactly: the tie goes to the even digit
        assertThat(MemoryInfo.size(704)).isEqualTo("2.8 MB"); // 2.75 exactly: to the even digit, up this time
        assertThat(MemoryInfo.size(3L << 18)).isEqualTo("3 GB");
        assertThat(MemoryInfo.size((5L << 18) + (1L << 16))).isEqualTo("5.2 GB"); // 5.25 GB
    }
}
