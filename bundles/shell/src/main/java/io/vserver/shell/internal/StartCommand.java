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
 * {@code vserver:start}: boots guests one after another.
 */
@Command(scope = "vserver", name = "start", description = "Boots stopped or failed guests. Every guest is tried, "
        + "and the command fails at the end when any of them failed to start.")
@Service
public class StartCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "names", required = true, multiValued = true,
            description = "The names of the guests to start")
    @Completion(StoppedGuestCompleter.class)
    private List<String> names;

    @Override
    public Object execute() throws Exception {
        BatchOperation batch = new BatchOperation("start");
        batch.run(names, name -> {
            GuestStatus started = manager.start(name);
            System.out.println("Started guest " + started.name() + " (xid " + started.xid() + ", init pid "
                    + started.initPid() + ")");
        });
        batch.finish(System.err);
        return null;
    }
}
