package io.vserver.kmod.vcontext;

import java.nio.file.Path;

/** Checks of the paths a request passes to vcontext. */
final class GuestPaths {

    private GuestPaths() {
    }

    /**
     * Checks a path inside the guest, such as a bind target: absolute, and without NUL.
     *
     * @param purpose what the path is for, such as {@code bind target}, for the message
     */
    static String checkGuestPath(String path, String purpose) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid " + purpose + " \"" + path
                    + "\": expected an absolute path inside the guest, such as /srv/data");
        }
        return path;
    }

    /**
     * Checks a path that ends up in a {@code SOURCE:TARGET} style vcontext option or in the
     * {@code lowerdir=A:B} option of overlayfs, where a colon would be taken for a separator.
     */
    static String checkNoColon(String path, String purpose) {
        if (path.indexOf(':') >= 0) {
            throw new IllegalArgumentException("Invalid " + purpose + " \"" + path
                    + "\": the path must not contain ':', because vcontext or overlayfs would "
                    + "take it for a separator");
        }
        return path;
    }

    /** Returns a host path made absolute against the JVM's working directory. */
    static Path absolute(Path path, String purpose) {
        if (path == null) {
            throw new IllegalArgumentException("Missing " + purpose);
        }
        if (path.toString().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid " + purpose + " \"" + path + "\": contains NUL");
        }
        return path.toAbsolutePath();
    }
}
