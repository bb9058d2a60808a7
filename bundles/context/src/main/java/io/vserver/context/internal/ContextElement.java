package io.vserver.context.internal;

import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;

/**
 * The context element: the host name and the init of a guest, and how the init is asked to
 * shut down. Every guest needs it, because every guest has an init.
 *
 * <p>Keys: {@code hostname} (default: the guest's name), {@code init} (argv separated by
 * spaces) and {@code init.style} ({@code plain}, {@code command}, {@code sysv},
 * {@code systemd}). The xid key {@code context} belongs to the host.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=context")
public class ContextElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of(ContextSettings.HOSTNAME, ContextSettings.INIT,
            ContextSettings.INIT_STYLE);

    @Override
    public String name() {
        return "context";
    }

    @Override
    public String feature() {
        return "vserver-context";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }

    @Override
    public boolean isRequiredBy(GuestSpec spec) {
        return true;
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        ContextSettings.of(spec);
    }

    /** Sets the plan's host name, init argv, reaper, halt signal and the style's environment. */
    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws InvalidConfigurationException {
        ContextSettings settings = ContextSettings.of(spec);
        InitStyle style = settings.style();
        plan.hostname(settings.hostname());
        plan.init(settings.init());
        plan.reaper(style.reaper());
        plan.haltSignal(style.haltSignal().name());
        for (Map.Entry<String, String> entry : style.environment().entrySet()) {
            plan.environment(entry.getKey(), entry.getValue());
        }
    }

    /** Does nothing: the namespaces end with the guest's last process. */
    @Override
    public void release(GuestRecord record) {
    }
}
