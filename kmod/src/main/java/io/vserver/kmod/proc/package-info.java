/**
 * Readers of the proc file system: process status, namespaces, cgroup membership, mounts,
 * and the pid plus start time that identify a process across pid reuse.
 */
@Version("1.0.0")
package io.vserver.kmod.proc;

import org.osgi.annotation.versioning.Version;
