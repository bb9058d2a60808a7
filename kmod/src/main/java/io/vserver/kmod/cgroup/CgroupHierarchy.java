package io.vserver.kmod.cgroup;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mounted cgroup hierarchy.
 *
 * @param version     v1 or v2
 * @param mountPoint  where the hierarchy is mounted, resolved under the discovery's root prefix
 * @param controllers for v1, the controllers bound to it, such as {@code [cpu, cpuacct]} or
 *                    {@code [name=systemd]} for a named hierarchy; for v2, the controllers
 *                    listed in the root's {@code cgroup.controllers}, possibly none
 */
public record CgroupHierarchy(CgroupVersion version, Path mountPoint, Set<String> controllers) {

    public CgroupHierarchy {
        controllers = Set.copyOf(controllers);
    }

    /** Returns true if the controller is bound to (v1) or available in (v2) this hierarchy. */
    public boolean hasController(String controller) {
        return controllers.contains(controller);
    }

    /**
     * Returns a short name: the v1 controllers joined by commas ({@code cpu,cpuacct},
     * {@code name=systemd}), or {@code cgroup2} for v2.
     */
    public String name() {
        if (version == CgroupVersion.V2) {
            return "cgroup2";
        }
        return String.join(",", new TreeSet<>(controllers));
    }

    @Override
    public String toString() {
        return name() + " at " + mountPoint;
    }
}
