package io.vserver.api;

import java.util.Objects;

/**
 * A guest whose init runs.
 *
 * @param record where the guest's state is kept
 * @param spec the configuration the guest was started with
 * @param initPid the host pid of the guest's init
 * @param initStartTime the init's start time in clock ticks after boot (field 22 of
 *     /proc/PID/stat), which tells a live init from a reused pid
 */
public record RunningGuest(GuestRecord record, GuestSpec spec, int initPid, long initStartTime) {

    public RunningGuest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(spec, "spec");
    }
}
