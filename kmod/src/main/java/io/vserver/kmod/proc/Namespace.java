package io.vserver.kmod.proc;

/**
 * A namespace as the target of a {@code /proc/PID/ns/*} link names it, such as
 * {@code pid:[4026531836]}: its type and its inode number. Two processes share a namespace
 * exactly when type and inode are equal.
 *
 * @param type  the namespace type, such as {@code pid}, {@code mnt} or {@code net}
 * @param inode the inode number of the namespace on the nsfs file system
 */
public record Namespace(String type, long inode) {

    /**
     * Parses a link target of the form {@code TYPE:[INODE]}.
     *
     * @throws IllegalArgumentException naming the text when it has another form
     */
    public static Namespace parse(String linkTarget) {
        int colon = linkTarget.indexOf(":[");
        if (colon > 0 && linkTarget.endsWith("]")) {
            try {
                return new Namespace(linkTarget.substring(0, colon),
                        Long.parseLong(linkTarget.substring(colon + 2, linkTarget.length() - 1)));
            } catch (NumberFormatException e) {
                // Reported below with the expected form.
            }
        }
        throw new IllegalArgumentException("Invalid namespace link target \"" + linkTarget
                + "\": expected TYPE:[INODE], such as pid:[4026531836]");
    }

    /** Returns the link target form, such as {@code pid:[4026531836]}. */
    @Override
    public String toString() {
        return type + ":[" + inode + "]";
    }
}
