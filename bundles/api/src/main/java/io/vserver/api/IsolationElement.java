package io.vserver.api;

import java.util.Set;

/**
 * One isolation element (fs, context, network, capabilities, limits), registered as an
 * OSGi service by its own bundle. The host composes whichever elements are deployed and
 * treats an element that is not deployed as a missing requirement of the guests that need it.
 */
public interface IsolationElement {

    /** Service property that carries {@link #name()}, so the host can filter by element. */
    String SERVICE_PROPERTY_NAME = "vserver.element";

    /**
     * Returns the element's name, for example {@code fs} or {@code network}.
     */
    String name();

    /**
     * Returns the Karaf feature that deploys this element, named in the status of a guest
     * that needs the element while it is not installed.
     */
    String feature();

    /**
     * Returns the guest configuration keys this element owns, as exact keys
     * ({@code hostname}) or prefixes ending in a dot ({@code limits.rlimit.}).
     */
    Set<String> ownedKeys();

    /**
     * Returns true when {@code key} is one of {@link #ownedKeys()} or falls under one of
     * its prefixes.
     */
    default boolean owns(String key) {
        for (String owned : ownedKeys()) {
            if (owned.endsWith(".") ? key.startsWith(owned) : key.equals(owned)) {
                return true;
            }
        }
        return false;
    }
}
