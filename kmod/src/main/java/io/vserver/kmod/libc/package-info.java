/**
 * JNA bindings of the C library ({@link io.vserver.kmod.libc.LibC}) and typed wrappers of the
 * calls the host makes: signals, pidfds, epoll, resource limits, mounts and capabilities.
 * Every rejected call throws {@link io.vserver.kmod.libc.SyscallException}, which names the
 * call, its object and the errno.
 */
@Version("1.0.0")
package io.vserver.kmod.libc;

import org.osgi.annotation.versioning.Version;
