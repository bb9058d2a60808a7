package io.vserver.kmod.proc;

import java.util.List;

/**
 * One line of {@code /proc/PID/cgroup}: the cgroup a process belongs to in one hierarchy.
 *
 * @param hierarchyId the hierarchy id; 0 for the cgroup v2 hierarchy
 * @param controllers the controllers bound to a v1 hierarchy, such as {@code [cpu, cpuacct]} or
 *                    {@code [name=systemd]}; empty for v2
 * @param path        the cgroup path relative to the hierarchy root, such as
 *                    {@code /vserver/web1}
 */
public record CgroupMembership(int hierarchyId, List<String> controllers, String path) {

    public CgroupMembership {
        controllers = List.copyOf(controllers);
    }

    /** Returns true for the cgroup v2 line ({@code 0::PATH}). */
    public boolean isUnified() {
        return hierarchyId == 0 && controllers.isEmpty();
    }

    /**
     * Parses one line of the form {@code ID:CONTROLLERS:PATH}.
     *
     * @throws IllegalArgumentException naming the line when it has another form
     */
    public static CgroupMembership parse(String line) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (first > 0 && second > first) {
            try {
                String controllers = line.substring(first + 1, second);
                return new CgroupMembership(Integer.parseInt(line.substring(0, first)),
                        controllers.isEmpty() ? List.of() : List.of(controllers.split(",")),
                        line.substring(second + 1));
            } catch (NumberFormatException e) {
                // Reported below with the expected form.
            }
        }
        throw new IllegalArgumentException("Invalid cgroup membership line \"" + line
                + "\": expected ID:CONTROLLERS:PATH, such as 4:memory:/vserver/web1");
    }
}
