package io.vserver.shell.internal;

import java.time.Duration;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import io.vserver.api.GuestManager;

/**
 * {@code vserver:stop}: halts guests one after another.
 */
@Command(scope = "vserver", name = "stop", description = "Stops running guests: sends the init's halt signal, "
        + "waits up to the timeout, then kills every process left in the guest. Every guest is tried, and the command "
        + "fails at the end when any of them failed to stop.")
@Service
public class StopCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--timeout", aliases = "-t", description = "How long to wait for the init to exit after the "
            + "halt signal, in seconds, before every process of the guest is killed (default: the host's stop "
            + "timeout, see vserver:host)")
    private Integer timeoutSeconds;

    @Argument(index = 0, name = "names", required = true, multiValued = true,
            description = "The names of the guests to stop")
    @Completion(RunningGuestCompleter.class)
    private List<String> names;

    @Override
    public Object execute() throws Exception {
        Duration timeout = timeout();
        BatchOperation batch = new BatchOperation("stop");
        batch.run(names, name -> {
            manager.stop(name, timeout);
            System.out.println("Stopped guest " + name);
        });
        batch.finish(System.err);
        return null;
    }

    /** Returns the --timeout value, or null for the host's stop timeout. */
    private Duration timeout() throws CommandException {
        if (timeoutSeconds == null) {
            return null;
        }
        if (timeoutSeconds < 0) {
            throw new CommandException("invalid --timeout " + timeoutSeconds
                    + ": expected a number of seconds, 0 or more");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }
}
