package io.vserver.capabilities.internal;

import static io.vserver.kmod.caps.Capability.CAP_AUDIT_WRITE;
import static io.vserver.kmod.caps.Capability.CAP_CHOWN;
import static io.vserver.kmod.caps.Capability.CAP_DAC_OVERRIDE;
import static io.vserver.kmod.caps.Capability.CAP_DAC_READ_SEARCH;
import static io.vserver.kmod.caps.Capability.CAP_FOWNER;
import static io.vserver.kmod.caps.Capability.CAP_FSETID;
import static io.vserver.kmod.caps.Capability.CAP_KILL;
import static io.vserver.kmod.caps.Capability.CAP_LEASE;
import static io.vserver.kmod.caps.Capability.CAP_MKNOD;
import static io.vserver.kmod.caps.Capability.CAP_NET_BIND_SERVICE;
import static io.vserver.kmod.caps.Capability.CAP_NET_RAW;
import static io.vserver.kmod.caps.Capability.CAP_SETFCAP;
import static io.vserver.kmod.caps.Capability.CAP_SETGID;
import static io.vserver.kmod.caps.Capability.CAP_SETPCAP;
import static io.vserver.kmod.caps.Capability.CAP_SETUID;
import static io.vserver.kmod.caps.Capability.CAP_SYS_BOOT;
import static io.vserver.kmod.caps.Capability.CAP_SYS_CHROOT;
import static io.vserver.kmod.caps.Capability.CAP_SYS_PTRACE;
import static io.vserver.kmod.caps.Capability.CAP_SYS_TTY_CONFIG;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.proc.ProcFs;

import org.slf4j.LoggerFactory;

/**
 * The named starting sets of {@code capabilities.profile}, which {@code capabilities.add} and
 * {@code capabilities.drop} then adjust.
 */
enum CapabilityProfile {

    /**
     * The set Docker grants a container by default: {@code DefaultCapabilities()} in moby's
     * {@code oci/caps/defaults.go}. NET_RAW is kept as there, so that ping works, and
     * {@code capabilities.drop=net_raw} removes it.
     */
    DEFAULT(CapabilitySet.of(CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
            CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
            CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE)),

    /** No capability at all: guest root is an ordinary user towards the kernel. */
    MINIMAL(CapabilitySet.empty()),

    /**
     * util-vserver's default guest bounding set ("The default bcaps are" on the Linux-VServer
     * wiki page util-vserver:Capabilities_and_Flags). util-vserver's own configuration
     * reference lists the {@code bcapabilities} file without its default. SYS_BOOT is safe
     * here because reboot(2) in a child pid namespace only ends that namespace's init.
     *
     * <p>NOTE: SETPCAP, LINUX_IMMUTABLE, NET_BROADCAST, NET_RAW, IPC_LOCK and IPC_OWNER are
     * left out because that list does not have them. The list was not checked against the
     * default of the Linux-VServer kernel patch itself.
     */
    CLASSIC(CapabilitySet.of(CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
            CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
            CAP_SYS_PTRACE, CAP_SYS_BOOT, CAP_SYS_TTY_CONFIG, CAP_LEASE, CAP_AUDIT_WRITE)),

    /**
     * Every capability this version names that the host VM itself holds in its bounding set:
     * a process cannot grant what it lacks, so on a host whose bounding set misses one (some
     * container and VM sandboxes drop CAP_SYS_RESOURCE) the guest gets the rest. Guest root
     * can then reach host-wide state (load modules, mount, change the clock), so a guest with
     * it gets the status flag {@code privileged}.
     */
    PRIVILEGED(CapabilitySet.allKnown().intersect(hostBoundingSet()));

    private final CapabilitySet capabilities;

    CapabilityProfile(CapabilitySet capabilities) {
        this.capabilities = capabilities;
    }

    /** Returns the bounding set of the running JVM, or every named capability when /proc cannot be read. */
    private static CapabilitySet hostBoundingSet() {
        try {
            return ProcFs.system().status((int) ProcessHandle.current().pid()).capBnd();
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(CapabilityProfile.class).warn(
                    "Cannot read the host VM's bounding set from /proc/self/status; the privileged profile "
                    + "names every capability, and vcontext rejects those the host lacks", e);
            return CapabilitySet.allKnown();
        }
    }

    /** Returns the capabilities of the profile. */
    CapabilitySet capabilities() {
        return capabilities;
    }

    /** Returns the name used in {@code capabilities.profile}, such as {@code classic}. */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns the profile with a {@code capabilities.profile} value, in any case. */
    static Optional<CapabilityProfile> find(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(profile -> profile.name().equals(name)).findFirst();
    }

    /** Returns the accepted values, for messages: {@code default, minimal, classic or privileged}. */
    static String acceptedValues() {
        String all = Arrays.stream(values()).map(CapabilityProfile::key).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
