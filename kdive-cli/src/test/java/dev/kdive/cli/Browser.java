package dev.kdive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * Headless Chromium driven through ChromeDriver (Debian's chromium and chromium-driver) with the
 * W3C WebDriver protocol: JSON over HTTP, so a test clicks links and reads the page as a user
 * would, and learns when a page opened an alert (a script that ran).
 */
final class Browser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf"; // the W3C element reference key
    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String session;
    private final String base;

    private Browser(Process driver, String base) throws Exception {
        this.driver = driver;
        this.base = base;
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.put("unhandledPromptBehavior", "ignore"); // an alert stays open, so the test can see it
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", "/usr/bin/chromium");
        var args = chrome.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createTempDirectory("kdive-chromium"))) {
            args.add(a);
        }
        session = call("POST", "/session", caps).path("sessionId").asText();
    }

    /** {@return a browser; ChromeDriver on a free port of 127.0.0.1} */
    static Browser start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder("chromedriver", "--port=" + port).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient c = HttpClient.newHttpClient();
        for (int i = 0; ; i++) {
            try {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                if (JSON.readTree(r.body()).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (i > 100) {
                p.destroy();
                throw new IllegalStateException("chromedriver did not start on port " + port);
            }
            Thread.sleep(100);
        }
        try {
            return new Browser(p, base);
        } catch (Exception e) {
            p.destroy();
            throw e;
        }
    }

    private JsonNode call(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        b = method.equals("GET") ? b.GET() : method.equals("DELETE") ? b.DELETE()
                : b.method(method, HttpRequest.BodyPublishers.ofString(body == null ? "{}" : JSON.writeValueAsString(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(r.body()).path("value");
        if (r.statusCode() != 200) {
            throw new WebDriverError(value.path("error").asText(), value.path("message").asText());
        }
        return value;
    }

    private JsonNode call(String method, String path) throws Exception {
        return call(method, path, null);
    }

    /** A WebDriver error: {@code error} is the protocol's code ("no such alert", "unexpected alert open"...). */
    static final class WebDriverError extends RuntimeException {
        final String error;

        WebDriverError(String error, String message) {
            super(error + ": " + message);
            this.error = error;
        }
    }

    void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", url));
    }

    String url() throws Exception {
        return call("GET", "/session/" + session + "/url").asText();
    }

    String title() throws Exception {
        return call("GET", "/session/" + session + "/title").asText();
    }

    /** {@return the element's reference; fails when the CSS selector matches nothing} */
    String find(String css) throws Exception {
        return call("POST", "/session/" + session + "/element", JSON.createObjectNode().put("using", "css selector").put("value", css))
                .path(ELEMENT).asText();
    }

    int count(String css) throws Exception {
        return call("POST", "/session/" + session + "/elements", JSON.createObjectNode().put("using", "css selector").put("value", css)).size();
    }

    void click(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/click", JSON.createObjectNode());
    }

    void type(String element, String text) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/value", JSON.createObjectNode().put("text", text));
    }

    void clear(String element) throws Exception {
        call("POST", "/session/" + session + "/element/" + element + "/clear", JSON.createObjectNode());
    }

    String text(String element) throws Exception {
        return call("GET", "/session/" + session + "/element/" + element + "/text").asText();
    }

    /** {@return the script's return value} */
    JsonNode script(String js) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", js);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body);
    }

    /** {@return the text of an open alert, or null when none is open: an alert means a page's script ran} */
    String alert() throws Exception {
        try {
            return call("GET", "/session/" + session + "/alert/text").asText();
        } catch (WebDriverError e) {
            if (e.error.equals("no such alert")) {
                return null;
            }
            throw e;
        }
    }

    void screenshot(Path png) throws Exception {
        Files.write(png, Base64.getDecoder().decode(call("GET", "/session/" + session + "/screenshot").asText()));
    }

    @Override
    public void close() {
        try {
            call("DELETE", "/session/" + session);
        } catch (Exception e) {
            // the driver goes anyway
        } finally {
            driver.destroy();
        }
    }
}
