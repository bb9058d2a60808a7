package io.vserver.kmod.internal;

import java.time.Duration;

/** A point in time, measured with {@link System#nanoTime()}, by which an operation must end. */
public final class Deadline {

    private final long deadlineNanos;

    private Deadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** Returns the deadline that lies {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    /** Returns the earlier of this deadline and the one that lies {@code timeout} from now. */
    public Deadline atMost(Duration timeout) {
        Deadline other = after(timeout);
        return other.deadlineNanos - deadlineNanos < 0 ? other : this;
    }

    /** Returns true once the deadline has passed. */
    public boolean hasPassed() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /**
     * Returns the milliseconds left, rounded up so that a wait does not end before the deadline,
     * and capped to fit the {@code int} timeout of {@code poll(2)} and {@code epoll_wait(2)}.
     */
    public int remainingMillis() {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            return 0;
        }
        return (int) Math.min((remainingNanos + 999_999) / 1_000_000, Integer.MAX_VALUE);
    }
}
