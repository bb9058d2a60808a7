package io.vserver.kmod.cgroup;

import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.MountInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The cgroup hierarchies mounted on the host, discovered from a mountinfo file: any mix of v1
 * hierarchies and the v2 hierarchy, so that the same driver runs on legacy (v1 only), hybrid
 * (v1 controllers plus a v2 hierarchy, often at {@code /sys/fs/cgroup/unified}) and unified
 * (v2 only) hosts.
 */
public final class CgroupHierarchies {

    /** Combination of v1 and v2 hierarchies, in the terms systemd uses. */
    public enum Layout {
        /** No cgroup hierarchy is mounted. */
        NONE,
        /** Only cgroup v1 hierarchies. */
        LEGACY,
        /** cgroup v1 hierarchies for the controllers, plus a v2 hierarchy. */
        HYBRID,
        /** Only the cgroup v2 hierarchy. */
        UNIFIED
    }

    /** Options of a v1 {@code cgroup} mount that are not controller names. */
    private static final Set<String> V1_NON_CONTROLLER_OPTIONS = Set.of(
            "rw", "ro", "none", "noprefix", "clone_children", "xattr", "cpuset_v2_mode",
            "favordynmods", "nofavordynmods");

    private final List<CgroupHierarchy> legacy;
    private final CgroupHierarchy unified;
    private final CgroupFiles files;

    private CgroupHierarchies(List<CgroupHierarchy> legacy, CgroupHierarchy unified,
            CgroupFiles files) {
        this.legacy = List.copyOf(legacy);
        this.unified = unified;
        this.files = files;
    }

    /**
     * Discovers the hierarchies mounted in this process's mount namespace, from
     * {@code /proc/self/mountinfo}.
     */
    public static CgroupHierarchies discover() throws SyscallException {
        return discover(Path.of("/proc/self/mountinfo"), Path.of("/"));
    }

    /**
     * Discovers the hierarchies listed in a mountinfo file, with every mount point resolved under
     * {@code rootPrefix}: with prefix {@code /tmp/x}, a hierarchy mounted on
     * {@code /sys/fs/cgroup} is used at {@code /tmp/x/sys/fs/cgroup}. Tests use this to run the
     * driver on a directory tree laid out like cgroupfs.
     */
    public static CgroupHierarchies discover(Path mountinfo, Path rootPrefix)
            throws SyscallException {
        return discover(mountinfo, rootPrefix, CgroupFiles.KERNEL);
    }

    static CgroupHierarchies discover(Path mountinfo, Path rootPrefix, CgroupFiles files)
            throws SyscallException {
        Map<Set<String>, MountEntry> legacyMounts = new LinkedHashMap<>();
        MountEntry unifiedMount = null;
        for (MountEntry entry : MountInfo.read(mountinfo)) {
            if (entry.fileSystemType().equals("cgroup2")) {
                if (unifiedMount == null || isPreferred(entry, unifiedMount)) {
                    unifiedMount = entry;
                }
            } else if (entry.fileSystemType().equals("cgroup")) {
                Set<String> controllers = v1Controllers(entry);
                MountEntry known = legacyMounts.get(controllers);
                if (!controllers.isEmpty() && (known == null || isPreferred(entry, known))) {
                    legacyMounts.put(controllers, entry);
                }
            }
        }
        List<CgroupHierarchy> legacy = new ArrayList<>();
        legacyMounts.forEach((controllers, entry) -> legacy.add(new CgroupHierarchy(
                CgroupVersion.V1, resolve(rootPrefix, entry.mountPoint()), controllers)));
        CgroupHierarchy unified = null;
        if (unifiedMount != null) {
            Path mountPoint = resolve(rootPrefix, unifiedMount.mountPoint());
            unified = new CgroupHierarchy(CgroupVersion.V2, mountPoint,
                    v2Controllers(mountPoint, files));
        }
        return new CgroupHierarchies(legacy, unified, files);
    }

