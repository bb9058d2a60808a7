package io.vserver.kmod.cgroup;

/**
 * A CPU bandwidth limit: the group may run for {@code quotaMicros} in every
 * {@code periodMicros}.
 *
 * @param quotaMicros  CPU time per period in microseconds, or {@link Cgroup#UNLIMITED}
 * @param periodMicros the period in microseconds
 */
public record CpuMax(long quotaMicros, long periodMicros) {

    public CpuMax {
        if (quotaMicros <= 0 && quotaMicros != Cgroup.UNLIMITED) {
            throw new IllegalArgumentException("Invalid CPU quota " + quotaMicros
                    + " us: expected a positive number of microseconds or UNLIMITED (-1)");
        }
        if (periodMicros <= 0) {
            throw new IllegalArgumentException("Invalid CPU period " + periodMicros
                    + " us: expected a positive number of microseconds");
        }
    }

    /** Returns true if the quota is unlimited. */
    public boolean isUnlimited() {
        return quotaMicros == Cgroup.UNLIMITED;
    }

    /** Returns the v2 {@code cpu.max} form: {@code QUOTA PERIOD} or {@code max PERIOD}. */
    @Override
    public String toString() {
        return (isUnlimited() ? "max" : Long.toString(quotaMicros)) + " " + periodMicros;
    }
}
