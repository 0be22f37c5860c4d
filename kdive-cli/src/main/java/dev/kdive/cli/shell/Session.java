package dev.kdive.cli.shell;

import java.util.Optional;

/** What a shell session remembers between commands: the task {@code set} made current. */
final class Session {
    private Integer pid;

    Optional<String> pid() {
        return Optional.ofNullable(pid).map(String::valueOf);
    }

    void pid(int pid) {
        this.pid = pid;
    }
}
