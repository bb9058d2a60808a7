package io.vserver.shell.internal;

import java.util.LinkedHashMap;
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

/**
 * {@code vserver:net}: changes the network keys of a guest, such as its address, applying them
 * to the running guest where the network element can, and prints the outcome of each key.
 */
@Command(scope = "vserver", name = "net", description = "Changes a guest's network keys, for example "
        + "address=127.0.1.21 (the network. prefix may be left out), and prints for each key whether it was applied "
        + "to the running guest or takes effect at the next start. A new address applies to new sockets at once; "
        + "mode, device, namespace, bridge and gateway need a restart. An empty value (KEY=) removes the key. "
        + "An invalid value or a failure to apply changes nothing.")
@Service
public class NetCommand implements Action {

    static final String PREFIX = "network.";

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the guest")
    @Completion(GuestNameCompleter.class)
    private String name;

    @Argument(index = 1, name = "settings", required = true, multiValued = true,
            description = "KEY=VALUE pairs, for example address=127.0.1.21")
    private List<String> settings;

    @Override
    public Object execute() throws Exception {
        LimitCommand.update(manager, name, networkKeys(KeyValueOptions.parse("settings", settings)));
        return null;
    }

    /**
     * Prefixes each key with {@code network.} unless it has it.
     *
     * @throws CommandException for a key of another element, such as {@code limits.memory}
     */
    static Map<String, String> networkKeys(Map<String, String> pairs) throws CommandException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            String key = pair.getKey();
            if (!key.startsWith(PREFIX) && key.contains(".")) {
                throw new CommandException("key '" + key + "' is not a network key: vserver:net takes address, mode, "
                        + "device, namespace, bridge and gateway; use vserver:limit for other keys");
            }
            String full = key.startsWith(PREFIX) ? key : PREFIX + key;
            if (keys.containsKey(full)) {
                throw new CommandException("key '" + full + "' is given twice: give each key once");
            }
            keys.put(full, pair.getValue());
        }
        return keys;
    }
}
