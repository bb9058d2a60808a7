package io.vserver.kmod.libc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Platform;
import io.vserver.kmod.internal.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An epoll set ({@code epoll_create1(2)}), so one thread can wait on thousands of descriptors
 * such as the {@link Pidfd}s of every guest's init.
 *
 * <p>Each registered descriptor carries a 64-bit {@code data} value that
 * {@link #waitForEvents} returns with its events; callers usually store the pid or a key of
 * the guest there.
 */
public final class Epoll implements AutoCloseable {

    /**
     * Layout of {@code struct epoll_event}: x86_64 declares it packed (12 bytes, data at offset
     * 4), other architectures align the 64-bit data (16 bytes, data at offset 8).
     */
    private static final int EVENT_SIZE = Platform.isIntel() ? 12 : 16;
    private static final int DATA_OFFSET = Platform.isIntel() ? 4 : 8;

    /**
     * One ready descriptor.
     *
     * @param events the {@code EPOLL*} bits of {@link LibC.SysEpoll} that are ready
     * @param data   the value given when the descriptor was registered
     */
    public record Event(int events, long data) {
    }

    private int epfd;

    private Epoll(int epfd) {
        this.epfd = epfd;
    }

    /** Creates an empty, close-on-exec epoll set. */
    public static Epoll create() throws SyscallException {
        try {
            return new Epoll(LibC.INSTANCE.epoll_create1(LibC.SysEpoll.EPOLL_CLOEXEC));
        } catch (LastErrorException e) {
            throw new SyscallException("epoll_create1", null, e);
        }
    }

    /**
     * Registers a descriptor.
     *
     * @param events {@code EPOLL*} bits of {@link LibC.SysEpoll}, such as {@code EPOLLIN}
     * @param data   the value {@link #waitForEvents} returns for this descriptor
     */
    public void add(int fd, int events, long data) throws SyscallException {
        control(LibC.SysEpoll.EPOLL_CTL_ADD, "add", fd, events, data);
    }

    /** Changes the events and data of a registered descriptor. */
    public void modify(int fd, int events, long data) throws SyscallException {
        control(LibC.SysEpoll.EPOLL_CTL_MOD, "modify", fd, events, data);
    }

    /** Removes a registered descriptor. Closing a descriptor also removes it. */
    public void remove(int fd) throws SyscallException {
        control(LibC.SysEpoll.EPOLL_CTL_DEL, "remove", fd, 0, 0);
    }

    private void control(int op, String opName, int fd, int events, long data)
            throws SyscallException {
        Memory event = new Memory(EVENT_SIZE);
        event.clear();
        event.setInt(0, events);
        event.setLong(DATA_OFFSET, data);
        try {
            LibC.INSTANCE.epoll_ctl(epfd(), op, fd, event);
        } catch (LastErrorException e) {
            throw new SyscallException("epoll_ctl", opName + " fd " + fd, e);
        }
    }

    /**
     * Waits until at least one descriptor is ready or the timeout passes. An interrupted wait
     * (EINTR) is resumed with the time that is left.
     *
     * @param maxEvents the most events to return in one call
     * @param timeout   how long to wait; {@link Duration#ZERO} checks without waiting
     * @return the ready descriptors, empty when the timeout passed
     */
    public List<Event> waitForEvents(int maxEvents, Duration timeout) throws SyscallException {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("Invalid maxEvents " + maxEvents
                    + ": expected at least 1");
        }
        Memory buffer = new Memory((long) maxEvents * EVENT_SIZE);
        Deadline deadline = Deadline.after(timeout);
        int count;
        while (true) {
            try {
                count = LibC.INSTANCE.epoll_wait(epfd(), buffer, maxEvents,
                        deadline.remainingMillis());
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException("epoll_wait", "epoll fd " + epfd, e);
                }
            }
        }
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long offset = (long) i * EVENT_SIZE;
            events.add(new Event(buffer.getInt(offset), buffer.getLong(offset + DATA_OFFSET)));
        }
        return events;
    }

    private synchronized int epfd() {
        if (epfd < 0) {
            throw new IllegalStateException("epoll set is closed");
        }
        return epfd;
    }

    /** Closes the set; closing twice does nothing. */
    @Override
    public synchronized void close() throws SyscallException {
        if (epfd >= 0) {
            int closing = epfd;
            epfd = -1;
            Syscalls.close(closing);
        }
    }
}
