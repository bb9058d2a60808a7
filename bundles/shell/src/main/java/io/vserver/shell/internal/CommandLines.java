package io.vserver.shell.internal;

import java.util.List;

import org.apache.karaf.shell.support.CommandException;

/**
 * Prepares the argv that {@code vserver:exec} and {@code vserver:spectate} pass to the host.
 */
final class CommandLines {

    private CommandLines() {
    }

    /**
     * Returns {@code argv} without a leading {@code --}. Karaf stops reading options at the first
     * argument, so {@code vserver:exec web1 ls -l} already works. The separator is accepted for
     * the familiar form {@code vserver:exec web1 -- ls -l}.
     *
     * @throws CommandException when nothing follows the separator
     */
    static List<String> withoutSeparator(List<String> argv) throws CommandException {
        List<String> command = !argv.isEmpty() && argv.get(0).equals("--") ? argv.subList(1, argv.size()) : argv;
        if (command.isEmpty()) {
            throw new CommandException("missing command after '--': give the command and its arguments");
        }
        return List.copyOf(command);
    }
}
