package io.vserver.context.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.IsolationElement;

/**
 * The context element: xid, namespaces, hostname and init of a guest.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=context")
public class ContextElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of("context", "hostname", "init", "init.style");

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
}
