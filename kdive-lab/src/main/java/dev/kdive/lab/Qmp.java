package dev.kdive.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU Machine Protocol client over a unix socket: one JSON object per line, events and command
 * answers interleaved (QEMU's docs/interop/qmp-spec). A reader thread queues every message.
 */
final class Qmp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final OutputStream out;
    private final BlockingQueue<JsonNode> inbox = new ArrayBlockingQueue<>(4096);

    private Qmp(SocketChannel channel) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        Thread.ofVirtual().name("qmp-reader").start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    inbox.put(JSON.readTree(line));
                }
            } catch (IOException | InterruptedException e) {
                // the socket closed: QEMU quit or we did
            }
        });
    }

    /** Connects once QEMU has created the socket, and leaves capabilities negotiation mode. */
    static Qmp connect(Path socket, Duration timeout, Process qemu) throws LabException, InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (true) {
            if (!qemu.isAlive()) {
                throw new LabException("start QEMU", "qemu-system-x86_64 exited with status " + qemu.exitValue()
                        + " before its QMP socket opened (see qemu.stderr in the scenario's build directory)");
            }
            if (Files.exists(socket)) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    Qmp qmp = new Qmp(ch);
                    qmp.await("QMP greeting", m -> m.has("QMP"), Duration.ofSeconds(10));
                    qmp.execute("qmp_capabilities", JSON.createObjectNode(), Duration.ofSeconds(10));
                    return qmp;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            if (Instant.now().isAfter(end)) {
                throw new LabException("connect to QMP", "no QMP socket at " + socket + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Sends a command and waits for its return; an error answer becomes a LabException. */
    JsonNode execute(String command, ObjectNode arguments, Duration timeout) throws LabException, InterruptedException {
        ObjectNode msg = JSON.createObjectNode().put("execute", command);
        if (!arguments.isEmpty()) {
            msg.set("arguments", arguments);
        }
        try {
            out.write((msg + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new LabException("QMP " + command, "cannot write to QEMU: " + e.getMessage());
        }
        JsonNode answer = await("answer to " + command, m -> m.has("return") || m.has("error"), timeout);
        if (answer.has("error")) {
            throw new LabException("QMP " + command, answer.path("error").path("desc").asText(answer.toString()));
        }
        return answer.get("return");
    }

    /** Waits for a message; messages that do not match are dropped. */
    JsonNode await(String what, java.util.function.Predicate<JsonNode> match, Duration timeout)
            throws LabException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new LabException("wait for " + what, "nothing after " + timeout.toSeconds() + " s");
            }
            if (match.test(m)) {
                return m;
            }
        }
    }

    static ObjectNode args() {
        return JSON.createObjectNode();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a dead socket
        }
    }
}
