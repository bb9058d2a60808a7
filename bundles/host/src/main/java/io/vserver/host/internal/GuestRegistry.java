package io.vserver.host.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.GuestNames;
import io.vserver.api.GuestNotFoundException;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.VServerException;

/**
 * The defined guests by name, kept in step with the {@link DefinitionStore}: loads the
 * definitions, assigns and stores missing xids, resolves definitions with the deployed
 * elements and follows definitions that change outside the host. Adding and removing guests
 * and allocating xids happen under the registry's lock.
 */
final class GuestRegistry implements DefinitionStore.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(GuestRegistry.class);

    private final DefinitionStore store;
    private final ElementRegistry elements;
    private final PolicyRegistry policies;
    private final Map<String, Guest> guests = new ConcurrentSkipListMap<>();

    GuestRegistry(DefinitionStore store, ElementRegistry elements, PolicyRegistry policies) {
        this.store = store;
        this.elements = elements;
        this.policies = policies;
    }

    PolicyRegistry policies() {
        return policies;
    }

    DefinitionStore store() {
        return store;
    }

    ElementRegistry elements() {
        return elements;
    }

    /** Loads every stored definition. */
    void loadAll() throws VServerException {
        Map<String, Map<String, String>> definitions = store.loadAll();
        // Guests with a context key come first, so that no allocated xid takes a configured one.
        for (boolean withContext : new boolean[] {true, false}) {
            for (Map.Entry<String, Map<String, String>> definition : definitions.entrySet()) {
                if (definition.getValue().containsKey(GuestResolver.CONTEXT) == withContext) {
                    synchronized (guests) {
                        register(definition.getKey(), definition.getValue());
                    }
                }
            }
        }
    }

    /**
     * Adds a loaded or newly seen definition, with an xid allocated and stored when it has
     * none. An invalid definition is added too, with the failure its status shows. The caller
     * holds the registry lock.
     */
    private void register(String name, Map<String, String> keys) {
        if (!GuestNames.isValid(name)) {
            LOG.warn("Ignoring the definition of guest '{}': invalid name, expected {}", name, GuestNames.ACCEPTED_FORM);
            return;
        }
        Guest guest = new Guest(name, keys, 0);
        guests.put(name, guest);
        try {
            Optional<Integer> context = GuestResolver.parseContext(name, keys.get(GuestResolver.CONTEXT));
            if (context.isPresent()) {
                XidAllocator.checkUnique(name, context.get(), xids());
                guest.xid(context.get());
            } else {
                int xid = XidAllocator.allocate(xids());
                guest.xid(xid);
                Map<String, String> stored = new TreeMap<>(keys);
                stored.put(GuestResolver.CONTEXT, Integer.toString(xid));
                guest.definition(stored);
                store.update(name, stored);
            }
            GuestResolver.resolve(name, guest.definition(), guest.xid(), elements.snapshot(), policies);
        } catch (VServerException e) {
            guest.failure(new FailureReason(Code.INVALID_CONFIGURATION, e.getMessage()));
            LOG.warn("{}", e.getMessage());
        }
    }

    /**
     * Validates and stores a new definition and adds the guest.
     *
     * @throws VServerException when the name is taken, the xid is used, or a key or value is invalid
     */
    Guest create(String name, Map<String, String> keys) throws VServerException {
        synchronized (guests) {
            if (guests.containsKey(name)) {
                throw new VServerException("guest " + name + " already exists: choose another name, or "
                        + "vserver:destroy " + name + " first");
            }
            Map<String, String> stored = new TreeMap<>(keys);
            Optional<Integer> context = GuestResolver.parseContext(name, stored.get(GuestResolver.CONTEXT));
            int xid = context.isPresent() ? context.get() : XidAllocator.allocate(xids());
            XidAllocator.checkUnique(name, xid, xids());
            stored.put(GuestResolver.CONTEXT, Integer.toString(xid));
            GuestResolver.resolve(name, stored, xid, elements.snapshot(), policies).requirePolicies();
            store.create(name, stored);
            Guest guest = new Guest(name, stored, xid);
            guests.put(name, guest);
            return guest;
        }
    }

    /** Returns the xid of every guest that has one, by name; a running guest counts with the xid it runs as. */
    private Map<String, Integer> xids() {
        Map<String, Integer> xids = new HashMap<>();
        for (Guest guest : guests.values()) {
            GuestRun run = guest.run();
            int xid = run != null ? run.record().xid() : guest.xid();
            if (xid > 0) {
                xids.put(guest.name(), xid);
            }
        }
        return xids;
    }

    /** Resolves a guest's current definition with the elements deployed now. */
    GuestResolver.Resolution resolve(Guest guest) throws InvalidConfigurationException {
        return resolve(guest, guest.definition());
    }

    /**
     * Resolves a definition the guest would have after a change, with the elements deployed
     * and the policies defined now. A listed policy that is not defined is left out and reported.
     */
    GuestResolver.Resolution resolve(Guest guest, Map<String, String> keys) throws InvalidConfigurationException {
        return resolve(guest, keys, policies);
    }

    /** Resolves a definition with other policy definitions, such as a previewed change. */
    GuestResolver.Resolution resolve(Guest guest, Map<String, String> keys, PolicyRegistry policyDefinitions)
            throws InvalidConfigurationException {
        int xid = GuestResolver.parseContext(guest.name(), keys.get(GuestResolver.CONTEXT)).orElse(guest.xid());
        if (xid < GuestSpec.MIN_XID) {
            throw InvalidConfigurationException.invalidValue("guest " + guest.name(), GuestResolver.CONTEXT,
                    String.valueOf(keys.get(GuestResolver.CONTEXT)), GuestResolver.CONTEXT_FORM);
        }
        XidAllocator.checkUnique(guest.name(), xid, xids());
        return GuestResolver.resolve(guest.name(), keys, xid, elements.snapshot(), policyDefinitions);
    }

    /** Returns the guest of a name, or null. */
    Guest get(String name) {
        return name == null ? null : guests.get(name);
    }

    /** Returns the guest of a name. */
    Guest find(String name) throws GuestNotFoundException {
        Guest guest = get(name);
        if (guest == null) {
            throw new GuestNotFoundException(name);
        }
        return guest;
    }

    /** Returns every guest, sorted by name. */
    Collection<Guest> all() {
        return List.copyOf(guests.values());
    }

    /** Removes a guest and ends its executor once the queued operations have run. */
    void remove(Guest guest) {
        guests.remove(guest.name(), guest);
        guest.executor().shutdown();
    }

    /** Removes a guest whose definition was deleted while it ran, once its run has ended. */
    void runEnded(Guest guest) {
        if (!guest.defined()) {
            remove(guest);
            LOG.info("guest {} removed: its definition was deleted while it ran", guest.name());
        }
    }

    @Override
    public void definitionChanged(String name, Map<String, String> keys) {
        Guest guest = guests.get(name);
        if (guest == null) {
            synchronized (guests) {
                if (!guests.containsKey(name)) {
                    register(name, keys);
                    LOG.info("guest {} defined by its configuration", name);
                }
            }
            return;
        }
        if (!keys.equals(guest.definition())) {
            try {
                guest.executor().execute(() -> DefinitionChanges.apply(this, guest, keys));
            } catch (RejectedExecutionException e) {
                LOG.debug("guest {}: change not applied, the guest was removed", name);
            }
        }
    }

    @Override
    public void definitionDeleted(String name) {
        Guest guest = guests.get(name);
        if (guest == null) {
            return;
        }
        // On the guest's executor, so that a start in progress completes first.
        try {
            guest.executor().execute(() -> {
                if (guest.run() != null) {
                    guest.undefine();
                    LOG.warn("The definition of running guest {} was deleted: it keeps running and is removed "
                            + "when it stops", name);
                    return;
                }
                remove(guest);
                LOG.info("guest {} removed: its definition was deleted", name);
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("guest {}: already removed", name);
        }
    }
}
