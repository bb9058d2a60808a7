package io.vserver.limits.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * The limits element: whole-guest limits on the guest's cgroup and per-process resource limits.
 *
 * <p>Keys: {@code limits.memory} (bytes with an optional K, M, G or T suffix, powers of 1024),
 * {@code limits.memory.swap} (same form; memory plus swap on cgroup v1, swap alone on v2),
 * {@code limits.pids} (maximum tasks), {@code limits.cpu} (CPUs, fractions allowed),
 * {@code limits.cpu.weight} (1 to 10000), {@code limits.io.read} and {@code limits.io.write}
 * ({@code MAJOR:MINOR=BYTES_PER_SECOND,...}), {@code limits.shm} (size of {@code /dev/shm}, same
 * form as the memory limit; default: {@code limits.memory} when set), {@code limits.tmp} (when
 * set, {@code /tmp} is a tmpfs of that size) and {@code limits.rlimit.NAME} ({@code SOFT[:HARD]}
 * or {@code unlimited}, NAME as in setrlimit(2) without RLIMIT_). The host creates the guest's
 * cgroup before prepare, so this element only writes limit files into it. All cgroup limits
 * change live on a running guest, the tmpfs sizes and rlimits at its next start. Pages of a
 * tmpfs count against the memory cgroup of the process that writes them, so the memory limit
 * also bounds what a guest keeps in its tmpfs mounts.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=limits")
public class LimitsElement implements IsolationElement {

    private static final Logger LOG = LoggerFactory.getLogger(LimitsElement.class);

    private static final Set<String> KEYS = Set.of("limits.");

    /** The mount point of the tmpfs that {@code limits.tmp} sizes. */
    private static final String TMP_TARGET = "/tmp";

    /** The keys whose change is applied to a running guest's cgroup. */
    private static final List<String> LIVE_KEYS = List.of(LimitSettings.MEMORY, LimitSettings.SWAP,
            LimitSettings.PIDS, LimitSettings.CPU, LimitSettings.CPU_WEIGHT, LimitSettings.IO_READ,
            LimitSettings.IO_WRITE);

    /** The live keys written by {@link ControllerLimits}, whose controller or file may be missing. */
    private static final Set<String> CONTROLLER_KEYS = Set.of(LimitSettings.SWAP, LimitSettings.CPU_WEIGHT,
            LimitSettings.IO_READ, LimitSettings.IO_WRITE);

    /** The source of the mounted cgroup hierarchies. */
    interface HierarchySource {
        CgroupHierarchies discover() throws IOException;
    }

    private final HierarchySource hierarchies;

    public LimitsElement() {
        this(CgroupHierarchies::discover);
    }

