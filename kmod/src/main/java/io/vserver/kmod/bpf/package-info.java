/**
 * The chbind network mode: cgroup-BPF {@code sock_addr} programs that lock each guest's
 * sockets to its own addresses on the shared host network stack, loaded and attached through
 * libbpf ({@link io.vserver.kmod.bpf.Chbind}), with per-guest settings in a pinned map
 * ({@link io.vserver.kmod.bpf.ChbindMap}) keyed by the guest's cgroup v2 id.
 */
@Version("1.0.0")
package io.vserver.kmod.bpf;

import org.osgi.annotation.versioning.Version;
