package io.vserver.api;

/**
 * The outcome for one changed key when a running guest's configuration changed.
 */
public enum UpdateOutcome {
    /** The kernel state of the running guest now matches the new value. */
    APPLIED,
    /** The new value is stored and takes effect at the next start. */
    NEEDS_RESTART,
    /** The change was applied and then undone, because another key of the same change failed. */
    ROLLED_BACK
}
