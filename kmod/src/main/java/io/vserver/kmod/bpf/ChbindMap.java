package io.vserver.kmod.bpf;

import com.sun.jna.Memory;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The chbind settings of every guest: the pinned BPF maps {@code chbind_guests} (cgroup v2 id
 * to {@link GuestAddresses}) and {@code loopback_owners} (loopback address to cgroup id), which
 * the programs read on every socket call. Changes apply to the next socket call of the guest,
 * without re-attaching anything.
 *
 * <p>The cgroup id is the inode number of the guest's cgroup directory on the cgroup2
 * hierarchy ({@code Cgroup.cgroupId()}). The programs also apply an entry to every cgroup
 * below that one.
 */
public final class ChbindMap implements AutoCloseable {

    /** The map names in chbind.bpf.c, which are also the pin file names. */
    static final String GUESTS = "chbind_guests";
    static final String LOOPBACK_OWNERS = "loopback_owners";

    private final int guestsFd;
    private final int ownersFd;
    private final Path guestsPin;

    private ChbindMap(int guestsFd, int ownersFd, Path guestsPin) {
        this.guestsFd = guestsFd;
        this.ownersFd = ownersFd;
        this.guestsPin = guestsPin;
    }

    /**
     * Opens the maps pinned in a directory, such as {@code /sys/fs/bpf/vserver}.
     *
     * @throws SyscallException naming {@code bpf_obj_get} and the pin when a map is not pinned
     *                          there (ENOENT)
     */
    public static ChbindMap open(Path pinDirectory) throws SyscallException {
        int guestsFd = openPinned(pinDirectory.resolve(GUESTS));
        try {
            int ownersFd = openPinned(pinDirectory.resolve(LOOPBACK_OWNERS));
            return new ChbindMap(guestsFd, ownersFd, pinDirectory.resolve(GUESTS));
        } catch (SyscallException e) {
            try {
                Syscalls.close(guestsFd);
            } catch (SyscallException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    static int openPinned(Path pin) throws SyscallException {
        int fd = LibBpf.INSTANCE.bpf_obj_get(pin.toString());
        if (fd < 0) {
            throw new SyscallException("bpf_obj_get", pin.toString(), -fd);
        }
        return fd;
    }

    /**
     * Sets the addresses of a guest, replacing its previous entry.
     *
     * @throws IllegalStateException if another guest already has the loopback address
     */
    public synchronized void put(long cgroupId, GuestAddresses addresses)
            throws SyscallException {
        Optional<Long> owner = loopbackOwner(addresses.loopback().getAddress());
        if (owner.isPresent() && owner.get() != cgroupId) {
            throw new IllegalStateException("Loopback address "
                    + addresses.loopback().getHostAddress() + " already belongs to cgroup id "
                    + owner.get() + ": give cgroup id " + cgroupId + " another one");
        }
        Optional<GuestAddresses> previous = get(cgroupId);
        update(ownersFd, LOOPBACK_OWNERS, addresses.loopback().getAddress(), longBytes(cgroupId));
        update(guestsFd, GUESTS, longBytes(cgroupId), addresses.toValue());
        if (previous.isPresent() && !previous.get().loopback().equals(addresses.loopback())) {
            delete(ownersFd, LOOPBACK_OWNERS, previous.get().loopback().getAddress());
        }
    }

    /** Returns the addresses of a guest, or empty when the map has no entry for the cgroup id. */
    public synchronized Optional<GuestAddresses> get(long cgroupId) throws SyscallException {
        return lookup(guestsFd, GUESTS, longBytes(cgroupId), GuestAddresses.VALUE_SIZE)
                .map(GuestAddresses::fromValue);
    }

    /**
     * Removes the entry of a guest, so its sockets are no longer restricted.
     *
     * @return false if the map had no entry for the cgroup id
     */
    public synchronized boolean remove(long cgroupId) throws SyscallException {
        Optional<GuestAddresses> previous = get(cgroupId);
        if (previous.isEmpty()) {
            return false;
        }
        boolean removed = delete(guestsFd, GUESTS, longBytes(cgroupId));
        byte[] loopback = previous.get().loopback().getAddress();
        if (loopbackOwner(loopback).filter(owner -> owner == cgroupId).isPresent()) {
            delete(ownersFd, LOOPBACK_OWNERS, loopback);
        }
        return removed;
    }

    private Optional<Long> loopbackOwner(byte[] loopback) throws SyscallException {
        return lookup(ownersFd, LOOPBACK_OWNERS, loopback, Long.BYTES)
                .map(value -> bytesToMemory(value).getLong(0));
    }

    private static void update(int fd, String map, byte[] key, byte[] value)
            throws SyscallException {
        int result = LibBpf.INSTANCE.bpf_map_update_elem(fd, bytesToMemory(key),
                bytesToMemory(value), LibBpf.BPF_ANY);
        if (result < 0) {
            throw new SyscallException("bpf_map_update_elem", map, -result);
        }
    }

    private static Optional<byte[]> lookup(int fd, String map, byte[] key, int valueSize)
            throws SyscallException {
        Memory value = new Memory(valueSize);
        int result = LibBpf.INSTANCE.bpf_map_lookup_elem(fd, bytesToMemory(key), value);
        if (result == -Errno.ENOENT) {
            return Optional.empty();
        }
        if (result < 0) {
            throw new SyscallException("bpf_map_lookup_elem", map, -result);
        }
        return Optional.of(value.getByteArray(0, valueSize));
    }

    private static boolean delete(int fd, String map, byte[] key) throws SyscallException {
        int result = LibBpf.INSTANCE.bpf_map_delete_elem(fd, bytesToMemory(key));
        if (result == -Errno.ENOENT) {
            return false;
        }
        if (result < 0) {
            throw new SyscallException("bpf_map_delete_elem", map, -result);
        }
        return true;
    }

    /** Returns a {@code __u64} in host byte order, as the map key is declared. */
    private static byte[] longBytes(long value) {
        Memory memory = new Memory(Long.BYTES);
        memory.setLong(0, value);
        return memory.getByteArray(0, Long.BYTES);
    }

    private static Memory bytesToMemory(byte[] bytes) {
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        return memory;
    }

    /** Closes the map descriptors; the pinned maps and their entries stay in the kernel. */
    @Override
    public synchronized void close() throws SyscallException {
        try {
            Syscalls.close(guestsFd);
        } finally {
            Syscalls.close(ownersFd);
        }
    }

    @Override
    public String toString() {
        return "chbind map " + guestsPin;
    }
}
