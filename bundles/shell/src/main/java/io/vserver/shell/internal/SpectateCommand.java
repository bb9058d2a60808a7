package io.vserver.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;

/**
 * {@code vserver:spectate}: runs a command in the spectator context. Its result is handled as
 * {@link ExecCommand}'s: the command's exit status as an Integer, also printed when non-zero.
 */
@Command(scope = "vserver", name = "spectate", description = "Runs a command in the spectator context "
        + "(xid 1), which sees the processes of every guest and of the host but can signal or trace none of them. "
        + "The command's stdin is empty. The result is the command's exit status.")
@Service
public class SpectateCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "command", required = true, multiValued = true, description = "The command and "
            + "its arguments, for example ps -ef")
    private List<String> command;

    @Override
    public Object execute() throws Exception {
        List<String> argv = CommandLines.withoutSeparator(command);
        return ProcessRelay.relayToShell(Operations.value(() -> manager.spectate(argv)), "spectate");
    }
}
