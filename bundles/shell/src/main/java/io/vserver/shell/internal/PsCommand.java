package io.vserver.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.Col;
import org.apache.karaf.shell.support.table.ShellTable;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestProcess;

/**
 * {@code vserver:ps}: processes with their context, as vps did for Linux-VServer.
 */
@Command(scope = "vserver", name = "ps", description = "Lists processes with their context. With a guest name, "
        + "it lists that guest's processes, and with --all every process of the machine. With neither, it lists the "
        + "processes of every context except the host's (xid 0).")
@Service
public class PsCommand implements Action {

    /** Width of the command column in the bordered table. */
    private static final int COMMAND_WIDTH = 120;

    @Reference
    private GuestManager manager;

    @Option(name = "--all", aliases = "-a", description = "Lists every process of the machine, host (xid 0) and "
            + "spectator (xid 1) included")
    private boolean all;

    @Option(name = "--no-format", description = "Prints the table without borders")
    private boolean noFormat;

    @Argument(index = 0, name = "name", description = "The name of a guest whose processes are listed")
    @Completion(RunningGuestCompleter.class)
    private String name;

    @Override
    public Object execute() throws Exception {
        ShellTable table = new ShellTable();
        table.column("PID").alignRight();
        table.column("Guest PID").alignRight();
        table.column("XID").alignRight();
        table.column("Guest");
        table.column("State");
        table.column("RSS").alignRight();
        Col command = table.column("Command");
        if (!noFormat) {
            // Monitors' command lines run to hundreds of characters; --no-format prints them whole.
            command.maxSize(COMMAND_WIDTH);
        }
        for (GuestProcess process : processes()) {
            table.addRow().addContent(process.pid(), process.guestPid() == 0 ? "" : process.guestPid(), process.xid(),
                    process.guest(), process.state(), DisplayFormats.size(process.rssBytes()), process.command());
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private List<GuestProcess> processes() throws Exception {
        if (name != null && all) {
            throw new CommandException("give a guest name or --all, not both");
        }
        if (name != null) {
            return Operations.value(() -> manager.processes(name));
        }
        List<GuestProcess> processes = manager.allProcesses();
        if (all) {
            return processes;
        }
        return processes.stream().filter(process -> process.xid() != 0).collect(Collectors.toList());
    }
}
