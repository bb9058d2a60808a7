package io.vserver.network.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.IsolationElement;

/**
 * The network element: the addresses a guest's sockets are locked to.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=network")
public class NetworkElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of("network.");

    @Override
    public String name() {
        return "network";
    }

    @Override
    public String feature() {
        return "vserver-network";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }
}
