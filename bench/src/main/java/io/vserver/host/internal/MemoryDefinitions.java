package io.vserver.host.internal;

import java.util.Map;
import java.util.TreeMap;

import io.vserver.api.VServerException;

/**
 * Guest definitions kept in memory, in place of the ConfigAdmin store of the OSGi host, so the
 * benchmark measures the guest lifecycle rather than configuration file writes.
 */
final class MemoryDefinitions implements DefinitionStore {

    private final Map<String, Map<String, String>> definitions = new TreeMap<>();

    @Override
    public synchronized Map<String, Map<String, String>> loadAll() {
        return new TreeMap<>(definitions);
    }

    @Override
    public synchronized void create(String name, Map<String, String> keys) throws VServerException {
        if (definitions.containsKey(name)) {
            throw new VServerException("guest " + name + " already exists");
        }
        definitions.put(name, Map.copyOf(keys));
    }

    @Override
    public synchronized void update(String name, Map<String, String> keys) {
        definitions.put(name, Map.copyOf(keys));
    }

    @Override
    public synchronized void delete(String name) {
        definitions.remove(name);
    }
}
