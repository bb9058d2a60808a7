package io.vserver.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named policy: a partial guest configuration that guests list in their {@code policies} key.
 *
 * @param name the policy's name
 * @param source where it is defined, for example {@code etc/io.vserver.policy-web.cfg} or
 *               {@code bundle io.vserver.policies.standard 0.1.0, policies/web.cfg}
 * @param settings the keys and values it sets
 * @param guests the guests that list it, sorted by name
 * @param problem why guests cannot use it (defined twice, or a bad key or value), or null
 */
public record PolicyInfo(String name, String source, Map<String, String> settings, List<String> guests,
        String problem) {

    public PolicyInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        settings = Map.copyOf(settings);
        guests = List.copyOf(guests);
    }
}
