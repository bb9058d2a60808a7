package io.vserver.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The resolved, validated configuration of one guest: its name, its context id (xid) and
 * its effective settings, which are the named policies merged in order and then the
 * guest's own keys. Immutable.
 *
 * @param name the guest's name, see {@link GuestNames}
 * @param xid the context id, from 2 to 49151
 * @param policies the policy names the guest lists, in merge order
 * @param settings every effective key and value, in a stable order
 * @param sources for each key in {@code settings}, where its value came from
 *     ({@code guest} or {@code policy NAME})
 */
public record GuestSpec(String name, int xid, List<String> policies, Map<String, String> settings,
        Map<String, String> sources) {

    /** Lowest xid a guest can have: 0 is the host and 1 the spectator. */
    public static final int MIN_XID = 2;

    /** Highest xid a guest can have, as in Linux-VServer. */
    public static final int MAX_XID = 49151;

    public GuestSpec {
        Objects.requireNonNull(name, "name");
        policies = List.copyOf(policies);
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        if (xid < MIN_XID || xid > MAX_XID) {
            throw new IllegalArgumentException("guest " + name + ": xid " + xid + " is outside " + MIN_XID + ".."
                    + MAX_XID);
        }
    }

    /** Returns the value of {@code key}, if set. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    /** Returns the value of {@code key}, or {@code fallback} when it is not set. */
    public String get(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }

    /** Returns a label for messages: {@code guest web1 (xid 42)}. */
    public String label() {
        return "guest " + name + " (xid " + xid + ")";
    }
}
