package io.vserver.limits.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.IsolationElement;

/**
 * The limits element: whole-guest cgroup limits and per-process rlimits.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=limits")
public class LimitsElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of("limits.");

    @Override
    public String name() {
        return "limits";
    }

    @Override
    public String feature() {
        return "vserver-limits";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }
}
