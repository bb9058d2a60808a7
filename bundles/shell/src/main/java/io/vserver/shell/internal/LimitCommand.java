package io.vserver.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import io.vserver.api.GuestManager;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;

/**
 * {@code vserver:limit}: changes configuration keys of a guest, applying them to the running
 * guest where its elements can, and prints the outcome of each changed key.
 */
@Command(scope = "vserver", name = "limit", description = "Changes keys of a guest's configuration, for example "
        + "limits.memory=512M limits.pids=200 limits.cpu=1.5, and prints for each changed key whether it was applied "
        + "to the running guest or takes effect at the next start. An empty value (KEY=) removes the key. The new "
        + "configuration is checked first, and an invalid value or a failure to apply changes nothing.")
@Service
public class LimitCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the guest")
    @Completion(GuestNameCompleter.class)
    private String name;

    @Argument(index = 1, name = "settings", required = true, multiValued = true,
            description = "KEY=VALUE pairs, for example limits.memory=512M")
    private List<String> settings;

    @Override
    public Object execute() throws Exception {
        update(manager, name, KeyValueOptions.parse("settings", settings));
        return null;
    }

    /**
     * Changes keys of a guest through the guest manager and prints the outcome of each key.
     *
     * @throws CommandException with the manager's message when the change is invalid or failed
     */
    static void update(GuestManager manager, String name, Map<String, String> changes) throws CommandException {
        Map<String, UpdateOutcome> outcomes;
        try {
            outcomes = manager.updateSettings(name, changes);
        } catch (InvalidConfigurationException e) {
            throw new CommandException(e.getMessage() + "; nothing was changed");
        } catch (VServerException e) {
            throw new CommandException(e.getMessage(), e);
        }
        for (String line : describe(changes, outcomes)) {
            System.out.println(line);
        }
    }

    /**
     * Returns one line per given key, {@code KEY: applied}, {@code KEY: needs restart} or
     * {@code KEY: unchanged}, followed by the keys the change affected without being given.
     */
    static List<String> describe(Map<String, String> changes, Map<String, UpdateOutcome> outcomes) {
        List<String> lines = new ArrayList<>();
        for (String key : changes.keySet()) {
            lines.add(key + ": " + describe(outcomes.get(key)));
        }
        for (Map.Entry<String, UpdateOutcome> outcome : outcomes.entrySet()) {
            if (!changes.containsKey(outcome.getKey())) {
                lines.add(outcome.getKey() + ": " + describe(outcome.getValue()));
            }
        }
        return lines;
    }

    private static String describe(UpdateOutcome outcome) {
        if (outcome == null) {
            return "unchanged";
        }
        return switch (outcome) {
            case APPLIED -> "applied";
            case NEEDS_RESTART -> "needs restart";
            case ROLLED_BACK -> "rolled back";
        };
    }
}
