package io.vserver.kmod.vcontext;

import java.util.Locale;

/** The five capability sets of a process (see capabilities(7)), with their vcontext options. */
public enum CapabilitySetType {
    BOUNDING,
    PERMITTED,
    EFFECTIVE,
    INHERITABLE,
    AMBIENT;

    /** Returns the vcontext option that sets this set, such as {@code --cap-bounding}. */
    public String option() {
        return "--cap-" + name().toLowerCase(Locale.ROOT);
    }
}
