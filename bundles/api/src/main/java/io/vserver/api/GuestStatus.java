package io.vserver.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one guest for {@code vserver:list} and {@code vserver:status}.
 *
 * @param name the guest's name
 * @param xid the guest's context id
 * @param state the lifecycle state
 * @param initPid the host pid of the guest's init, 0 when it is not running
 * @param startedAt when the running init started, null when it is not running
 * @param image the {@code image} setting, for example {@code host} or {@code dir:/srv/rootfs}
 * @param network the network mode: {@code none}, {@code bind}, {@code isolated} or {@code host}
 * @param addresses the guest's network addresses, empty when it has none of its own
 * @param elements the elements applied to the running guest (or that the guest needs)
 * @param flags warnings an operator must see, for example {@code privileged} or {@code seccomp=unconfined}
 * @param failure why the last start or run failed, null when it did not
 */
public record GuestStatus(String name, int xid, GuestState state, int initPid, Instant startedAt, String image,
        String network, List<String> addresses, List<String> elements, List<String> flags, FailureReason failure) {

    public GuestStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(network, "network");
        addresses = List.copyOf(addresses);
        elements = List.copyOf(elements);
        flags = List.copyOf(flags);
    }
}
