package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.kernel.Resources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dev -i's layout without a dump: range width from the root's end, unreadable names, long names folded as crash folds them. */
class DevResourcesTest {
    private static String render(Resources.Tree... trees) {
        StringWriter w = new StringWriter();
        new DevCommand.IoResources(List.of(trees)).text(new PrintWriter(w, true));
        return w.toString();
    }

    @Test
    void portsInFourDigitsMemoryInEightAndLongNamesFolded() {
        String longName = "a very long resource name that goes on and on past the eightieth column";
        Resources.Tree io = new Resources.Tree("ioport_resource", 0xffff, List.of(
                new Resources.Resource(0xffffffff81000000L, 0, 0xffff, "PCI IO", 0),
                new Resources.Resource(0xffff888000001000L, 0x70, 0x77, null, 1)), List.of());
        Resources.Tree mem = new Resources.Tree("iomem_resource", 0xffffffffffL, List.of(
                new Resources.Resource(0xffffffff81000040L, 0, 0xffffffffffL, "PCI mem", 0),
                new Resources.Resource(0xffff888000002000L, 0x1000, 0x9fbff, longName, 1)), List.of());
        assertThat(render(io, mem)).isEqualTo("""
                    RESOURCE        RANGE    NAME
                ffffffff81000000  0000-ffff  PCI IO
                ffff888000001000  0070-0077  (unknown)

                    RESOURCE            RANGE        NAME
                ffffffff81000040  00000000-ffffffffff  PCI mem
                ffff888000002000  00001000-0009fbff  a very long resource name that goes on and
                                                     on past the eightieth column
                """);
    }
}
