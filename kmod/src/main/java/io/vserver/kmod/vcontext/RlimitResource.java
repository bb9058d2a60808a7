package io.vserver.kmod.vcontext;

import io.vserver.kmod.libc.LibC;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The resources of {@code setrlimit(2)}, with the kernel's numbers and the lower-case names
 * vcontext's {@code --rlimit NAME=SOFT[:HARD]} takes.
 */
public enum RlimitResource {
    AS(LibC.SysResource.RLIMIT_AS),
    CORE(LibC.SysResource.RLIMIT_CORE),
    CPU(LibC.SysResource.RLIMIT_CPU),
    DATA(LibC.SysResource.RLIMIT_DATA),
    FSIZE(LibC.SysResource.RLIMIT_FSIZE),
    LOCKS(LibC.SysResource.RLIMIT_LOCKS),
    MEMLOCK(LibC.SysResource.RLIMIT_MEMLOCK),
    MSGQUEUE(LibC.SysResource.RLIMIT_MSGQUEUE),
    NICE(LibC.SysResource.RLIMIT_NICE),
    NOFILE(LibC.SysResource.RLIMIT_NOFILE),
    NPROC(LibC.SysResource.RLIMIT_NPROC),
    RSS(LibC.SysResource.RLIMIT_RSS),
    RTPRIO(LibC.SysResource.RLIMIT_RTPRIO),
    RTTIME(LibC.SysResource.RLIMIT_RTTIME),
    SIGPENDING(LibC.SysResource.RLIMIT_SIGPENDING),
    STACK(LibC.SysResource.RLIMIT_STACK);

    private final int number;

    RlimitResource(int number) {
        this.number = number;
    }

    /** Returns the kernel's resource number, such as 7 for {@code RLIMIT_NOFILE}. */
    public int number() {
        return number;
    }

    /** Returns the lower-case name without {@code RLIMIT_}, such as {@code nofile}. */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a resource name in any case, with or without the {@code RLIMIT_} prefix:
     * {@code nofile}, {@code NOFILE} and {@code RLIMIT_NOFILE} are the same.
     *
     * @throws IllegalArgumentException naming the text and the accepted names when it is not a
     *                                  resource of setrlimit(2)
     */
    public static RlimitResource parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("RLIMIT_")) {
            name = name.substring("RLIMIT_".length());
        }
        for (RlimitResource resource : values()) {
            if (resource.name().equals(name)) {
                return resource;
            }
        }
        throw new IllegalArgumentException("Unknown resource limit \"" + text + "\": expected one of "
                + Arrays.stream(values()).map(RlimitResource::shortName).collect(Collectors.joining(", "))
                + " (the resources of setrlimit(2))");
    }
}
