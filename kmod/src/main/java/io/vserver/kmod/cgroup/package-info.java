/**
 * A cgroup driver for v1, v2 and hybrid hosts: hierarchies discovered from mountinfo
 * ({@link io.vserver.kmod.cgroup.CgroupHierarchies}) and one logical group across all of them
 * ({@link io.vserver.kmod.cgroup.Cgroup}).
 */
@Version("1.0.0")
package io.vserver.kmod.cgroup;

import org.osgi.annotation.versioning.Version;
