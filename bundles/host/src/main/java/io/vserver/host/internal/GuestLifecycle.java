package io.vserver.host.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStateException;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.VServerException;
import io.vserver.kmod.libc.ExitStatus;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.vcontext.ExitRecord;

/**
 * The state changes of a guest: start, stop, the end of a run and the restart policy. Every
 * method except {@link #runEnded} runs on the guest's executor.
 */
final class GuestLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GuestLifecycle.class);

    /** A run that lasted this long resets the restart backoff. */
    private static final Duration STABLE_RUN = Duration.ofSeconds(10);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** Resolves a guest's definition again, for automatic restarts. */
    interface Resolver {
        GuestResolver.Resolution resolve(Guest guest) throws InvalidConfigurationException;
    }

    /** Learns when a run has ended and everything of it was released. */
    interface RunListener {
        void runEnded(Guest guest);
    }

    private final HostSettings settings;
    private final GuestBoot boot;
    private final GuestStopper stopper;
    private final Supervisor supervisor;
    private final Resolver resolver;
    private final RunListener listener;
    private final ScheduledExecutorService restarts;

    GuestLifecycle(HostSettings settings, GuestBoot boot, GuestStopper stopper, Supervisor supervisor,
            Resolver resolver, RunListener listener) {
        this.settings = settings;
        this.boot = boot;
        this.stopper = stopper;
        this.supervisor = supervisor;
        this.resolver = resolver;
        this.listener = listener;
        this.restarts = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "vserver-restart-policy");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Boots a stopped or failed guest.
     *
     * @throws GuestStateException when the guest runs
     * @throws BootFailure when the boot failed; the guest is then FAILED and nothing of it runs
     */
    void start(Guest guest, GuestResolver.Resolution resolution) throws VServerException {
        GuestState state = guest.state();
        if (guest.run() != null) {
            throw new GuestStateException("guest " + guest.name() + " is " + state.name().toLowerCase()
                    + " already: stop it first, or use restart", state);
        }
        guest.state(GuestState.STARTING, null);
        GuestRun run;
        try {
            run = boot.boot(resolution);
        } catch (BootFailure failure) {
            guest.state(GuestState.FAILED, failure.reason());
            LOG.error("{}", failure.getMessage(), failure.getCause());
            throw failure;
        }
        guest.run(run);
        guest.state(GuestState.RUNNING, null);
        LOG.info("{} started: init pid {}, elements {}", resolution.spec().label(), run.init().pid(), run.elements());
        watch(guest, run);
    }

    /** Marks a guest that ran on while the host was down as running, and watches its init again. */
    void adopt(Guest guest, GuestRun run) {
        guest.run(run);
        guest.state(GuestState.RUNNING, null);
        LOG.info("{} re-adopted: init pid {} runs since {}", GuestStopper.label(run.record()), run.init().pid(),
                run.startedAt());
        watch(guest, run);
    }

    private void watch(Guest guest, GuestRun run) {
        if (run.pidfd() == null) {
            finishRun(guest, run);
            return;
        }
        try {
            run.watchId(supervisor.watch(run.pidfd(), () -> runEnded(guest, run)));
        } catch (SyscallException e) {
            LOG.error("{}: cannot watch init {}; its end will be noticed only by the next stop: {}",
                    GuestStopper.label(run.record()), run.init().pid(), e.getMessage());
        }
    }

    /** Hands the end of a run over to the guest's executor; called by the supervisor thread. */
    void runEnded(Guest guest, GuestRun run) {
        try {
            guest.executor().execute(() -> finishRun(guest, run));
        } catch (RejectedExecutionException e) {
            LOG.debug("guest {}: end of init {} not handled, the host is shutting down", guest.name(),
                    run.init().pid());
        }
    }

    /**
     * Sends the halt signal, waits up to {@code timeout} (the host's stop timeout when null),
     * kills what is left and releases the run.
     *
     * @throws GuestStateException when the guest does not run
     */
    void stop(Guest guest, Duration timeout) throws VServerException {
        GuestRun run = guest.run();
        if (run == null) {
            GuestState state = guest.state();
            throw new GuestStateException("guest " + guest.name() + " is not running (state " + state + ")", state);
        }
        run.requestStop();
        guest.state(GuestState.STOPPING, null);
        try {
            stopper.stop(run, timeout == null ? settings.stopTimeout() : timeout);
        } catch (VServerException e) {
            guest.state(GuestState.RUNNING, null);
            LOG.error("{}", e.getMessage(), e.getCause());
            throw e;
        }
        finishRun(guest, run);
    }

    /** Releases an ended run and sets the guest STOPPED or FAILED; does nothing when the run was finished before. */
    void finishRun(Guest guest, GuestRun run) {
        if (guest.run() != run) {
            return;
        }
        supervisor.unwatch(run.watchId());
        Optional<ExitRecord> exit = stopper.awaitExitRecord(run.record(), run.init(), run.monitor());
        stopper.release(run.record(), run.elements());
        try {
            RunStateFile.delete(run.record().runDirectory());
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the run state file: {}", GuestStopper.label(run.record()), e.getMessage());
        }
        run.close();
        guest.run(null);

        boolean failed = !run.stopRequested() && (exit.isEmpty() || !isCleanExit(exit.get().status()));
        if (failed) {
            FailureReason reason = new FailureReason(Code.INIT_FAILED, describeEnd(run, exit));
            guest.state(GuestState.FAILED, reason);
            LOG.warn("{}", reason.message());
        } else {
            guest.state(GuestState.STOPPED, null);
            LOG.info("{} stopped: {}", GuestStopper.label(run.record()), exit.map(e -> "init " + e.status())
                    .orElse("init ended"));
        }
        listener.runEnded(guest);
        if (!run.stopRequested()) {
            applyRestartPolicy(guest, run, failed);
        }
    }

    private static boolean isCleanExit(ExitStatus status) {
        return status.isExited() && status.exitCode() == 0;
    }

    private static String describeEnd(GuestRun run, Optional<ExitRecord> exit) {
        String label = GuestStopper.label(run.record());
        if (exit.isEmpty()) {
            return label + ": init " + run.init().pid() + " ended without a stop request, and its exit status is "
                    + "unknown: see " + run.record().runDirectory().resolve(PlanConverter.CONSOLE_FILE);
        }
        ExitStatus status = exit.get().status();
        String end = status.isExited() ? "exited with code " + status.exitCode() : "was killed by " + status.signal();
        return label + ": init " + run.init().pid() + " " + end + " without a stop request: see "
                + run.record().runDirectory().resolve(PlanConverter.CONSOLE_FILE);
    }

    private void applyRestartPolicy(Guest guest, GuestRun run, boolean failed) {
        RestartPolicy policy;
        try {
            policy = RestartPolicy.parse("guest " + guest.name(), run.spec().settings().get(GuestResolver.RESTART));
        } catch (InvalidConfigurationException e) {
            return;
        }
        if (policy == RestartPolicy.NO || (policy == RestartPolicy.ON_FAILURE && !failed) || !guest.defined()) {
            return;
        }
        if (Duration.between(run.startedAt(), Instant.now()).compareTo(STABLE_RUN) >= 0) {
            guest.resetFailures();
        }
        int attempt = guest.countFailure();
        long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 16));
        long operations = guest.operations();
        LOG.info("guest {}: restart policy {}: starting it again in {} ms (attempt {})", guest.name(),
                policy.value(), delay, attempt);
        try {
            restarts.schedule(() -> submit(guest, () -> restartAutomatically(guest, operations)), delay,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("guest {}: restart not scheduled, the host is shutting down", guest.name());
        }
    }

    private static void submit(Guest guest, Runnable task) {
        try {
            guest.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("guest {}: task not run, the guest was removed or the host is shutting down", guest.name());
        }
    }

    private void restartAutomatically(Guest guest, long operations) {
        // An operator's start, stop or restart since the run ended takes precedence.
        if (guest.operations() != operations || guest.run() != null || !guest.defined()) {
            return;
        }
        try {
            start(guest, resolver.resolve(guest));
        } catch (InvalidConfigurationException e) {
            guest.state(GuestState.FAILED, new FailureReason(Code.INVALID_CONFIGURATION, e.getMessage()));
            LOG.error("guest {}: automatic restart failed: {}", guest.name(), e.getMessage());
        } catch (VServerException e) {
            // start() has logged the failure and set the state.
        }
    }

    /** Cancels pending automatic restarts. */
    @Override
    public void close() {
        restarts.shutdownNow();
    }
}
