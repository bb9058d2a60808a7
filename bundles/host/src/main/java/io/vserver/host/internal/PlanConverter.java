package io.vserver.host.internal;

import java.nio.file.Path;
import java.util.Set;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.vcontext.CapabilitySetType;
import io.vserver.kmod.vcontext.CreateRequest;
import io.vserver.kmod.vcontext.Network;
import io.vserver.kmod.vcontext.ResourceLimit;
import io.vserver.kmod.vcontext.RlimitResource;
import io.vserver.kmod.vcontext.Seccomp;
import io.vserver.kmod.vcontext.TmpfsMount;

/** Turns the launch plan the elements filled in into the request of {@code vcontext create}. */
final class PlanConverter {

    /** The guest's console log inside its run directory. */
    static final String CONSOLE_FILE = "console.log";

    private PlanConverter() {
    }

    /**
     * Builds the request.
     *
     * @throws IllegalArgumentException when the plan has a value vcontext cannot take, such as
     *     an unknown capability, rlimit name or seccomp mode
     */
    static CreateRequest toRequest(GuestSpec spec, GuestRecord record, LaunchPlan plan) {
        CreateRequest.Builder builder = CreateRequest.builder(plan.root()).name(spec.name());
        for (Path lower : plan.lowerDirectories()) {
            builder.lower(lower);
        }
        if (plan.upperDirectory() != null) {
            builder.upper(plan.upperDirectory(), plan.workDirectory());
        }
        for (LaunchPlan.Bind bind : plan.binds()) {
            builder.bind(bind.source(), bind.target(), bind.readOnly());
        }
        for (LaunchPlan.Tmpfs tmpfs : plan.tmpfsMounts()) {
            builder.tmpfs(new TmpfsMount(tmpfs.target(), tmpfs.sizeBytes()));
        }
        builder.shmSize(plan.shmSizeBytes());

        if (plan.hostname() != null) {
            builder.hostname(plan.hostname());
        }
        builder.network(network(plan));
        for (Path directory : plan.cgroupDirectories()) {
            builder.cgroup(directory);
        }

        for (LaunchPlan.CapabilitySetKind kind : LaunchPlan.CapabilitySetKind.values()) {
            Set<String> names = plan.capabilities(kind);
            if (names != null) {
                builder.capabilities(CapabilitySetType.valueOf(kind.name()), CapabilitySet.parse(String.join(",", names)));
            }
        }
        builder.noNewPrivileges(plan.noNewPrivileges());
        builder.seccomp(Seccomp.parse(plan.seccomp()));
        for (LaunchPlan.Rlimit rlimit : plan.rlimits()) {
            builder.rlimit(new ResourceLimit(RlimitResource.parse(rlimit.name()), limit(rlimit.soft()),
                    limit(rlimit.hard())));
        }

        builder.env(plan.environment());
        builder.reaper(plan.reaper());
        builder.runDirectory(record.runDirectory());
        builder.consoleFile(record.runDirectory().resolve(CONSOLE_FILE));
        builder.init(plan.init());
        return builder.build();
    }

    private static Network network(LaunchPlan plan) {
        return switch (plan.network()) {
            case HOST -> Network.host();
            case JOIN -> Network.join(plan.networkNamespacePath());
            case NEW -> Network.newNamespace();
        };
    }

    private static long limit(long value) {
        return value < 0 ? ResourceLimit.UNLIMITED : value;
    }
}
