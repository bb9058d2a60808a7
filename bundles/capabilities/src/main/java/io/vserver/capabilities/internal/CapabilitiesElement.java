package io.vserver.capabilities.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.LaunchPlan.CapabilitySetKind;
import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;

/**
 * The capabilities element: the capability sets of a guest's init and {@code no_new_privs}.
 * Every guest needs it, because without it init would keep all of root's capabilities.
 *
 * <p>Keys: {@code capabilities.profile} ({@code default}, {@code minimal}, {@code classic},
 * {@code privileged}), {@code capabilities.add} and {@code capabilities.drop} (comma lists of
 * names as in capabilities(7), any case, with or without {@code CAP_}),
 * {@code security.noNewPrivileges} ({@code true} or {@code false}) and {@code security.seccomp}
 * ({@code default}, vcontext's filter of the syscalls that change host-wide kernel state, or
 * {@code unconfined}).
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=capabilities")
public class CapabilitiesElement implements IsolationElement {

    /** The status flag of a guest whose capabilities equal or exceed the {@code privileged} profile. */
    public static final String PRIVILEGED_FLAG = "privileged";

    /** The status flag of a guest without vcontext's default seccomp filter. */
    public static final String SECCOMP_UNCONFINED_FLAG = "seccomp=unconfined";

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

    @Override
    public boolean isRequiredBy(GuestSpec spec) {
        return true;
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        CapabilitySettings.of(spec);
    }

    /**
     * Sets the bounding, permitted and effective sets to the guest's capabilities and leaves
     * the inheritable and ambient sets empty. Init runs as uid 0, so at execve() the kernel
     * gives it permitted = effective = bounding anyway, and the explicit sets keep that true
     * under {@code no_new_privs} too.
     */
    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws InvalidConfigurationException {
        CapabilitySettings settings = CapabilitySettings.of(spec);
        Set<String> names = names(settings.capabilities());
        plan.capabilities(CapabilitySetKind.BOUNDING, names);
        plan.capabilities(CapabilitySetKind.PERMITTED, names);
        plan.capabilities(CapabilitySetKind.EFFECTIVE, names);
        plan.capabilities(CapabilitySetKind.INHERITABLE, Set.of());
        plan.capabilities(CapabilitySetKind.AMBIENT, Set.of());
        plan.noNewPrivileges(settings.noNewPrivileges());
        plan.seccomp(settings.seccomp());
    }

    /** Does nothing: the capability sets live only in the guest's processes. */
    @Override
    public void release(GuestRecord record) {
    }

    /** Returns the status flags of {@code spec}, see {@link #flags(GuestSpec)}. */
    public List<String> statusFlags(GuestSpec spec) throws InvalidConfigurationException {
        return flags(spec);
    }

    /**
     * Returns the status flags an operator must see for {@code spec}: {@link #PRIVILEGED_FLAG}
     * when the guest keeps every capability, whether through the {@code privileged} profile or
     * by adding them one by one, and {@link #SECCOMP_UNCONFINED_FLAG} when it runs without the
     * default seccomp filter.
     *
     * @throws InvalidConfigurationException when the capability keys are invalid
     */
    public static List<String> flags(GuestSpec spec) throws InvalidConfigurationException {
        CapabilitySettings settings = CapabilitySettings.of(spec);
        List<String> flags = new ArrayList<>();
        if (settings.capabilities().containsAll(CapabilityProfile.PRIVILEGED.capabilities())) {
            flags.add(PRIVILEGED_FLAG);
        }
        if (settings.seccomp().equals(CapabilitySettings.SECCOMP_UNCONFINED)) {
            flags.add(SECCOMP_UNCONFINED_FLAG);
        }
        return List.copyOf(flags);
    }

    /** Returns the short lower-case names of a set in bit order, as {@link LaunchPlan} takes them. */
    static Set<String> names(CapabilitySet capabilities) {
        Set<String> names = new LinkedHashSet<>();
        for (Capability capability : capabilities.toEnumSet()) {
            names.add(capability.shortName());
        }
        return names;
    }
}
