package io.vserver.shell.internal;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestSettings;
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
        GuestStatus guest = Operations.value(() -> manager.status(name));
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
        GuestSettings settings = Operations.value(() -> manager.settings(name));
        print("Policies", DisplayFormats.join(settings.policies()));
        if (!settings.missingPolicies().isEmpty()) {
            print("Missing", DisplayFormats.join(settings.missingPolicies()) + " (not defined now)");
        }
        System.out.println("Settings (effective value and where it comes from):");
        for (Map.Entry<String, String> key : new TreeMap<>(settings.values()).entrySet()) {
            System.out.println("  " + key.getKey() + " = " + key.getValue() + "   ["
                    + settings.sources().getOrDefault(key.getKey(), "guest") + "]");
        }
        if (!settings.pending().isEmpty()) {
            System.out.println("Pending (applies at the next start):");
            for (Map.Entry<String, String> key : new TreeMap<>(settings.pending()).entrySet()) {
                System.out.println("  " + key.getKey() + " = " + (key.getValue().isEmpty() ? "(removed)"
                        : key.getValue()));
            }
        }
        return null;
    }

    private static void print(String label, String value) {
        System.out.printf("%-10s %s%n", label + ":", value == null ? "" : value);
    }
}
