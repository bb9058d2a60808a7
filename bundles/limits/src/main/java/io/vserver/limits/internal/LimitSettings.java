package io.vserver.limits.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.LaunchPlan;
import io.vserver.kmod.vcontext.RlimitResource;

/**
 * The limits keys of one guest, parsed and checked. Whole-guest limits are null when unset.
 *
 * @param memoryBytes {@code limits.memory} in bytes
 * @param pids {@code limits.pids}, the maximum number of tasks (processes and threads)
 * @param cpuQuotaMicros {@code limits.cpu} as CPU time per {@link #CPU_PERIOD_MICROS}
 * @param swapBytes {@code limits.memory.swap} in bytes: memory plus swap on v1, swap alone on v2
 * @param cpuWeight {@code limits.cpu.weight}, 1 to 10000 with 100 the kernel's default
 * @param ioRead {@code limits.io.read}, bytes per second by device {@code MAJOR:MINOR}; empty when unset
 * @param ioWrite {@code limits.io.write}, bytes per second by device {@code MAJOR:MINOR}; empty when unset
 * @param shmBytes {@code limits.shm}, the size of the tmpfs on {@code /dev/shm} in bytes
 * @param tmpBytes {@code limits.tmp}, the size in bytes of a tmpfs mounted on {@code /tmp}
 * @param rlimits the {@code limits.rlimit.NAME} keys, by key
 */
