package io.vserver.host.internal;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestState;

/**
 * One defined guest: its definition and its lifecycle state. Every change of the state runs
 * on the guest's own single-thread executor, so the operations of one guest run one after the
 * other in the order they were requested. Readers synchronize on the guest.
 */
final class Guest {

    private final String name;
    private final ThreadPoolExecutor executor;

    private Map<String, String> definition;
    private boolean defined = true;
    private int xid;
    private GuestState state = GuestState.STOPPED;
    private FailureReason failure;
    private GuestRun run;
    private int consecutiveFailures;
    private long operations;

    Guest(String name, Map<String, String> definition, int xid) {
        this.name = name;
        this.definition = Map.copyOf(definition);
        this.xid = xid;
        // One thread at most, which ends when the guest has been idle for a while, so that
        // thousands of defined guests do not hold thousands of threads.
        this.executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "vserver-guest-" + name);
                    thread.setDaemon(true);
                    return thread;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    String name() {
        return name;
    }

    ExecutorService executor() {
        return executor;
    }

    synchronized Map<String, String> definition() {
        return definition;
    }

    synchronized void definition(Map<String, String> keys) {
        this.definition = Map.copyOf(keys);
    }

    /** Returns false once the definition was deleted while the guest still ran. */
    synchronized boolean defined() {
        return defined;
    }

    synchronized void undefine() {
        this.defined = false;
    }

    /** Returns the context id: the {@code context} key, the allocated one, or 0 when the key is invalid. */
    synchronized int xid() {
        return xid;
    }

    synchronized void xid(int value) {
        this.xid = value;
    }

    synchronized GuestState state() {
        return state;
    }

    synchronized FailureReason failure() {
        return failure;
    }

    synchronized GuestRun run() {
        return run;
    }

    /** Sets the state and the failure reason (null to clear it) together. */
    synchronized void state(GuestState newState, FailureReason reason) {
        this.state = newState;
        this.failure = reason;
    }

    synchronized void failure(FailureReason reason) {
        this.failure = reason;
    }

    synchronized void run(GuestRun newRun) {
        this.run = newRun;
    }

    /** Counts a failed run and returns how many failed in a row. */
    synchronized int countFailure() {
        return ++consecutiveFailures;
    }

    synchronized void resetFailures() {
        this.consecutiveFailures = 0;
    }

    /** Returns a counter that each operator operation increases, so a pending automatic restart can tell it is stale. */
    synchronized long operations() {
        return operations;
    }

    synchronized long countOperation() {
        return ++operations;
    }
}
