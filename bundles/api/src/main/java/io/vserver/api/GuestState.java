package io.vserver.api;

/**
 * Lifecycle state of a guest as the host VM sees it.
 */
public enum GuestState {
    /** Defined, not running, and its last run (if any) ended as requested. */
    STOPPED,
    /** The host is preparing the elements and launching the guest's init. */
    STARTING,
    /** The guest's init runs. */
    RUNNING,
    /** The host sent the halt signal and waits for init to exit. */
    STOPPING,
    /** The last start failed, or init ended without a stop request; the status gives the reason. */
    FAILED
}
