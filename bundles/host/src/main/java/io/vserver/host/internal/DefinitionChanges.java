package io.vserver.host.internal;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;

/**
 * Applies an edited definition (hot reload of {@code etc/io.vserver.guest-NAME.cfg}) on the
 * guest's executor, with the same validation and element updates as
 * {@code GuestManager.updateSettings}. The edited keys become the guest's definition, used at
 * its next start. An invalid edit, or one an element fails to apply, is logged at WARN with the
 * key and the reason, the running guest keeps its current settings (the elements set back what
 * they had applied), and the file is not written.
 */
final class DefinitionChanges {

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionChanges.class);

    private DefinitionChanges() {
    }

    static void apply(GuestRegistry registry, Guest guest, Map<String, String> keys) {
        String name = guest.name();
        GuestRun run = guest.run();
        guest.definition(keys);
        GuestResolver.Resolution resolution;
        try {
            resolution = registry.resolve(guest);
            resolution.requirePolicies();
        } catch (VServerException e) {
            if (run == null) {
                guest.failure(new FailureReason(Code.INVALID_CONFIGURATION, e.getMessage()));
            }
            LOG.warn("Invalid change of the definition of guest {}: {}; {}", name, e.getMessage(),
                    run != null ? "the running guest keeps its current configuration"
                            : "the guest cannot start until the definition is fixed");
            return;
        }
        if (run == null) {
            guest.xid(resolution.spec().xid());
            FailureReason failure = guest.failure();
            if (failure != null && failure.code() == Code.INVALID_CONFIGURATION) {
                guest.failure(null);
            }
            LOG.info("guest {}: definition changed; it applies at the next start", name);
            storeContext(registry, guest, keys);
            return;
        }
        if (resolution.spec().xid() != run.record().xid()) {
            LOG.info("guest {}: the new context {} applies at the next start; the guest runs as xid {}", name,
                    resolution.spec().xid(), run.record().xid());
        }
        Map<String, UpdateOutcome> outcomes;
        try {
            outcomes = SettingsUpdate.applyToRun(guest, run, resolution.spec(), registry.elements());
        } catch (VServerException e) {
            LOG.warn("Cannot apply the changed definition of running guest {}: {}; the guest keeps its current "
                    + "settings until it restarts", name, e.getMessage());
            return;
        }
        run.spec(SettingsUpdate.runningSpec(run.spec(), resolution.spec(), outcomes));
        LOG.info("guest {}: definition changed: {}", name, outcomes);
        storeContext(registry, guest, keys);
    }

    /** Stores the guest's xid again when the edit removed the {@code context} key, so the guest keeps it. */
    private static void storeContext(GuestRegistry registry, Guest guest, Map<String, String> keys) {
        try {
            Optional<Integer> context = GuestResolver.parseContext(guest.name(), keys.get(GuestResolver.CONTEXT));
            if (context.isEmpty() && guest.xid() > 0) {
                Map<String, String> stored = new TreeMap<>(keys);
                stored.put(GuestResolver.CONTEXT, Integer.toString(guest.xid()));
                guest.definition(stored);
                registry.store().update(guest.name(), stored);
            }
        } catch (VServerException e) {
            LOG.warn("guest {}: cannot store its context {} again: {}", guest.name(), guest.xid(), e.getMessage());
        }
    }
}
