package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vserver.api.GuestSpec;
import io.vserver.api.IsolationElement;

/**
 * The isolation elements deployed right now. Elements come and go with their bundles, so
 * every operation works on a {@link #snapshot()} taken when it begins.
 */
final class ElementRegistry {

    private static final Comparator<IsolationElement> PREPARE_ORDER = Comparator
            .comparingInt((IsolationElement element) -> KnownElements.rank(element.name()))
            .thenComparing(IsolationElement::name);

    private final List<IsolationElement> elements = new CopyOnWriteArrayList<>();

    void add(IsolationElement element) {
        elements.add(element);
    }

    void remove(IsolationElement element) {
        elements.remove(element);
    }

    /** Returns the deployed elements in prepare order: fs, context, limits, capabilities, network, others. */
    List<IsolationElement> snapshot() {
        List<IsolationElement> copy = new ArrayList<>(elements);
        copy.sort(PREPARE_ORDER);
        return copy;
    }

    /** Returns the deployed element of a name; when two are bound during an update, the older. */
    Optional<IsolationElement> find(String name) {
        return elements.stream().filter(element -> element.name().equals(name)).findFirst();
    }

    /** Returns the elements of {@code deployed} that {@code spec} needs, in prepare order. */
    static List<IsolationElement> requiredBy(GuestSpec spec, List<IsolationElement> deployed) {
        List<IsolationElement> required = new ArrayList<>();
        for (IsolationElement element : deployed) {
            if (KnownElements.ALWAYS_REQUIRED.contains(element.name()) || element.isRequiredBy(spec)) {
                required.add(element);
            }
        }
        return required;
    }
}
