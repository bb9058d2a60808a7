package io.vserver.host.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.vserver.api.GuestRecord;

/**
 * The host's directories, programs and timeouts that the guest lifecycle needs.
 *
 * @param dataDirectory persistent state; guest NAME keeps its overlay upper in {@code DATA/guests/NAME}
 * @param runDirectory runtime state; guest NAME keeps its run files in {@code RUN/guests/NAME}
 * @param vcontextProgram the vcontext program that creates and enters guests
 * @param stopTimeout how long a stop waits for init after the halt signal
 * @param cgroupParent the parent cgroup of every guest, relative to each hierarchy's root
 */
record HostSettings(Path dataDirectory, Path runDirectory, Path vcontextProgram, Duration stopTimeout,
        String cgroupParent) {

    HostSettings {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(runDirectory, "runDirectory");
        Objects.requireNonNull(vcontextProgram, "vcontextProgram");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        checkCgroupParent(cgroupParent);
    }

    /**
     * Checks a cgroup parent path such as {@code vserver} or {@code vserver-test-1234}.
     *
     * @throws IllegalArgumentException naming the value and the accepted form
     */
    static String checkCgroupParent(String parent) {
        if (parent == null || !parent.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*") || parent.contains("..")) {
            throw new IllegalArgumentException("io.vserver.host: invalid cgroupParent '" + parent
                    + "': expected a relative cgroup path such as vserver, of letters, digits, '.', '_' and '-'");
        }
        return parent;
    }

    /** Returns where guest {@code name} with context {@code xid} keeps its state. */
    GuestRecord record(String name, int xid) {
        return new GuestRecord(name, xid, dataDirectory.resolve("guests").resolve(name),
                runDirectory.resolve("guests").resolve(name), cgroupParent + "/" + name);
    }
}
