package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.triage.Analysis;
import dev.kdive.triage.CrashClass;
import dev.kdive.triage.Triage;
import org.junit.jupiter.api.Test;

/** The HTML page is self-contained and escapes every string a crashed machine wrote. */
class AnalysisHtmlTest {
    /** A hung-task report whose task name is markup (a comm is whatever the process set with prctl). */
    private static final String LOG = """
            [   11.881195] INFO: task <script>alert(1)</script>:101 blocked for more than 5 seconds.
            [   11.881800]       Tainted: G           OE      6.1.0-57-amd64 #1 Debian 6.1.192-3
            [   11.882216] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
            [   11.882784] task:<script>alert state:D stack:0     pid:101   ppid:1      flags:0x00004002
            [   11.883393] Call Trace:
            [   11.883573]  <TASK>
            [   11.883720]  __schedule+0x34d/0x9e0
            [   11.883975]  schedule+0x5a/0xd0
            [   11.884214]  schedule_timeout+0x11a/0x150
            [   11.884488]  __wait_for_common+0x94/0x1d0
            [   11.884762]  crash_write+0xc0/0xee [kdive_lab]
            [   11.885058]  full_proxy_write+0x53/0x80
            [   11.885315]  vfs_write+0xc7/0x3f0
            [   11.885542]  ksys_write+0x6b/0xf0
            [   11.885773]  do_syscall_64+0x5d/0xb0
            [   11.886011]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8
            [   11.886298]  </TASK>
            [   11.927038] Kernel panic - not syncing: hung_task: blocked tasks
            """;

    @Test
    void kernelStringsAreEscapedAndThePageNeedsNothingElse() {
        Analysis a = Triage.ofLog("hung.log", LOG);
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.HUNG_TASK);
        String html = AnalysisHtml.render(a);
        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(html).doesNotContain("src=").doesNotContain("href=").doesNotContain("@import").doesNotContain("url(");
        assertThat(html).contains("<h1 id=\"verdict\"").contains("hung task").contains("crash_write+0xc0 [kdive_lab]")
                .contains("<mark>[   11.927038] Kernel panic - not syncing: hung_task: blocked tasks</mark>");
    }

    @Test
    void escapingCoversAttributesAndControlCharacters() {
        assertThat(AnalysisHtml.esc("a\"b'c&<d>\u0007")).isEqualTo("a&quot;b&#39;c&amp;&lt;d&gt;\uFFFD");
        assertThat(AnalysisHtml.esc(null)).isEmpty();
    }
}
