package io.vserver.shell.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;

/**
 * Parses the values of a repeatable {@code KEY=VALUE} option such as {@code vserver:create --set}.
 */
final class KeyValueOptions {

    private KeyValueOptions() {
    }

    /**
     * Parses each value at its first '=', so a value may itself contain '=' and may be empty.
     * Checking keys and values against the configuration keys is the host's work.
     *
     * @param option the option's name for messages, for example {@code --set}
     * @param values the option's values in the order given, or null when the option is absent
     * @return the pairs in the order given
     * @throws CommandException when a value has no '=', its key is empty, or a key repeats
     */
    static Map<String, String> parse(String option, List<String> values) throws CommandException {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (values == null) {
            return pairs;
        }
        for (String entry : values) {
            int separator = entry.indexOf('=');
            if (separator <= 0) {
                throw new CommandException("invalid " + option + " value '" + entry
                        + "': expected the form KEY=VALUE, for example limits.memory=512M");
            }
            String key = entry.substring(0, separator);
            String value = entry.substring(separator + 1);
            if (pairs.containsKey(key)) {
                throw new CommandException("key '" + key + "' is given twice with " + option + " ('" + pairs.get(key)
                        + "' and '" + value + "'): give each key once");
            }
            pairs.put(key, value);
        }
        return pairs;
    }
}
