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
 * {@code vserver:destroy}: removes a guest for good.
 */
@Command(scope = "vserver", name = "destroy", description = "Removes a stopped guest: its definition, its "
        + "writable upper directory and its state.")
@Service
public class DestroyCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--force", aliases = "-f", description = "Kills the guest first when it runs")
    private boolean force;

    @Argument(index = 0, name = "name", required = true, description = "The name of the guest to destroy")
    @Completion(StoppedGuestCompleter.class)
    private String name;

    @Override
    public Object execute() throws Exception {
        Operations.run(() -> manager.destroy(name, force));
        System.out.println("Destroyed guest " + name);
        return null;
    }
}
