package io.vserver.host.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The isolation elements of the VServer distribution, known to the host even while they are
 * not deployed: their prepare order, which of them every guest needs, and which keys they own.
 * The key table lets the host name the feature to install for a key whose element is missing.
 */
final class KnownElements {

    /** The order in which elements prepare a guest; other elements follow, sorted by name. */
    static final List<String> ORDER = List.of("fs", "context", "limits", "capabilities", "network");

    /** Elements every guest needs, whatever its keys. */
    static final Set<String> ALWAYS_REQUIRED = Set.of("context", "capabilities");

    /** Keys and key prefixes (ending in a dot) of the known elements, mapped to the element name. */
    private static final Map<String, String> KEY_OWNERS = new LinkedHashMap<>();

    static {
        KEY_OWNERS.put("image", "fs");
        KEY_OWNERS.put("hostname", "context");
        KEY_OWNERS.put("init", "context");
        KEY_OWNERS.put("init.style", "context");
        KEY_OWNERS.put("network.", "network");
        KEY_OWNERS.put("capabilities.", "capabilities");
        KEY_OWNERS.put("security.", "capabilities");
        KEY_OWNERS.put("limits.", "limits");
    }

    private KnownElements() {
    }

    /** Returns the known element that owns {@code key}, if any. */
    static Optional<String> elementOfKey(String key) {
        for (Map.Entry<String, String> entry : KEY_OWNERS.entrySet()) {
            String owned = entry.getKey();
            if (owned.endsWith(".") ? key.startsWith(owned) : key.equals(owned)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }

    /** Returns the Karaf feature that deploys a known element. */
    static String featureOf(String element) {
        return "vserver-" + element;
    }

    /** Returns the keys and prefixes of the known elements, for messages. */
    static Set<String> keys() {
        return KEY_OWNERS.keySet();
    }

    /** Returns the position of an element in the prepare order; unknown elements sort last. */
    static int rank(String element) {
        int index = ORDER.indexOf(element);
        return index < 0 ? ORDER.size() : index;
    }
}
