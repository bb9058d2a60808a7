package io.vserver.host.internal;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.IsolationElement;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;

/**
 * Applies an edited definition (hot reload of {@code etc/io.vserver.guest-NAME.cfg}) on the
 * guest's executor. An invalid edit is logged with the key and leaves a running guest as it is.
 * A valid edit of a running guest goes to each of its elements, which apply it live or keep it
 * for the next start.
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
            Optional<Integer> context = GuestResolver.parseContext(name, keys.get(GuestResolver.CONTEXT));
            if (context.isEmpty() && guest.xid() > 0) {
                // The edit removed the context key: the guest keeps its xid, stored again.
                Map<String, String> stored = new TreeMap<>(keys);
                stored.put(GuestResolver.CONTEXT, Integer.toString(guest.xid()));
                guest.definition(stored);
                registry.store().update(name, stored);
            }
            resolution = registry.resolve(guest);
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
            return;
        }
        if (resolution.spec().xid() != run.record().xid()) {
            LOG.info("guest {}: the new context {} applies at the next start; the guest runs as xid {}", name,
                    resolution.spec().xid(), run.record().xid());
        }
        updateElements(guest, run, resolution, registry.elements());
        run.spec(resolution.spec());
    }

    private static void updateElements(Guest guest, GuestRun run, GuestResolver.Resolution resolution,
            ElementRegistry elements) {
        for (String elementName : run.elements()) {
            Optional<IsolationElement> element = elements.find(elementName);
            if (element.isEmpty()) {
                LOG.warn("guest {}: element {} is not deployed, so its keys change at the next start", guest.name(),
                        elementName);
                continue;
            }
            try {
                Map<String, UpdateOutcome> outcomes = element.get().update(run.runningGuest(), resolution.spec());
                if (!outcomes.isEmpty()) {
                    LOG.info("guest {}: changed keys of element {}: {}", guest.name(), elementName, outcomes);
                }
            } catch (VServerException | RuntimeException e) {
                LOG.warn("guest {}: element {} failed to apply the changed definition; it applies at the next "
                        + "start: {}", guest.name(), elementName, e.getMessage());
            }
        }
    }
}
