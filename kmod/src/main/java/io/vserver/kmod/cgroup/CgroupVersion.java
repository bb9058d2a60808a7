package io.vserver.kmod.cgroup;

/** The two cgroup interfaces of Linux. */
public enum CgroupVersion {
    /**
     * cgroup v1: one hierarchy per controller or group of controllers, file system
     * {@code cgroup}.
     */
    V1,
    /** cgroup v2: the single unified hierarchy, file system {@code cgroup2}. */
    V2
}
