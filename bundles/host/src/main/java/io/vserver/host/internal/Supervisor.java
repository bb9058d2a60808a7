package io.vserver.host.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.kmod.libc.Epoll;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.SyscallException;

/**
 * Watches the init of every running guest with one thread: each init's pidfd is in one epoll
 * set, and becomes readable when the init exits. The supervisor then removes the pidfd from
 * the set and calls the exit handler given for it, on the supervisor thread, so handlers must
 * only hand the work over (to the guest's executor).
 */
final class Supervisor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    /** How often the thread checks whether it should end; it does not affect how fast exits are seen. */
    private static final Duration CLOSE_CHECK_INTERVAL = Duration.ofMillis(500);

    private static final int MAX_EVENTS = 64;

    private record Watch(Pidfd pidfd, Runnable onExit) {
    }

    private final Epoll epoll;
    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Object lock = new Object();
    private final Thread thread;
    private volatile boolean running = true;

    Supervisor() throws SyscallException {
        this.epoll = Epoll.create();
        this.thread = new Thread(this::run, "vserver-supervisor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Starts watching a pidfd. {@code onExit} runs once when the process exits, unless
     * {@link #unwatch(long)} comes first.
     *
     * @return the id that {@link #unwatch(long)} takes
     */
    long watch(Pidfd pidfd, Runnable onExit) throws SyscallException {
        long id = nextId.getAndIncrement();
        synchronized (lock) {
            watches.put(id, new Watch(pidfd, onExit));
            try {
                epoll.add(pidfd.fd(), LibC.SysEpoll.EPOLLIN, id);
            } catch (SyscallException e) {
                watches.remove(id);
                throw e;
            }
        }
        return id;
    }

    /**
     * Stops watching; the exit handler will not run unless it already started. Returns before
     * the caller may close the pidfd.
     */
    void unwatch(long id) {
        synchronized (lock) {
            Watch watch = watches.remove(id);
            if (watch != null) {
                removeFromSet(watch);
            }
        }
    }

    /** Returns the number of watched processes. */
    int size() {
        return watches.size();
    }

    private void run() {
        while (running) {
            List<Epoll.Event> events;
            try {
                events = epoll.waitForEvents(MAX_EVENTS, CLOSE_CHECK_INTERVAL);
            } catch (SyscallException e) {
                if (running) {
                    LOG.error("Guest supervision failed and has stopped: {}", e.getMessage(), e);
                }
                return;
            }
            for (Epoll.Event event : events) {
                Watch watch;
                synchronized (lock) {
                    watch = watches.remove(event.data());
                    if (watch != null) {
                        removeFromSet(watch);
                    }
                }
                if (watch != null) {
                    try {
                        watch.onExit().run();
                    } catch (RuntimeException e) {
                        LOG.error("Handling the exit of pid {} failed: {}", watch.pidfd().pid(), e.getMessage(), e);
                    }
                }
            }
        }
    }

    private void removeFromSet(Watch watch) {
        try {
            epoll.remove(watch.pidfd().fd());
        } catch (SyscallException | IllegalStateException e) {
            LOG.debug("Removing the pidfd of pid {} from the epoll set failed: {}", watch.pidfd().pid(),
                    e.getMessage());
        }
    }

    /** Ends the thread and closes the epoll set; the watched pidfds stay open and their processes run on. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(CLOSE_CHECK_INTERVAL.toMillis() * 4);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watches.clear();
        try {
            epoll.close();
        } catch (SyscallException e) {
            LOG.debug("Closing the epoll set failed: {}", e.getMessage());
        }
    }
}
