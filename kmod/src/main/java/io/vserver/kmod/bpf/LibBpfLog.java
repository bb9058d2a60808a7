package io.vserver.kmod.bpf;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Sends libbpf's messages, among them the verifier log of a program the kernel rejects, to the
 * SLF4J logger {@code io.vserver.kmod.bpf.libbpf} instead of the JVM's stderr.
 */
final class LibBpfLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.vserver.kmod.bpf.libbpf");

    /** {@code enum libbpf_print_level}. */
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;

    private static final int MESSAGE_BUFFER = 4096;

    /** The part of the C library that formats a {@code va_list}. */
    private interface Format extends Library {
        Format INSTANCE = Native.load("c", Format.class);

        int vsnprintf(byte[] buffer, long size, String format, Pointer args);
    }

    /** Kept in a static field because libbpf stores only the native address of the callback. */
    private static final LibBpf.PrintCallback CALLBACK = LibBpfLog::print;

    private static boolean installed;

    private LibBpfLog() {
    }

    /** Installs the callback once per class loader. */
    static synchronized void install() {
        if (!installed) {
            LibBpf.INSTANCE.libbpf_set_print(CALLBACK);
            installed = true;
        }
    }

    private static int print(int level, String format, Pointer args) {
        if (level > LIBBPF_INFO && !LOG.isDebugEnabled()) {
            return 0;
        }
        byte[] buffer = new byte[MESSAGE_BUFFER];
        int length = Format.INSTANCE.vsnprintf(buffer, buffer.length, format, args);
        if (length < 0) {
            return 0;
        }
        String message = new String(buffer, 0, Math.min(length, buffer.length - 1),
                StandardCharsets.UTF_8).stripTrailing();
        if (level == LIBBPF_WARN) {
            LOG.warn("{}", message);
        } else if (level == LIBBPF_INFO) {
            LOG.info("{}", message);
        } else {
            LOG.debug("{}", message);
        }
        return length;
    }
}