record LimitSettings(Long memoryBytes, Long pids, Long cpuQuotaMicros, Long swapBytes, Long cpuWeight,
        Map<String, Long> ioRead, Map<String, Long> ioWrite, Long shmBytes, Long tmpBytes,
        Map<String, LaunchPlan.Rlimit> rlimits) {

    /** The settings of a guest without limits keys. */
    static final LimitSettings NONE = new LimitSettings(null, null, null, null, null, Map.of(), Map.of(), null, null,
            Map.of());

    static final String MEMORY = "limits.memory";
    static final String PIDS = "limits.pids";
    static final String CPU = "limits.cpu";
    static final String SWAP = "limits.memory.swap";
    static final String CPU_WEIGHT = "limits.cpu.weight";
    static final String IO_READ = "limits.io.read";
    static final String IO_WRITE = "limits.io.write";
    static final String SHM = "limits.shm";
    static final String TMP = "limits.tmp";
    static final String RLIMIT_PREFIX = "limits.rlimit.";

    /** The CPU bandwidth period, the kernel's default {@code cpu.cfs_period_us} of 100 ms. */
    static final long CPU_PERIOD_MICROS = 100_000;

    /** The smallest quota the kernel accepts is 1 ms, which is 0.01 CPUs with a 100 ms period. */
    static final BigDecimal MIN_CPUS = new BigDecimal("0.01");

    static final String MEMORY_FORM = "a size in bytes with an optional K, M, G or T suffix (powers of 1024), "
            + "such as 512M, greater than 0";
    static final String PIDS_FORM = "a positive integer, the maximum number of processes and threads";
    static final String CPU_FORM = "a number of CPUs of at least 0.01, such as 0.5 or 2";
    static final String SWAP_FORM = MEMORY_FORM;
    static final String CPU_WEIGHT_FORM = "an integer from 1 to 10000, where 100 is the default share";
    static final String IO_FORM = "MAJOR:MINOR=BYTES_PER_SECOND[,MAJOR:MINOR=BYTES_PER_SECOND...], such as "
            + "8:0=10485760, with each device once and each rate a positive integer";
    static final String RLIMIT_FORM = "SOFT[:HARD] or unlimited, where SOFT and HARD are integers in the unit of "
            + "setrlimit(2) or unlimited, and SOFT is not above HARD";

    private static final Pattern SIZE = Pattern.compile("([0-9]+)([KMGT]?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DEVICE_RATE = Pattern.compile("([0-9]+):([0-9]+)=([0-9]+)");
    private static final String UNLIMITED = "unlimited";
    private static final long MAX_CPU_WEIGHT = 10_000;

    /**
     * Parses the element's keys of {@code spec}.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form
     */
    static LimitSettings of(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        Long memory = null;
        Long pids = null;
        Long cpu = null;
        Long swap = null;
        Long weight = null;
        Map<String, Long> ioRead = Map.of();
        Map<String, Long> ioWrite = Map.of();
        Long shm = null;
        Long tmp = null;
        Map<String, LaunchPlan.Rlimit> rlimits = new LinkedHashMap<>();
        for (Map.Entry<String, String> setting : spec.settings().entrySet()) {
            String key = setting.getKey();
            String value = setting.getValue();
            if (key.equals(MEMORY)) {
                memory = parseMemory(source, value);
            } else if (key.equals(PIDS)) {
                pids = parsePids(source, value);
            } else if (key.equals(CPU)) {
                cpu = parseCpu(source, value);
            } else if (key.equals(SWAP)) {
                swap = parseSize(source, SWAP, value);
            } else if (key.equals(CPU_WEIGHT)) {
                weight = parseCpuWeight(source, value);
            } else if (key.equals(IO_READ) || key.equals(IO_WRITE)) {
                Map<String, Long> rates = parseDeviceRates(source, key, value);
                if (key.equals(IO_READ)) {
                    ioRead = rates;
                } else {
                    ioWrite = rates;
                }
            } else if (key.equals(SHM)) {
                shm = parseSize(source, SHM, value);
            } else if (key.equals(TMP)) {
                tmp = parseSize(source, TMP, value);
            } else if (key.startsWith(RLIMIT_PREFIX)) {
                rlimits.put(key, parseRlimit(source, key, value));
            } else if (key.startsWith("limits.")) {
                throw InvalidConfigurationException.unknownKey(source, key, String.join(", ", MEMORY, SWAP, PIDS, CPU,
                        CPU_WEIGHT, IO_READ, IO_WRITE, SHM, TMP) + " and " + RLIMIT_PREFIX + "NAME with NAME one of " + resourceNames());
            }
        }
        return new LimitSettings(memory, pids, cpu, swap, weight, ioRead, ioWrite, shm, tmp, rlimits);
    }

    /**
     * Returns the size of {@code /dev/shm} in bytes: {@code limits.shm}, else {@code limits.memory},
     * so that {@code /dev/shm} is never larger than the memory the guest may use, else null for
     * the kernel's default of half the RAM.
     */
    Long effectiveShmBytes() {
        return shmBytes != null ? shmBytes : memoryBytes;
    }

    static long parseMemory(String source, String value) throws InvalidConfigurationException {
        return parseSize(source, MEMORY, value);
    }

    /** Parses a size in bytes with an optional K, M, G or T suffix for {@code key}. */
    static long parseSize(String source, String key, String value) throws InvalidConfigurationException {
        Matcher matcher = SIZE.matcher(value.trim());
        if (!matcher.matches()) {
            throw InvalidConfigurationException.invalidValue(source, key, value, MEMORY_FORM);
        }
        int shift = switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        try {
            long number = Long.parseLong(matcher.group(1));
            long bytes = Math.multiplyExact(number, 1L << shift);
            if (bytes <= 0) {
                throw InvalidConfigurationException.invalidValue(source, key, value, MEMORY_FORM);
            }
            return bytes;
        } catch (NumberFormatException | ArithmeticException e) {
            throw InvalidConfigurationException.invalidValue(source, key, value, MEMORY_FORM);
        }
    }

    static long parsePids(String source, String value) throws InvalidConfigurationException {
        try {
            long pids = Long.parseLong(value.trim());
            if (pids > 0) {
                return pids;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        throw InvalidConfigurationException.invalidValue(source, PIDS, value, PIDS_FORM);
    }

    /** Returns the quota in microseconds per {@link #CPU_PERIOD_MICROS} for a number of CPUs. */
    static long parseCpu(String source, String value) throws InvalidConfigurationException {
        try {
            BigDecimal cpus = new BigDecimal(value.trim());
            if (cpus.compareTo(MIN_CPUS) >= 0) {
                // The kernel takes whole microseconds, so a finer fraction is rounded down.
                return cpus.multiply(BigDecimal.valueOf(CPU_PERIOD_MICROS)).setScale(0, RoundingMode.DOWN)
                        .longValueExact();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // Reported below with the accepted form: not a number or too large.
        }
        throw InvalidConfigurationException.invalidValue(source, CPU, value, CPU_FORM);
    }

    static long parseCpuWeight(String source, String value) throws InvalidConfigurationException {
        try {
            long weight = Long.parseLong(value.trim());
            if (weight >= 1 && weight <= MAX_CPU_WEIGHT) {
                return weight;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        throw InvalidConfigurationException.invalidValue(source, CPU_WEIGHT, value, CPU_WEIGHT_FORM);
    }

    /** Returns the rates of {@code limits.io.read} or {@code limits.io.write} by device, in the given order. */
    static Map<String, Long> parseDeviceRates(String source, String key, String value)
            throws InvalidConfigurationException {
        Map<String, Long> rates = new LinkedHashMap<>();
        for (String part : value.trim().split(",", -1)) {
            Matcher matcher = DEVICE_RATE.matcher(part.trim());
            if (!matcher.matches()) {
                throw InvalidConfigurationException.invalidValue(source, key, value, IO_FORM);
            }
            try {
                String device = Integer.parseInt(matcher.group(1)) + ":" + Integer.parseInt(matcher.group(2));
                long rate = Long.parseLong(matcher.group(3));
                if (rate <= 0 || rates.put(device, rate) != null) {
                    throw InvalidConfigurationException.invalidValue(source, key, value, IO_FORM);
                }
            } catch (NumberFormatException e) {
                throw InvalidConfigurationException.invalidValue(source, key, value, IO_FORM);
            }
        }
        return Collections.unmodifiableMap(rates);
    }

    static LaunchPlan.Rlimit parseRlimit(String source, String key, String value)
            throws InvalidConfigurationException {
        String name = key.substring(RLIMIT_PREFIX.length());
        RlimitResource resource = resource(name);
        if (resource == null) {
            throw InvalidConfigurationException.unknownKey(source, key, RLIMIT_PREFIX + "NAME with NAME one of "
                    + resourceNames() + " (the resources of setrlimit(2) without RLIMIT_)");
        }
        String[] parts = value.trim().split(":", -1);
        if (parts.length > 2) {
            throw InvalidConfigurationException.invalidValue(source, key, value, RLIMIT_FORM);
        }
        long soft = parseRlimitValue(source, key, value, parts[0]);
        long hard = parts.length == 2 ? parseRlimitValue(source, key, value, parts[1]) : soft;
        // -1 is unlimited, the largest value.
        boolean softAboveHard = hard != -1 && (soft == -1 || soft > hard);
        if (softAboveHard) {
            throw InvalidConfigurationException.invalidValue(source, key, value, RLIMIT_FORM);
        }
        return new LaunchPlan.Rlimit(resource.shortName(), soft, hard);
    }

    private static long parseRlimitValue(String source, String key, String value, String part)
            throws InvalidConfigurationException {
        if (part.equals(UNLIMITED)) {
            return -1;
        }
        try {
            long number = Long.parseLong(part);
            if (number >= 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        throw InvalidConfigurationException.invalidValue(source, key, value, RLIMIT_FORM);
    }

    /** Returns the resource with a lower-case name as setrlimit(2) has it without RLIMIT_, or null. */
    private static RlimitResource resource(String name) {
        for (RlimitResource resource : RlimitResource.values()) {
            if (resource.shortName().equals(name)) {
                return resource;
            }
        }
        return null;
    }

    private static String resourceNames() {
        List<String> names = new ArrayList<>();
        for (RlimitResource resource : RlimitResource.values()) {
            names.add(resource.shortName());
        }
        return String.join(", ", names);
    }
}
