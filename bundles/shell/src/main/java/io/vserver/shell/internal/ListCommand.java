package io.vserver.shell.internal;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStatus;

/**
 * {@code vserver:list}: one row per defined guest.
 */
@Command(scope = "vserver", name = "list", description = "Lists the defined guests with their state, image, "
        + "addresses, uptime and flags.")
@Service
public class ListCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--no-format", description = "Prints the table without borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("XID").alignRight();
        table.column("State");
        table.column("Image");
        table.column("Network");
        table.column("Addresses");
        table.column("Uptime").alignRight();
        table.column("Flags");
        table.emptyTableText("no guests defined: vserver:create NAME defines one");

        Instant now = Instant.now();
        for (GuestStatus guest : manager.list()) {
            table.addRow().addContent(guest.name(), guest.xid(), guest.state(), guest.image(),
                    guest.network(), DisplayFormats.join(guest.addresses()), DisplayFormats.uptime(guest, now),
                    DisplayFormats.join(guest.flags()));
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
