package io.vserver.capabilities.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.IsolationElement;

/**
 * The capabilities element: the capability sets and syscall filter of a guest.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=capabilities")
public class CapabilitiesElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of("capabilities.", "security.");

    @Override
    public String name() {
        return "capabilities";
    }

    @Override
    public String feature() {
        return "vserver-capabilities";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }
}
