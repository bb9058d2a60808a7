package io.vserver.kmod.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.util.Map;

/**
 * JNA binding of the libbpf 1.1 functions the chbind loader calls, with their C names and C
 * argument order. It loads {@code libbpf.so.1} by its soname (Debian package libbpf1), because
 * the unversioned {@code libbpf.so} comes only with the development package.
 *
 * <p>libbpf 1.x reports errors in two ways: functions that return {@code int} return a
 * negative errno, and functions that return a pointer return {@code NULL} and set errno, which
 * {@link Native#getLastError()} reads. {@code struct bpf_object}, {@code bpf_program},
 * {@code bpf_map} and {@code bpf_link} are opaque {@link Pointer}s.
 */
interface LibBpf extends Library {

    /** The loaded libbpf. */
    LibBpf INSTANCE = Native.load("libbpf.so.1", LibBpf.class,
            Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    /** {@code libbpf_print_fn_t}: {@code args} is the {@code va_list} of the format. */
    interface PrintCallback extends Callback {
        int invoke(int level, String format, Pointer args);
    }

    Pointer libbpf_set_print(PrintCallback callback);

    // struct bpf_object

    Pointer bpf_object__open_file(String path, Pointer options);

    int bpf_object__load(Pointer object);

    void bpf_object__close(Pointer object);

    Pointer bpf_object__find_map_by_name(Pointer object, String name);

    Pointer bpf_object__next_program(Pointer object, Pointer previous);

    // struct bpf_program and struct bpf_map

    String bpf_program__name(Pointer program);

    Pointer bpf_program__attach_cgroup(Pointer program, int cgroupFd);

    int bpf_map__reuse_fd(Pointer map, int fd);

    int bpf_map__pin(Pointer map, String path);

    int bpf_map__fd(Pointer map);

    // struct bpf_link

    int bpf_link__pin(Pointer link, String path);

    Pointer bpf_link__open(String path);

    int bpf_link__detach(Pointer link);

    int bpf_link__destroy(Pointer link);

    // Low-level wrappers of the bpf(2) commands

    int bpf_obj_get(String path);

    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    int bpf_map_delete_elem(int fd, Pointer key);

    /** {@code BPF_ANY} for {@link #bpf_map_update_elem}: create or replace the entry. */
    long BPF_ANY = 0;
}
