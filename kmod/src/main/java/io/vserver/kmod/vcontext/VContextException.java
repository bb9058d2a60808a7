package io.vserver.kmod.vcontext;

import io.vserver.kmod.internal.FlatJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A failure of the vcontext program: a step it reported with the object, errno and message of
 * its JSON error line, or a breach of its status protocol (it ended or stayed silent where a
 * status line was expected).
 *
 * <p>The message reads {@code STEP OBJECT: MESSAGE (ERRNAME)}, such as
 * {@code pivot_root /var/lib/vserver/web1/rootfs: Invalid argument (EINVAL)}. A protocol
 * failure has no errno, and its message has no name in parentheses. Lines vcontext wrote to
 * stderr that do not repeat the failure follow on further lines.
 */
public class VContextException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String step;
    private final String object;
    private final int errno;
    private final String errnoName;
    private final String reason;
    private final String stderr;

    /**
     * Creates the exception.
     *
     * @param step      what vcontext was doing, such as {@code pivot_root}, {@code parse} or
     *                  {@code abort}
     * @param object    what the step was applied to, such as a path; empty when there is none
     * @param errno     the errno, or 0 for a protocol failure
     * @param errnoName the symbolic errno name, such as {@code EINVAL}; empty when errno is 0
     * @param reason    vcontext's description, such as {@code Invalid argument}
     * @param stderr    what vcontext wrote to stderr, possibly empty
     */
    public VContextException(String step, String object, int errno, String errnoName, String reason,
            String stderr) {
        super(format(step, object, errnoName, reason, stderr));
        this.step = step;
        this.object = object == null ? "" : object;
        this.errno = errno;
        this.errnoName = errnoName == null ? "" : errnoName;
        this.reason = reason;
        this.stderr = stderr == null ? "" : stderr;
    }

    /**
     * Creates the exception of a status protocol failure, which has no errno.
     *
     * @param step   what the client was doing, such as {@code create}
     * @param object what it was done to, such as the guest
     * @param reason what went wrong, such as {@code no pid status line within 10000 ms}
     * @param stderr what vcontext wrote to stderr, possibly empty
     */
    static VContextException protocol(String step, String object, String reason, String stderr) {
        return new VContextException(step, object, 0, "", reason, stderr);
    }

    /**
     * Creates the exception of a JSON error line:
     * {@code {"event":"error","step":S,"object":O,"errno":N,"errname":E,"message":M}}.
     *
     * @throws IllegalArgumentException if a member is missing or has the wrong type
     */
    static VContextException fromStatusLine(Map<String, Object> line, String stderr) {
        return new VContextException(
                FlatJson.requireString(line, "step"),
                FlatJson.requireString(line, "object"),
                FlatJson.requireInt(line, "errno"),
                FlatJson.requireString(line, "errname"),
                FlatJson.requireString(line, "message"),
                stderr);
    }

    private static String format(String step, String object, String errnoName, String reason,
            String stderr) {
        StringBuilder message = new StringBuilder(step);
        if (object != null && !object.isEmpty()) {
            message.append(' ').append(object);
        }
        message.append(": ").append(reason);
        if (errnoName != null && !errnoName.isEmpty()) {
            message.append(" (").append(errnoName).append(')');
        }
        String failureLine = "vcontext: " + message;
        for (String line : otherLines(stderr, failureLine)) {
            message.append('\n').append(line);
        }
        return message.toString();
    }

    /** Returns the non-blank lines of stderr other than vcontext's own text of this failure. */
    private static List<String> otherLines(String stderr, String failureLine) {
        List<String> lines = new ArrayList<>();
        if (stderr == null) {
            return lines;
        }
        for (String line : stderr.split("\n")) {
            if (!line.isBlank() && !line.equals(failureLine)) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Returns the step that failed, such as {@code pivot_root}. */
    public String step() {
        return step;
    }

    /** Returns the object of the step, such as a path; empty when there is none. */
    public String object() {
        return object;
    }

    /** Returns the errno, or 0 for a protocol failure. */
    public int errno() {
        return errno;
    }

    /** Returns the symbolic errno name, such as {@code EINVAL}; empty for a protocol failure. */
    public String errnoName() {
        return errnoName;
    }

    /** Returns vcontext's description of the failure, such as {@code Invalid argument}. */
    public String reason() {
        return reason;
    }

    /** Returns everything vcontext wrote to stderr, possibly empty. */
    public String stderr() {
        return stderr;
    }
}
