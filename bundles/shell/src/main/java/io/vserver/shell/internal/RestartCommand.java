package io.vserver.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStatus;

/**
 * {@code vserver:restart}: stops and boots guests one after another.
 */
@Command(scope = "vserver", name = "restart", description = "Stops each guest if it runs, then boots it "
        + "again. Every guest is tried, and the command fails at the end when any of them failed.")
@Service
public class RestartCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "names", required = true, multiValued = true,
            description = "The names of the guests to restart")
    @Completion(RunningGuestCompleter.class)
    private List<String> names;

    @Override
    public Object execute() throws Exception {
        BatchOperation batch = new BatchOperation("restart");
        batch.run(names, name -> {
            GuestStatus restarted = manager.restart(name);
            System.out.println("Restarted guest " + restarted.name() + " (xid " + restarted.xid() + ", init pid "
                    + restarted.initPid() + ")");
        });
        batch.finish(System.err);
        return null;
    }
}
