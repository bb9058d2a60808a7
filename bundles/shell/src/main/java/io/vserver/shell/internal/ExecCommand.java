package io.vserver.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;

/**
 * {@code vserver:exec}: runs a command inside a running guest.
 *
 * <p>The result is the command's exit status as an Integer. Karaf 4.4.10 treats an Integer
 * result as an exit code: the console does not print it, and a command run over SSH (or
 * bin/client) ends with that status. A non-zero status is therefore also printed. The command
 * does not throw on a non-zero status, because an exception would turn every status into 1.
 */
@Command(scope = "vserver", name = "exec", description = "Runs a command inside a running guest, in its "
        + "namespaces and cgroups with its capabilities and resource limits, and prints the command's output "
        + "and errors while it runs. The command's stdin is empty. The result is the command's exit status.")
@Service
public class ExecCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the running guest")
    @Completion(RunningGuestCompleter.class)
    private String name;

    @Argument(index = 1, name = "command", required = true, multiValued = true, description = "The command and "
            + "its arguments, run inside the guest. Options after the guest name belong to the command")
    private List<String> command;

    @Override
    public Object execute() throws Exception {
        List<String> argv = CommandLines.withoutSeparator(command);
        return ProcessRelay.relayToShell(Operations.value(() -> manager.exec(name, argv)), "exec-" + name);
    }
}
