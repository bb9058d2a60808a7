package io.vserver.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The locations of one guest's state. Elements use it to find what they made for the
 * guest, also when releasing the leftovers of a guest that died while the host was down.
 *
 * @param name the guest's name
 * @param xid the guest's context id
 * @param dataDirectory persistent state of the guest, {@code DATA/guests/NAME}: the overlay upper
 * @param runDirectory runtime state of the guest, {@code RUN/guests/NAME}: exit record, console log
 * @param cgroupPath the guest's cgroup, relative to each hierarchy's root, for example {@code vserver/web1}
 */
public record GuestRecord(String name, int xid, Path dataDirectory, Path runDirectory, String cgroupPath) {

    public GuestRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(runDirectory, "runDirectory");
        Objects.requireNonNull(cgroupPath, "cgroupPath");
    }
}
