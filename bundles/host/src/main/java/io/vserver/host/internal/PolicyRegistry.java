package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestNames;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.VServerException;

/**
 * Every policy definition by source: ConfigAdmin configurations and policy bundles each
 * replace their own set of definitions, and listeners learn which policy names changed. A name
 * defined by two sources is a conflict that guests cannot use until one definition goes. A
 * definition with a bad key or value is rejected and kept only to be reported.
 */
final class PolicyRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyRegistry.class);

    /** Host keys a policy must not set: a guest's xid and its list of policies are its own. */
    static final Set<String> GUEST_ONLY_KEYS = Set.of(GuestResolver.CONTEXT, GuestResolver.POLICIES);

    /**
     * One policy definition.
     *
     * @param name the policy's name
     * @param settings its keys and values
     * @param source where it is defined, for messages
     * @param problem why it was rejected, or null
     */
    record Definition(String name, Map<String, String> settings, String source, String problem) {
        Definition {
            settings = Map.copyOf(settings);
        }
    }

    /** The result of looking a name up. */
    record Lookup(Definition definition, List<Definition> all) {

        boolean missing() {
            return all.isEmpty();
        }

        /** Returns why guests cannot use the policy, or null when they can. */
        String problem() {
            if (all.size() > 1) {
                List<String> sources = all.stream().map(Definition::source).toList();
                return "policy " + all.get(0).name() + " is defined " + all.size() + " times, by "
                        + String.join(" and by ", sources) + ": remove all but one";
            }
            return all.isEmpty() ? null : all.get(0).problem();
        }
    }

    private final ElementRegistry elements;
    private final Map<String, List<Definition>> bySource = new TreeMap<>();
    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();

    PolicyRegistry(ElementRegistry elements) {
        this.elements = elements;
    }

    void addListener(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }

    /**
     * Replaces the definitions of one source (an empty list removes the source), checks the new
     * ones and passes the changed names to the listeners.
     *
     * @param sourceId a stable id of the source, such as {@code bundle:42} or {@code config:PID}
     */
    void replace(String sourceId, List<Definition> definitions) {
        Set<String> changed;
        synchronized (this) {
            Map<String, Lookup> before = snapshot();
            List<Definition> checked = new ArrayList<>();
            for (Definition definition : definitions) {
                checked.add(check(definition));
            }
            if (checked.isEmpty()) {
                bySource.remove(sourceId);
            } else {
                bySource.put(sourceId, List.copyOf(checked));
            }
            Map<String, Lookup> after = snapshot();
            changed = new TreeSet<>(before.keySet());
            changed.addAll(after.keySet());
            changed.removeIf(name -> Objects.equals(before.get(name), after.get(name)));
        }
        for (Definition definition : definitions) {
            Lookup lookup = find(definition.name());
            if (lookup.problem() != null) {
                LOG.error("Policy {} cannot be used: {}", definition.name(), lookup.problem());
            }
        }
        if (!changed.isEmpty()) {
            LOG.info("Policies changed: {}", changed);
            listeners.forEach(listener -> listener.accept(changed));
        }
    }

    /**
     * Returns a copy without listeners in which {@code name} has the given settings, checked, in
     * place of its current definitions; used to preview a change.
     */
    synchronized PolicyRegistry withDefinition(String name, Map<String, String> settings) {
        PolicyRegistry copy = new PolicyRegistry(elements);
        String source = null;
        for (Map.Entry<String, List<Definition>> entry : bySource.entrySet()) {
            List<Definition> others = new ArrayList<>();
            for (Definition definition : entry.getValue()) {
                if (definition.name().equals(name)) {
                    source = source == null ? definition.source() : source;
                } else {
                    others.add(definition);
                }
            }
            copy.bySource.put(entry.getKey(), others);
        }
        Definition previewed = new Definition(name, settings, (source == null ? "no source" : source)
                + ", with the previewed change", null);
        copy.bySource.put("preview:" + name, List.of(copy.check(previewed)));
        return copy;
    }

    /** Returns the definitions of a name: none, one, or several in conflict. */
    synchronized Lookup find(String name) {
        List<Definition> all = new ArrayList<>();
        for (List<Definition> definitions : bySource.values()) {
            for (Definition definition : definitions) {
                if (definition.name().equals(name)) {
                    all.add(definition);
                }
            }
        }
        return new Lookup(all.size() == 1 ? all.get(0) : null, all);
    }

    /**
     * Returns the definitions of a name that at least one source defines.
     *
     * @throws VServerException naming the policy when no source defines it
     */
    Lookup findDefined(String name) throws VServerException {
        Lookup lookup = find(name);
        if (lookup.missing()) {
            throw new VServerException("policy " + name + " is not defined: vserver:policy-list shows the defined "
                    + "ones");
        }
        return lookup;
    }

    /** Returns every defined name with its lookup, sorted by name. */
    synchronized Map<String, Lookup> snapshot() {
        Map<String, Lookup> all = new TreeMap<>();
        Set<String> names = new TreeSet<>();
        bySource.values().forEach(definitions -> definitions.forEach(definition -> names.add(definition.name())));
        for (String name : names) {
            all.put(name, find(name));
        }
        return all;
    }

    /**
     * Checks a definition's keys and values against the deployed elements, and returns it with
     * its problem set when one is bad. Keys of an element that is not deployed are accepted,
     * as in a guest's definition. A value an element rejects only because another key is
     * missing is accepted too, because the guest or another policy may set that key.
     */
    private Definition check(Definition definition) {
        if (definition.problem() != null) {
            return definition;
        }
        String source = "policy " + definition.name() + " (" + definition.source() + ")";
        try {
            if (!GuestNames.isValid(definition.name())) {
                return rejected(definition, source + ": invalid policy name '" + definition.name() + "': expected "
                        + GuestNames.ACCEPTED_FORM + ", which is also the NAME of the file NAME.cfg");
            }
            GuestResolver.parseAutostart(source, definition.settings().get(GuestResolver.AUTOSTART));
            RestartPolicy.parse(source, definition.settings().get(GuestResolver.RESTART));
            for (String key : definition.settings().keySet()) {
                if (GUEST_ONLY_KEYS.contains(key)) {
                    throw InvalidConfigurationException.invalidValue(source, key, definition.settings().get(key),
                            "no value: " + key + " is set by each guest itself, not by a policy");
                }
            }
            Map<String, String> keys = new LinkedHashMap<>(definition.settings());
            // The resolver checks host keys, known keys and the owning elements' values.
            GuestResolver.checkKeys(source, keys, elements.snapshot());
            GuestSpec spec = new GuestSpec(definition.name(), GuestSpec.MIN_XID, List.of(), keys, new HashMap<>());
            for (IsolationElement element : ElementRegistry.requiredBy(spec, elements.snapshot())) {
                try {
                    element.validate(spec);
                } catch (InvalidConfigurationException e) {
                    if (!e.isMissingKey()) {
                        // The element names the spec's label; the operator needs the policy and its source.
                        String message = e.getMessage();
                        return rejected(definition, source + message.substring(message.indexOf(": ")));
                    }
                }
            }
            return definition;
        } catch (InvalidConfigurationException e) {
            return rejected(definition, e.getMessage());
        }
    }

    private static Definition rejected(Definition definition, String problem) {
        return new Definition(definition.name(), definition.settings(), definition.source(), problem);
    }
}
