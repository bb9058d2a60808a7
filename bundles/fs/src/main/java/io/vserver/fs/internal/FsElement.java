package io.vserver.fs.internal;

import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.IsolationElement;

/**
 * The fs element: the guest's root file system, built from an image.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=fs")
public class FsElement implements IsolationElement {

    private static final Set<String> KEYS = Set.of("image");

    @Override
    public String name() {
        return "fs";
    }

    @Override
    public String feature() {
        return "vserver-fs";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }
}
