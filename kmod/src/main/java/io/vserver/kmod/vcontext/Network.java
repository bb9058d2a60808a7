package io.vserver.kmod.vcontext;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** The network namespace of a guest ({@code --net new|host|PATH}). */
public final class Network {

    /** The source of the guest's network namespace. */
    public enum Mode {
        /** A new namespace with only the loopback interface, which vcontext brings up. */
        NEW,
        /** The namespace of the vcontext process: the host's stack, shared. */
        HOST,
        /** An existing namespace, joined through a file such as {@code /run/netns/web1}. */
        JOIN
    }

    private static final Network NEW = new Network(Mode.NEW, null);
    private static final Network HOST = new Network(Mode.HOST, null);

    private final Mode mode;
    private final Path namespaceFile;

    private Network(Mode mode, Path namespaceFile) {
        this.mode = mode;
        this.namespaceFile = namespaceFile;
    }

    /** Returns a new network namespace with only loopback, vcontext's default. */
    public static Network newNamespace() {
        return NEW;
    }

    /** Returns the host's network namespace. */
    public static Network host() {
        return HOST;
    }

    /**
     * Returns an existing namespace to join.
     *
     * @param namespaceFile a netns file such as {@code /run/netns/web1} or
     *                      {@code /proc/PID/ns/net}; made absolute
     */
    public static Network join(Path namespaceFile) {
        return new Network(Mode.JOIN, GuestPaths.absolute(namespaceFile, "network namespace file"));
    }

    /** Returns the mode. */
    public Mode mode() {
        return mode;
    }

    /** Returns the namespace file of {@link Mode#JOIN}, else empty. */
    public Optional<Path> namespaceFile() {
        return Optional.ofNullable(namespaceFile);
    }

    /** Returns the argument of {@code --net}: {@code new}, {@code host} or the file's path. */
    public String toArgument() {
        switch (mode) {
            case NEW:
                return "new";
            case HOST:
                return "host";
            default:
                return namespaceFile.toString();
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Network && ((Network) other).mode == mode
                && Objects.equals(((Network) other).namespaceFile, namespaceFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, namespaceFile);
    }

    @Override
    public String toString() {
        return "network " + toArgument();
    }
}
