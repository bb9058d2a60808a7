package io.vserver.limits.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;

/**
 * Writes the swap, CPU weight and I/O bandwidth limits, which {@link Cgroup} has no typed
 * setter for, into the v1 or v2 files of the hierarchy that manages each controller.
 *
 * <p>{@code limits.memory.swap} is memory plus swap on v1 ({@code memory.memsw.limit_in_bytes})
 * and swap alone on v2 ({@code memory.swap.max}). {@code limits.cpu.weight} is written as is to
 * v2 {@code cpu.weight} and as {@code weight * 1024 / 100} to v1 {@code cpu.shares}, so that the
 * default weight 100 is the default 1024 shares. The I/O rates go to v1
 * {@code blkio.throttle.read_bps_device} and {@code write_bps_device}, or to v2 {@code io.max}
 * as {@code rbps} and {@code wbps}.
 */
final class ControllerLimits {

    private static final long DEFAULT_CPU_WEIGHT = 100;
    private static final long V1_SHARES_PER_WEIGHT_100 = 1024;

    private ControllerLimits() {
    }

    /**
     * Checks that the controller and file of a key exist in the guest's cgroup.
     *
     * @throws VServerException naming the key and the missing controller or file
     */
    static void check(String source, Cgroup group, String key, LimitSettings settings) throws VServerException {
        CgroupHierarchy hierarchy = hierarchy(source, group, key);
        String file = file(hierarchy, key);
        if (!Files.exists(group.directory(hierarchy).resolve(file))) {
            throw new VServerException(source + ": " + key + " needs the file " + file + " of the "
                    + controller(key, hierarchy.version() == CgroupVersion.V1) + " controller in " + hierarchy
                    + ", which " + group + " does not have" + swapHint(key, hierarchy));
        }
        if (key.equals(LimitSettings.SWAP) && hierarchy.version() == CgroupVersion.V1
                && settings.memoryBytes() == null) {
            throw new VServerException(source + ": " + key + " needs " + LimitSettings.MEMORY + " on cgroup v1, "
                    + "where it limits memory plus swap and must not be below the memory limit");
        }
        boolean swapBelowMemory = settings.swapBytes() != null && settings.memoryBytes() != null
                && settings.swapBytes() < settings.memoryBytes();
        if (key.equals(LimitSettings.SWAP) && hierarchy.version() == CgroupVersion.V1 && swapBelowMemory) {
            throw new VServerException(source + ": " + key + " is below " + LimitSettings.MEMORY + " on cgroup v1, "
                    + "where it limits memory plus swap: set it to the memory limit plus the swap to allow");
        }
    }

    /**
     * Writes one limit, where a null value lifts it. The devices that {@code previous} limits
     * and the new value no longer names lose their I/O limit.
     */
    static void apply(String source, Cgroup group, String key, String value, LimitSettings settings,
            LimitSettings previous) throws IOException, VServerException {
        CgroupHierarchy hierarchy = hierarchy(source, group, key);
        boolean v1 = hierarchy.version() == CgroupVersion.V1;
        switch (key) {
            case LimitSettings.SWAP -> {
                String unlimited = v1 ? "-1" : "max";
                String bytes = value == null ? unlimited : Long.toString(settings.swapBytes());
                group.set(hierarchy, file(hierarchy, key), bytes);
            }
            case LimitSettings.CPU_WEIGHT -> {
                long weight = value == null ? DEFAULT_CPU_WEIGHT : settings.cpuWeight();
                long written = v1 ? weight * V1_SHARES_PER_WEIGHT_100 / DEFAULT_CPU_WEIGHT : weight;
                group.set(hierarchy, file(hierarchy, key), Long.toString(written));
            }
            case LimitSettings.IO_READ -> writeRates(group, hierarchy, key,
                    value == null ? Map.of() : settings.ioRead(), previous.ioRead());
            case LimitSettings.IO_WRITE -> writeRates(group, hierarchy, key,
                    value == null ? Map.of() : settings.ioWrite(), previous.ioWrite());
            default -> throw new IllegalArgumentException("not a controller limit key: " + key);
        }
    }

    /** Writes one line per device: the new rates, then no limit for the devices only the old value named. */
    private static void writeRates(Cgroup group, CgroupHierarchy hierarchy, String key, Map<String, Long> rates,
            Map<String, Long> oldRates) throws IOException {
        boolean v1 = hierarchy.version() == CgroupVersion.V1;
        String file = file(hierarchy, key);
        String field = key.equals(LimitSettings.IO_READ) ? "rbps=" : "wbps=";
        for (Map.Entry<String, Long> rate : rates.entrySet()) {
            group.set(hierarchy, file, rate.getKey() + (v1 ? " " : " " + field) + rate.getValue());
        }
        for (String device : oldRates.keySet()) {
            if (!rates.containsKey(device)) {
                // v1 removes a device's rule on a rate of 0, and v2 lifts it on max.
                group.set(hierarchy, file, device + (v1 ? " 0" : " " + field + "max"));
            }
        }
    }

    private static CgroupHierarchy hierarchy(String source, Cgroup group, String key) throws VServerException {
        String v1Controller = controller(key, true);
        String v2Controller = controller(key, false);
        Optional<CgroupHierarchy> found = group.hierarchies().forController(v1Controller)
                .filter(h -> h.version() == CgroupVersion.V1)
                .or(() -> group.hierarchies().forController(v2Controller)
                        .filter(h -> h.version() == CgroupVersion.V2));
        return found.orElseThrow(() -> new VServerException(source + ": " + key + " needs the " + v1Controller
                + (v1Controller.equals(v2Controller) ? "" : " (cgroup v1) or " + v2Controller + " (cgroup v2)")
                + " cgroup controller, which is not mounted; mounted: " + group.hierarchies().all()));
    }

    private static String controller(String key, boolean v1) {
        return switch (key) {
            case LimitSettings.SWAP -> "memory";
            case LimitSettings.CPU_WEIGHT -> "cpu";
            default -> v1 ? "blkio" : "io";
        };
    }

    private static String file(CgroupHierarchy hierarchy, String key) {
        boolean v1 = hierarchy.version() == CgroupVersion.V1;
        return switch (key) {
            case LimitSettings.SWAP -> v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
            case LimitSettings.CPU_WEIGHT -> v1 ? "cpu.shares" : "cpu.weight";
            case LimitSettings.IO_READ -> v1 ? "blkio.throttle.read_bps_device" : "io.max";
            default -> v1 ? "blkio.throttle.write_bps_device" : "io.max";
        };
    }

    private static String swapHint(String key, CgroupHierarchy hierarchy) {
        if (!key.equals(LimitSettings.SWAP)) {
            return "";
        }
        return hierarchy.version() == CgroupVersion.V1
                ? " (the kernel accounts swap only with CONFIG_MEMCG_SWAP and swapaccount=1)"
                : " (the kernel accounts swap only with CONFIG_MEMCG_SWAP)";
    }
}
