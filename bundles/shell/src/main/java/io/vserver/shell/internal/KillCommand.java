package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;

/**
 * {@code vserver:kill}: sends a signal to a guest's init.
 */
@Command(scope = "vserver", name = "kill", description = "Sends a signal to a running guest's init process. "
        + "Use vserver:stop for an orderly shutdown.")
@Service
public class KillCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--signal", aliases = "-s", description = "The signal to send: a name such as TERM, SIGHUP or "
            + "KILL, or a number (default KILL)")
    private String signal = "KILL";

    @Argument(index = 0, name = "name", required = true, description = "The name of the guest")
    @Completion(RunningGuestCompleter.class)
    private String name;

    @Override
    public Object execute() throws Exception {
        Operations.run(() -> manager.kill(name, signal));
        System.out.println("Sent " + signal + " to the init of guest " + name);
        return null;
    }
}
