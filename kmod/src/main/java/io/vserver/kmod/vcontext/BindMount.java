package io.vserver.kmod.vcontext;

import java.nio.file.Path;

/**
 * A host directory or file bind-mounted into the guest ({@code --bind SOURCE:TARGET[:ro]}).
 *
 * @param source   the host path, made absolute
 * @param target   the absolute path inside the guest; vcontext creates it when missing
 * @param readOnly whether the mount and its submounts are read-only
 */
public record BindMount(Path source, String target, boolean readOnly) {

    /** Checks the paths; neither may contain ':', the separator of the vcontext option. */
    public BindMount {
        source = GuestPaths.absolute(source, "bind source");
        GuestPaths.checkNoColon(source.toString(), "bind source");
        GuestPaths.checkGuestPath(target, "bind target");
        GuestPaths.checkNoColon(target, "bind target");
    }

    /** Returns the argument of {@code --bind}, such as {@code /srv/web1:/srv:ro}. */
    public String toArgument() {
        return source + ":" + target + (readOnly ? ":ro" : "");
    }
}