    /**
     * Returns true if a later mount of the same hierarchy should replace an earlier one: when it
     * shows the whole hierarchy (root {@code /}) and the earlier one shows a subtree, as a bind
     * mount or a container's view does.
     */
    private static boolean isPreferred(MountEntry candidate, MountEntry known) {
        return candidate.root().equals("/") && !known.root().equals("/");
    }

    private static Set<String> v1Controllers(MountEntry entry) {
        Set<String> controllers = new TreeSet<>();
        for (String option : entry.superOptions()) {
            boolean isSetting = option.contains("=") && !option.startsWith("name=");
            if (!isSetting && !V1_NON_CONTROLLER_OPTIONS.contains(option)) {
                controllers.add(option);
            }
        }
        return controllers;
    }

    private static Set<String> v2Controllers(Path mountPoint, CgroupFiles files)
            throws SyscallException {
        String text;
        try {
            text = files.read(mountPoint.resolve("cgroup.controllers"));
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) {
                return Set.of();
            }
            throw e;
        }
        return words(text);
    }

    /** Splits a space-separated cgroup file such as {@code cgroup.controllers} into words. */
    static Set<String> words(String text) {
        Set<String> words = new TreeSet<>();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    private static Path resolve(Path rootPrefix, String mountPoint) {
        String relative = mountPoint.startsWith("/") ? mountPoint.substring(1) : mountPoint;
        return rootPrefix.resolve(relative);
    }

    /** Returns every hierarchy: the v1 hierarchies in mount order, then the v2 hierarchy. */
    public List<CgroupHierarchy> all() {
        List<CgroupHierarchy> all = new ArrayList<>(legacy);
        if (unified != null) {
            all.add(unified);
        }
        return all;
    }

    /** Returns the v1 hierarchies in mount order. */
    public List<CgroupHierarchy> legacy() {
        return legacy;
    }

    /** Returns the v2 hierarchy, if one is mounted. */
    public Optional<CgroupHierarchy> unified() {
        return Optional.ofNullable(unified);
    }

    /** Returns how v1 and v2 hierarchies are combined. */
    public Layout layout() {
        if (legacy.isEmpty()) {
            return unified == null ? Layout.NONE : Layout.UNIFIED;
        }
        return unified == null ? Layout.LEGACY : Layout.HYBRID;
    }

    /**
     * Returns the hierarchy that manages a controller: the v1 hierarchy it is bound to, else the
     * v2 hierarchy when its root lists the controller in {@code cgroup.controllers}.
     *
     * @param controller a controller such as {@code memory}, or {@code name=systemd}
     */
    public Optional<CgroupHierarchy> forController(String controller) {
        for (CgroupHierarchy hierarchy : legacy) {
            if (hierarchy.hasController(controller)) {
                return Optional.of(hierarchy);
            }
        }
        if (unified != null && unified.hasController(controller)) {
            return Optional.of(unified);
        }
        return Optional.empty();
    }

    /**
     * Returns the handle of one logical cgroup in every hierarchy, such as {@code vserver/web1}.
     * Nothing is created until {@link Cgroup#create()}.
     *
     * @param relativePath the path below each hierarchy's mount point, with segments separated
     *                     by {@code /}; no segment may be empty, {@code .} or {@code ..}
     */
    public Cgroup group(String relativePath) {
        return new Cgroup(this, relativePath);
    }

    CgroupFiles files() {
        return files;
    }

    /** Describes the mounted hierarchies for messages, such as {@code cpu (v1), cgroup2 (v2)}. */
    String describe() {
        if (layout() == Layout.NONE) {
            return "no cgroup hierarchy is mounted";
        }
        return all().stream()
                .map(hierarchy -> hierarchy.name() + " ("
                        + hierarchy.version().name().toLowerCase(Locale.ROOT) + ")")
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return layout() + " cgroup layout: " + all();
    }
}
