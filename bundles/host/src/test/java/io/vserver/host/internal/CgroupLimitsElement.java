package io.vserver.host.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * A limits element for host tests, so that they need not depend on the limits bundle: writes
 * {@code limits.memory} (bytes, or a number with an M suffix) and {@code limits.pids} into the
 * guest's cgroup at prepare and on update, and rejects other values with the accepted form.
 */
class CgroupLimitsElement implements IsolationElement {

    static final String MEMORY = "limits.memory";
    static final String PIDS = "limits.pids";
    static final String MEMORY_FORM = "a number of bytes, or of MiB with the suffix M, greater than 0";
    static final String PIDS_FORM = "a positive integer";

    @Override
    public String name() {
        return "limits";
    }

    @Override
    public String feature() {
        return "vserver-limits";
    }

    @Override
    public Set<String> ownedKeys() {
        return Set.of("limits.");
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        for (String key : List.of(MEMORY, PIDS)) {
            if (spec.get(key).isPresent()) {
                parse(spec.label(), key, spec.get(key).get());
            }
        }
    }

    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        for (String key : List.of(MEMORY, PIDS)) {
            if (spec.get(key).isPresent()) {
                apply(record, key, parse(spec.label(), key, spec.get(key).get()));
            }
        }
    }

    @Override
    public Map<String, UpdateOutcome> update(RunningGuest guest, GuestSpec updated) throws VServerException {
        Map<String, UpdateOutcome> outcomes = new LinkedHashMap<>();
        for (String key : List.of(MEMORY, PIDS)) {
            String value = updated.get(key).orElse(null);
            if (!Objects.equals(value, guest.spec().get(key).orElse(null))) {
                apply(guest.record(), key, value == null ? Cgroup.UNLIMITED : parse(updated.label(), key, value));
                outcomes.put(key, UpdateOutcome.APPLIED);
            }
        }
        return outcomes;
    }

    @Override
    public void release(GuestRecord record) {
    }

    private static long parse(String source, String key, String value) throws InvalidConfigurationException {
        boolean mebibytes = key.equals(MEMORY) && value.endsWith("M");
        String digits = mebibytes ? value.substring(0, value.length() - 1) : value;
        try {
            long number = Long.parseLong(digits);
            if (number > 0) {
                return mebibytes ? number << 20 : number;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        throw InvalidConfigurationException.invalidValue(source, key, value, key.equals(MEMORY) ? MEMORY_FORM
                : PIDS_FORM);
    }

    private static void apply(GuestRecord record, String key, long value) throws VServerException {
        try {
            Cgroup group = CgroupHierarchies.discover().group(record.cgroupPath());
            if (key.equals(MEMORY)) {
                group.setMemoryMax(value);
            } else {
                group.setPidsMax(value);
            }
        } catch (IOException e) {
            throw new VServerException("failed to set " + key + " to " + value + ": " + e.getMessage(), e);
        }
    }
}
