package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.vserver.api.GuestNames;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;

/**
 * Turns a guest definition (its configuration keys) into a validated {@link GuestSpec}.
 * Every key must be owned by the host or by a deployed element. A key of a known element that
 * is not deployed is accepted and recorded as a missing element, so the guest can be defined
 * before the element is installed and fails to start with the feature to install.
 */
final class GuestResolver {

    static final String CONTEXT = "context";
    static final String POLICIES = "policies";
    static final String AUTOSTART = "autostart";
    static final String RESTART = "restart";

    /** Keys the host itself owns. */
    static final Set<String> HOST_KEYS = Set.of(CONTEXT, POLICIES, AUTOSTART, RESTART);

    static final String CONTEXT_FORM = "an integer from " + GuestSpec.MIN_XID + " to " + GuestSpec.MAX_XID;

    /**
     * A resolved guest.
     *
     * @param spec the validated configuration
     * @param missingElements known elements the guest needs that are not deployed, in prepare order
     */
    record Resolution(GuestSpec spec, List<String> missingElements, List<String> missingPolicies) {
        Resolution {
            missingElements = List.copyOf(missingElements);
            missingPolicies = List.copyOf(missingPolicies);
        }

        /**
         * Throws when a listed policy is not defined: a new or edited definition, and a start,
         * must not silently leave a policy out.
         */
        void requirePolicies() throws InvalidConfigurationException {
            if (!missingPolicies.isEmpty()) {
                throw InvalidConfigurationException.invalidValue("guest " + spec.name(), POLICIES,
                        String.join(",", spec.policies()), "names of defined policies, but policy "
                                + missingPolicies.get(0) + " is not defined: vserver:policy-list shows the defined "
                                + "ones");
            }
        }
    }

    private GuestResolver() {
    }

    /**
     * Resolves a definition.
     *
     * @param keys the guest's own keys, without the host's bookkeeping properties
     * @param xid the guest's context id: the {@code context} key, or the one allocated for it
     * @param deployed the deployed elements in prepare order
     * @param policyRegistry the defined policies; a listed policy that is not defined is left out
     *     and reported in {@link Resolution#missingPolicies()}
     * @throws InvalidConfigurationException naming the key, the value and the accepted form
     */
    static Resolution resolve(String name, Map<String, String> keys, int xid, List<IsolationElement> deployed,
            PolicyRegistry policyRegistry) throws InvalidConfigurationException {
        GuestNames.check(name);
        String source = "guest " + name;
        List<String> policies = parsePolicies(source, keys.get(POLICIES));
        parseAutostart(source, keys.get(AUTOSTART));
        RestartPolicy.parse(source, keys.get(RESTART));

        Map<String, String> settings = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        List<String> missingPolicies = new ArrayList<>();
        for (String policy : policies) {
            PolicyRegistry.Lookup lookup = policyRegistry.find(policy);
            if (lookup.missing()) {
                missingPolicies.add(policy);
                continue;
            }
            if (lookup.problem() != null) {
                throw InvalidConfigurationException.invalidValue(source, POLICIES, keys.get(POLICIES),
                        "names of usable policies, but " + lookup.problem());
            }
            settings.putAll(lookup.definition().settings());
            lookup.definition().settings().keySet().forEach(key -> sources.put(key, "policy " + policy));
        }
        settings.putAll(keys);
        keys.keySet().forEach(key -> sources.put(key, "guest"));
        settings.put(CONTEXT, Integer.toString(xid));
        sources.put(CONTEXT, "guest");
        Set<String> missing = checkKeys(source, settings, deployed);
        for (String element : KnownElements.ALWAYS_REQUIRED) {
            if (deployed.stream().noneMatch(e -> e.name().equals(element))) {
                missing.add(element);
            }
        }

        GuestSpec spec = new GuestSpec(name, xid, policies, settings, sources);
        for (IsolationElement element : ElementRegistry.requiredBy(spec, deployed)) {
            element.validate(spec);
        }
        List<String> ordered = new ArrayList<>(missing);
        ordered.sort((a, b) -> Integer.compare(KnownElements.rank(a), KnownElements.rank(b)));
        return new Resolution(spec, ordered, missingPolicies);
    }

    /**
     * Checks that every key belongs to the host, a deployed element or a known element, and
     * returns the known elements that are not deployed but own one of the keys.
     *
     * @throws InvalidConfigurationException for an unknown key
     */
    static Set<String> checkKeys(String source, Map<String, String> keys, List<IsolationElement> deployed)
            throws InvalidConfigurationException {
        Set<String> missing = new TreeSet<>();
        for (String key : keys.keySet()) {
            if (HOST_KEYS.contains(key) || ownerOf(key, deployed).isPresent()) {
                continue;
            }
            Optional<String> known = KnownElements.elementOfKey(key);
            // A key under a deployed element's prefix that the element does not own is unknown,
            // not a sign that the element is missing.
            if (known.isEmpty() || deployed.stream().anyMatch(element -> element.name().equals(known.get()))) {
                throw InvalidConfigurationException.unknownKey(source, key, acceptedKeys(deployed));
            }
            missing.add(known.get());
        }
        return missing;
    }

    /** Returns the xid the {@code context} key sets, or empty when the key is absent. */
    static Optional<Integer> parseContext(String name, String value) throws InvalidConfigurationException {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            int xid = Integer.parseInt(value.trim());
            if (xid >= GuestSpec.MIN_XID && xid <= GuestSpec.MAX_XID) {
                return Optional.of(xid);
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        throw InvalidConfigurationException.invalidValue("guest " + name, CONTEXT, value, CONTEXT_FORM);
    }

    /** Returns whether the {@code autostart} key requests a start of the guest with the host. */
    static boolean parseAutostart(String source, String value) throws InvalidConfigurationException {
        if (value == null || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        throw InvalidConfigurationException.invalidValue(source, AUTOSTART, value, "true or false");
    }

    /** Parses the {@code policies} key: names separated by commas or spaces, in merge order. */
    static List<String> parsePolicies(String source, String value) throws InvalidConfigurationException {
        List<String> names = new ArrayList<>();
        if (value == null) {
            return names;
        }
        for (String part : value.split("[,\\s]+")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!GuestNames.isValid(part) || names.contains(part)) {
                throw InvalidConfigurationException.invalidValue(source, POLICIES, value,
                        "policy names separated by commas, each once, in the form " + GuestNames.ACCEPTED_FORM);
            }
            names.add(part);
        }
        return names;
    }

    private static Optional<IsolationElement> ownerOf(String key, List<IsolationElement> deployed) {
        return deployed.stream().filter(element -> element.owns(key)).findFirst();
    }

    private static String acceptedKeys(List<IsolationElement> deployed) {
        Set<String> keys = new TreeSet<>(HOST_KEYS);
        keys.addAll(KnownElements.keys());
        for (IsolationElement element : deployed) {
            keys.addAll(element.ownedKeys());
        }
        List<String> described = new ArrayList<>();
        for (String key : keys) {
            described.add(key.endsWith(".") ? key + "*" : key);
        }
        return String.join(", ", described);
    }
}
