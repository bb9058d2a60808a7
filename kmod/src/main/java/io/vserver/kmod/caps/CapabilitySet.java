package io.vserver.kmod.caps;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An immutable set of capabilities, stored as the 64-bit mask the kernel uses (bit N for
 * capability N).
 *
 * <p>A mask read from a newer kernel may carry bits this version does not name; they are kept,
 * so {@link #mask()} returns exactly what was read, and {@link #toCommaList()} writes them as
 * numbers.
 */
public final class CapabilitySet {

    private static final CapabilitySet EMPTY = new CapabilitySet(0L);
    private static final CapabilitySet ALL_KNOWN = upTo(Capability.values().length - 1);

    private final long mask;

    private CapabilitySet(long mask) {
        this.mask = mask;
    }

    /** Returns the set of a 64-bit mask, as in the {@code CapEff} line of /proc/PID/status. */
    public static CapabilitySet ofMask(long mask) {
        return mask == 0 ? EMPTY : new CapabilitySet(mask);
    }

    /** Returns the empty set. */
    public static CapabilitySet empty() {
        return EMPTY;
    }

    /** Returns every capability this enum names, 0 to {@code CAP_CHECKPOINT_RESTORE}. */
    public static CapabilitySet allKnown() {
        return ALL_KNOWN;
    }

    /**
     * Returns capabilities 0 to {@code lastCap}, such as the full bounding set of a kernel whose
     * {@code cap_last_cap} is {@code lastCap}.
     */
    public static CapabilitySet upTo(int lastCap) {
        if (lastCap < -1 || lastCap > 63) {
            throw new IllegalArgumentException("Invalid last capability " + lastCap
                    + ": expected -1 to 63");
        }
        return ofMask(lastCap == 63 ? -1L : (1L << (lastCap + 1)) - 1);
    }

    /** Returns the set of the given capabilities. */
    public static CapabilitySet of(Capability... capabilities) {
        long mask = 0;
        for (Capability capability : capabilities) {
            mask |= capability.bit();
        }
        return ofMask(mask);
    }

    /** Returns the set of the given capabilities. */
    public static CapabilitySet of(Collection<Capability> capabilities) {
        return of(capabilities.toArray(new Capability[0]));
    }

    /**
     * Parses a comma-separated list of capability names in the forms
     * {@link Capability#parse(String)} accepts, such as {@code chown, CAP_KILL}. Blank entries
     * are ignored, so an empty text is the empty set.
     *
     * @throws IllegalArgumentException naming the first entry that is not a capability
     */
    public static CapabilitySet parse(String list) {
        long mask = 0;
        for (String entry : list.split(",")) {
            if (!entry.isBlank()) {
                mask |= Capability.parse(entry).bit();
            }
        }
        return ofMask(mask);
    }

    /** Returns the 64-bit mask. */
    public long mask() {
        return mask;
    }

    /** Returns true if the set contains the capability. */
    public boolean contains(Capability capability) {
        return (mask & capability.bit()) != 0;
    }

    /** Returns true if the set contains every capability of {@code other}. */
    public boolean containsAll(CapabilitySet other) {
        return (mask & other.mask) == other.mask;
    }

    /** Returns true if the set is empty. */
    public boolean isEmpty() {
        return mask == 0;
    }

    /** Returns the number of capabilities in the set, unnamed bits included. */
    public int size() {
        return Long.bitCount(mask);
    }

    /** Returns this set with the capabilities added. */
    public CapabilitySet with(Capability... capabilities) {
        return union(of(capabilities));
    }

    /** Returns this set with the capabilities removed. */
    public CapabilitySet without(Capability... capabilities) {
        return minus(of(capabilities));
    }

    /** Returns the capabilities in this set or in {@code other}. */
    public CapabilitySet union(CapabilitySet other) {
        return ofMask(mask | other.mask);
    }

    /** Returns the capabilities in both this set and {@code other}. */
    public CapabilitySet intersect(CapabilitySet other) {
        return ofMask(mask & other.mask);
    }

    /** Returns the capabilities in this set but not in {@code other}. */
    public CapabilitySet minus(CapabilitySet other) {
        return ofMask(mask & ~other.mask);
    }

    /** Returns the named capabilities of the set; bits without a name are left out. */
    public Set<Capability> toEnumSet() {
        EnumSet<Capability> capabilities = EnumSet.noneOf(Capability.class);
        for (Capability capability : Capability.values()) {
            if (contains(capability)) {
                capabilities.add(capability);
            }
        }
        return capabilities;
    }

    /**
     * Returns the comma list the vcontext program takes: short lower-case names in bit order
     * without spaces, such as {@code chown,dac_override}, with any bit this version cannot name
     * written as its number. The empty set gives an empty string.
     */
    public String toCommaList() {
        StringJoiner list = new StringJoiner(",");
        for (int bit = 0; bit < Long.SIZE; bit++) {
            if ((mask & (1L << bit)) == 0) {
                continue;
            }
            if (bit < Capability.values().length) {
                list.add(Capability.of(bit).shortName());
            } else {
                list.add(String.valueOf(bit));
            }
        }
        return list.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CapabilitySet && ((CapabilitySet) other).mask == mask;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(mask);
    }

    /** Returns the comma list in braces, such as {@code {chown,kill}}. */
    @Override
    public String toString() {
        return "{" + toCommaList() + "}";
    }
}
