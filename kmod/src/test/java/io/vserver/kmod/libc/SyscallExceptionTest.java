package io.vserver.kmod.libc;

import org.junit.Test;

import static org.junit.Assert.assertEquals;

public class SyscallExceptionTest {

    @Test
    public void messageNamesCallObjectAndErrno() {
        SyscallException e = new SyscallException("pivot_root", "/var/lib/vserver/web1/rootfs",
                Errno.EINVAL);
        assertEquals("pivot_root /var/lib/vserver/web1/rootfs: Invalid argument (EINVAL)",
                e.getMessage());
        assertEquals("pivot_root", e.syscall());
        assertEquals("/var/lib/vserver/web1/rootfs", e.object());
        assertEquals(22, e.errno());
        assertEquals("EINVAL", e.errnoName());
    }

    @Test
    public void messageWithoutObject() {
        assertEquals("epoll_create1: Too many open files (EMFILE)",
                new SyscallException("epoll_create1", null, Errno.EMFILE).getMessage());
    }
}