    LimitsElement(HierarchySource hierarchies) {
        this.hierarchies = hierarchies;
    }

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
        return KEYS;
    }

    /**
     * Returns true for every guest, so that a limit can be set on a running guest that started
     * without one.
     */
    @Override
    public boolean isRequiredBy(GuestSpec spec) {
        return true;
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        LimitSettings.of(spec);
    }

    /**
     * Adds the rlimits and tmpfs sizes to the plan and writes the cgroup limits into the guest's
     * cgroup, after checking that the controllers and files of the swap, CPU weight and I/O keys
     * exist.
     */
    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        LimitSettings settings = LimitSettings.of(spec);
        settings.rlimits().values().forEach(plan::rlimit);
        addTmpfsSizes(settings, plan);
        if (spec.settings().keySet().stream().noneMatch(key -> LIVE_KEYS.contains(key))) {
            return;
        }
        Cgroup group = group(spec.label(), record);
        for (String key : CONTROLLER_KEYS) {
            if (spec.get(key).isPresent()) {
                ControllerLimits.check(spec.label(), group, key, settings);
            }
        }
        for (String key : LIVE_KEYS) {
            if (spec.get(key).isPresent()) {
                apply(spec.label(), group, key, spec.get(key).get(), settings, LimitSettings.NONE);
            }
        }
    }

    /**
     * Applies changed cgroup limits to the running guest's cgroup, where a
     * removed key lifts the limit, and reports changed tmpfs sizes and rlimits as waiting for a
     * restart. When one limit fails, the limits already changed are set back to their old values.
     *
     * <p>NOTE: a {@code /dev/shm} sized by default from {@code limits.memory} keeps its size
     * until the next start when the memory limit changes live. Its pages still count against
     * the new memory limit.
     *
     * @throws VServerException naming the failed key and value, after the roll-back
     */
    @Override
    public Map<String, UpdateOutcome> update(RunningGuest guest, GuestSpec updated) throws VServerException {
        GuestSpec current = guest.spec();
        LimitSettings oldSettings = LimitSettings.of(current);
        LimitSettings newSettings = LimitSettings.of(updated);
        Map<String, UpdateOutcome> outcomes = new LinkedHashMap<>();
        List<String> changed = applyOrder(changedKeys(current, updated), oldSettings, newSettings);
        List<String> applied = new ArrayList<>();
        Cgroup group = null;
        if (changed.contains(LimitSettings.MEMORY) && updated.get(LimitSettings.SWAP).isPresent()) {
            // On v1 the swap limit is memory plus swap, which needs a memory limit.
            group = group(updated.label(), guest.record());
            ControllerLimits.check(updated.label(), group, LimitSettings.SWAP, newSettings);
        }
        for (String key : changed) {
            if (!LIVE_KEYS.contains(key)) {
                outcomes.put(key, UpdateOutcome.NEEDS_RESTART);
                continue;
            }
            if (group == null) {
                group = group(updated.label(), guest.record());
            }
            try {
                if (updated.get(key).isPresent() && CONTROLLER_KEYS.contains(key)) {
                    ControllerLimits.check(updated.label(), group, key, newSettings);
                }
                apply(updated.label(), group, key, updated.get(key).orElse(null), newSettings, oldSettings);
            } catch (VServerException e) {
                rollBack(current.label(), group, applied, current, oldSettings, newSettings);
                String rolledBack = applied.isEmpty() ? "" : ". Set " + applied + " back to their old values";
                throw new VServerException(e.getMessage() + rolledBack, e);
            }
            applied.add(key);
            outcomes.put(key, UpdateOutcome.APPLIED);
        }
        return outcomes;
    }

    /**
     * Reports which changed keys {@link #update} would write to the cgroup and which wait for a
     * restart, and checks that the controllers and files of the written keys exist.
     *
     * @throws VServerException naming the key whose controller or file is missing
     */
    @Override
    public Map<String, UpdateOutcome> preview(RunningGuest guest, GuestSpec updated) throws VServerException {
        GuestSpec current = guest.spec();
        LimitSettings.of(current);
        LimitSettings newSettings = LimitSettings.of(updated);
        Map<String, UpdateOutcome> outcomes = new LinkedHashMap<>();
        Cgroup group = null;
        for (String key : changedKeys(current, updated)) {
            if (!LIVE_KEYS.contains(key)) {
                outcomes.put(key, UpdateOutcome.NEEDS_RESTART);
                continue;
            }
            if (updated.get(key).isPresent() && CONTROLLER_KEYS.contains(key)) {
                group = group != null ? group : group(updated.label(), guest.record());
                ControllerLimits.check(updated.label(), group, key, newSettings);
            }
            outcomes.put(key, UpdateOutcome.APPLIED);
        }
        return outcomes;
    }

    /**
     * Sets the size of {@code /dev/shm} in the plan and, when {@code limits.tmp} is set, adds a
     * tmpfs of that size on {@code /tmp}.
     */
    private static void addTmpfsSizes(LimitSettings settings, LaunchPlan plan) {
        Long shm = settings.effectiveShmBytes();
        if (shm != null) {
            plan.shmSize(shm);
        }
        if (settings.tmpBytes() != null) {
            plan.addTmpfs(new LaunchPlan.Tmpfs(TMP_TARGET, settings.tmpBytes()));
        }
    }

    /** Returns the changed limits keys in sorted order, so that updates apply in the same order every time. */
    private static Set<String> changedKeys(GuestSpec current, GuestSpec updated) {
        Set<String> keys = new TreeSet<>();
        keys.addAll(current.settings().keySet());
        keys.addAll(updated.settings().keySet());
        keys.removeIf(key -> !key.startsWith("limits.")
                || Objects.equals(current.settings().get(key), updated.settings().get(key)));
        return keys;
    }

    /**
     * Orders the changed keys for writing. v1 requires the memory limit to stay at or below the
     * memory plus swap limit after each write, so a growing swap limit is written before the
     * memory limit and a shrinking one after it.
     */
    private static List<String> applyOrder(Set<String> changed, LimitSettings oldSettings,
            LimitSettings newSettings) {
        List<String> ordered = new ArrayList<>(changed);
        Long oldSwap = oldSettings.swapBytes();
        Long newSwap = newSettings.swapBytes();
        boolean swapGrows = newSwap == null || (oldSwap != null && newSwap > oldSwap);
        if (ordered.contains(LimitSettings.MEMORY) && ordered.contains(LimitSettings.SWAP) && swapGrows) {
            ordered.remove(LimitSettings.SWAP);
            ordered.add(ordered.indexOf(LimitSettings.MEMORY), LimitSettings.SWAP);
        }
        return ordered;
    }

    /** Sets the applied keys back in reverse order, so that v1's memory and swap limits stay ordered. */
    private void rollBack(String source, Cgroup group, List<String> applied, GuestSpec current,
            LimitSettings oldSettings, LimitSettings newSettings) {
        for (int i = applied.size() - 1; i >= 0; i--) {
            String key = applied.get(i);
            try {
                apply(source, group, key, current.get(key).orElse(null), oldSettings, newSettings);
            } catch (VServerException e) {
                LOG.error("Failed to set {} of {} back to its old value after a failed update", key, source, e);
            }
        }
    }

    /** Does nothing: the limits live in the guest's cgroup, which the host removes. */
    @Override
    public void release(GuestRecord record) {
    }

    private Cgroup group(String source, GuestRecord record) throws VServerException {
        try {
            return hierarchies.discover().group(record.cgroupPath());
        } catch (IOException | IllegalArgumentException e) {
            throw new VServerException(source + ": failed to find the cgroup " + record.cgroupPath() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes one whole-guest limit, where a null value lifts the limit. The I/O devices that
     * {@code previous} limits and the new value no longer names lose their limit.
     */
    private static void apply(String source, Cgroup group, String key, String value, LimitSettings settings,
            LimitSettings previous) throws VServerException {
        try {
            switch (key) {
                case LimitSettings.MEMORY -> group.setMemoryMax(value == null ? Cgroup.UNLIMITED : settings.memoryBytes());
                case LimitSettings.PIDS -> group.setPidsMax(value == null ? Cgroup.UNLIMITED : settings.pids());
                case LimitSettings.CPU -> group.setCpuMax(value == null ? Cgroup.UNLIMITED : settings.cpuQuotaMicros(),
                        LimitSettings.CPU_PERIOD_MICROS);
                case LimitSettings.SWAP, LimitSettings.CPU_WEIGHT, LimitSettings.IO_READ, LimitSettings.IO_WRITE ->
                    ControllerLimits.apply(source, group, key, value, settings, previous);
                default -> throw new IllegalArgumentException("not a cgroup limit key: " + key);
            }
        } catch (IOException | IllegalArgumentException e) {
            String shown = value == null ? "no limit" : "'" + value + "'";
            throw new VServerException(source + ": failed to set " + key + " to " + shown + " on " + group + ": "
                    + e.getMessage(), e);
        }
        LOG.debug("Set {} of {} to {} on {}", key, source, value, group);
    }
}
