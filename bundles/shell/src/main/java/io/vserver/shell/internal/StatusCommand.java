package io.vserver.shell.internal;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStatus;

/**
 * {@code vserver:status}: the details of one guest, including why it failed.
 */
@Command(scope = "vserver", name = "status", description = "Shows one guest's state, init process, context id, "
        + "image, applied elements, flags and, when it failed, the reason with its code.")
@Service
public class StatusCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the guest")
    @Completion(GuestNameCompleter.class)
    private String name;

    @Override
    public Object execute() throws Exception {
        GuestStatus guest = manager.status(name);
        print("Name", guest.name());
        print("State", guest.state().name());
        print("XID", String.valueOf(guest.xid()));
        print("Init pid", guest.initPid() == 0 ? "" : String.valueOf(guest.initPid()));
        if (guest.startedAt() != null) {
            print("Started", guest.startedAt() + " (up " + DisplayFormats.uptime(guest, Instant.now()) + ")");
        }
        print("Image", guest.image());
        print("Network", guest.network());
        print("Addresses", DisplayFormats.join(guest.addresses()));
        print("Elements", DisplayFormats.join(guest.elements()));
        print("Flags", DisplayFormats.join(guest.flags()));
        if (guest.failure() != null) {
            print("Failure", guest.failure().code() + ": " + guest.failure().message());
        }
        return null;
    }

    private static void print(String label, String value) {
        System.out.printf("%-10s %s%n", label + ":", value == null ? "" : value);
    }
}
