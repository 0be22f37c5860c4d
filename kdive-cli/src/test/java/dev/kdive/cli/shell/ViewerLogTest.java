package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** kdive serve on a kernel log (a real syzbot report) with markup spliced into its lines: shown as text. */
class ViewerLogTest {
    private static String get(HttpClient c, URI u) throws Exception {
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(u.toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aLogHasItsAnalysisAndItsLinesEscaped() throws Exception {
        String log = Files.readString(Path.of("../kdive-core/src/test/resources/oops/corpus/syzbot-f2fs-kfence-uaf.log"), StandardCharsets.ISO_8859_1);
        String hostile = "[   12.345678] systemd[1]: Started <script>alert(1)</script> & \"<img src=x onerror=alert(2)>\".\n";
        try (Viewer v = Viewer.ofLog("report <b>.log", hostile + log, 0)) {
            HttpClient c = HttpClient.newHttpClient();
            String analysis = get(c, v.uri());
            assertThat(analysis).contains("KFENCE").contains("report &lt;b&gt;.log").doesNotContain("report <b>.log")
                    .doesNotContain("id=\"panic-task\""); // a log has no tasks to follow
            String page = get(c, v.uri().resolve("/log"));
            assertThat(page).contains("Started &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;&lt;img src=x onerror=alert(2)&gt;&quot;.")
                    .doesNotContain("<script>alert").doesNotContain("<img src=x");
            assertThat(page.split("<script", -1)).as("one script element: the viewer's own").hasSize(2);
            assertThat(page).contains("<script src=\"/app.js\" defer></script>");
            assertThat(get(c, v.uri().resolve("/tasks"))).contains("is a kernel log");
        }
    }
}
