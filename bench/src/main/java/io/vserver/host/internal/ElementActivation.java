package io.vserver.host.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.vserver.api.IsolationElement;
import io.vserver.api.VServerHost;
import io.vserver.capabilities.internal.CapabilitiesElement;
import io.vserver.context.internal.ContextElement;
import io.vserver.fs.internal.FsElement;
import io.vserver.limits.internal.LimitsElement;
import io.vserver.network.internal.NetworkElement;

/**
 * Creates the real isolation elements outside OSGi, through the public constructor that
 * Declarative Services calls: the constructor injects the referenced services, and an element
 * without references has a public constructor without parameters.
 *
 * <p>NOTE: the DS annotations are not kept at run time, so this class cannot see which
 * constructor carries {@code @Activate}. It takes the public constructor with the most
 * parameters that it can all supply, and it cannot call activate methods or pass a
 * component configuration. An element that comes to need either fails here with the class
 * named, rather than running half set up.
 */
final class ElementActivation {

    /** The element classes, in the host's prepare order. */
    static final List<Class<? extends IsolationElement>> ELEMENTS = List.of(FsElement.class, ContextElement.class,
            LimitsElement.class, CapabilitiesElement.class, NetworkElement.class);

    private ElementActivation() {
    }

    /** Creates every element of {@link #ELEMENTS} with {@code host} as the host service. */
    static List<IsolationElement> activateAll(VServerHost host) {
        List<IsolationElement> elements = new ArrayList<>();
        for (Class<? extends IsolationElement> type : ELEMENTS) {
            elements.add(activate(type, Map.of(VServerHost.class, host)));
        }
        return elements;
    }

    /**
     * Creates one element with the services in {@code services}, by type.
     *
     * @throws IllegalStateException when no public constructor takes only those services, or
     *     when the constructor fails
     */
    static <T> T activate(Class<T> type, Map<Class<?>, Object> services) {
        Constructor<?> chosen = null;
        for (Constructor<?> constructor : type.getConstructors()) {
            boolean suppliable = Arrays.stream(constructor.getParameterTypes()).allMatch(services::containsKey);
            if (suppliable && (chosen == null || constructor.getParameterCount() > chosen.getParameterCount())) {
                chosen = constructor;
            }
        }
        if (chosen == null) {
            throw new IllegalStateException("element class " + type.getName() + " has no public constructor that "
                    + "takes only " + services.keySet() + ": extend " + ElementActivation.class.getSimpleName()
                    + " to supply its references");
        }
        Object[] arguments = Arrays.stream(chosen.getParameterTypes()).map(services::get).toArray();
        try {
            return type.cast(chosen.newInstance(arguments));
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("activating element class " + type.getName() + " failed: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("activating element class " + type.getName() + " failed: " + e, e);
        }
    }
}
