package dev.kdive.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** IPv6 addresses written as inet_ntop and RFC 5952 write them, as crash's net prints them. */
class NetDevicesTest {
    private static String v6(String hex) {
        return NetDevices.ipv6(HexFormat.of().parseHex(hex));
    }

    @Test
    void theLongestRunOfZeroGroupsBecomesTwoColons() {
        assertThat(v6("00000000000000000000000000000001")).isEqualTo("::1");
        assertThat(v6("00000000000000000000000000000000")).isEqualTo("::");
        assertThat(v6("fe80000000000000021122fffe334455")).isEqualTo("fe80::211:22ff:fe33:4455");
        assertThat(v6("20010db8000000010000000000000001")).isEqualTo("2001:db8:0:1::1"); // the longer run wins
        assertThat(v6("20010db8000100000001000100010001")).isEqualTo("2001:db8:1:0:1:1:1:1"); // a single zero group stays
        assertThat(v6("20010db8000000000001000000000001")).isEqualTo("2001:db8::1:0:0:1"); // of equal runs, the first
    }
}
