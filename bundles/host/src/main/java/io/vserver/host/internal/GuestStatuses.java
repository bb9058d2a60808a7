package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.IsolationElement;

/** Builds the status snapshot of a guest. */
final class GuestStatuses {

    private GuestStatuses() {
    }

    static GuestStatus of(Guest guest, List<IsolationElement> deployed) {
        GuestRun run;
        GuestState state;
        synchronized (guest) {
            run = guest.run();
            state = guest.state();
        }
        Map<String, String> keys = run != null ? run.spec().settings() : guest.definition();
        List<String> elements = run != null ? run.elements() : neededElements(keys, deployed);
        return new GuestStatus(guest.name(), run != null ? run.record().xid() : guest.xid(), state,
                run != null ? run.init().pid() : 0, run != null ? run.startedAt() : null,
                keys.getOrDefault("image", "host"), networkMode(keys), addresses(keys), elements, flags(keys),
                guest.failure());
    }

    /**
     * Returns the warnings an operator must see.
     * NOTE: the element API has no method for flags yet, so the host derives three flags
     * from the keys: {@code privileged} (capabilities.profile=privileged), {@code network=host}
     * and {@code seccomp=unconfined} (security.seccomp=unconfined, in any case).
     */
    static List<String> flags(Map<String, String> keys) {
        List<String> flags = new ArrayList<>();
        if ("privileged".equals(keys.get("capabilities.profile"))) {
            flags.add("privileged");
        }
        if ("host".equals(keys.get("network.mode"))) {
            flags.add("network=host");
        }
        if ("unconfined".equalsIgnoreCase(keys.getOrDefault("security.seccomp", "").trim())) {
            flags.add("seccomp=unconfined");
        }
        return flags;
    }

    /**
     * Returns the network mode as the network element reads it: {@code network.mode}, else
     * {@code bind} with {@code network.address} and {@code none} without.
     */
    static String networkMode(Map<String, String> keys) {
        String mode = keys.get("network.mode");
        if (mode != null) {
            return mode.trim().toLowerCase(Locale.ROOT);
        }
        return keys.containsKey("network.address") ? "bind" : "none";
    }

    /** Returns the addresses of {@code network.address}, without their prefix lengths. */
    static List<String> addresses(Map<String, String> keys) {
        List<String> addresses = new ArrayList<>();
        for (String item : keys.getOrDefault("network.address", "").split(",")) {
            String address = item.trim();
            int slash = address.indexOf('/');
            if (!address.isEmpty()) {
                addresses.add(slash < 0 ? address : address.substring(0, slash));
            }
        }
        return addresses;
    }

    /** Returns the elements a stopped guest would need, deployed or not, in prepare order. */
    private static List<String> neededElements(Map<String, String> keys, List<IsolationElement> deployed) {
        Set<String> needed = new LinkedHashSet<>(KnownElements.ALWAYS_REQUIRED);
        needed.add("fs");
        for (String key : keys.keySet()) {
            KnownElements.elementOfKey(key).ifPresent(needed::add);
            for (IsolationElement element : deployed) {
                if (element.owns(key)) {
                    needed.add(element.name());
                }
            }
        }
        List<String> ordered = new ArrayList<>(needed);
        ordered.sort((a, b) -> a.equals(b) ? 0 : KnownElements.rank(a) != KnownElements.rank(b)
                ? Integer.compare(KnownElements.rank(a), KnownElements.rank(b)) : a.compareTo(b));
        return ordered;
    }
}
