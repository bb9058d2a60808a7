package io.vserver.kmod.bpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python process that joins a cgroup before it creates any socket, runs one socket action
 * and prints one result line: {@code ok ...} or {@code error ERRNO_NAME}.
 */
final class SocketProbe implements AutoCloseable {

    private static final String PYTHON = "/usr/bin/python3";

    /**
     * The actions, by argv[1]. listen prints its bound address, then sends "NAME PEER_ADDRESS" on
     * each connection until it is killed. A host with ':' makes an IPv6 socket.
     */
    private static final String SCRIPT = """
            import errno, socket, sys
            def family(host):
                return socket.AF_INET6 if ':' in host else socket.AF_INET
            def fail(e):
                print('error', errno.errorcode.get(e.errno, str(e.errno)), flush=True)
                sys.exit(0)
            action = sys.argv[1]
            try:
                if action == 'listen':
                    host, port, name = sys.argv[2], int(sys.argv[3]), sys.argv[4]
                    s = socket.socket(family(host), socket.SOCK_STREAM)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((host, port))
                    s.listen(8)
                    print('ok', s.getsockname()[0], s.getsockname()[1], flush=True)
                    while True:
                        c, peer = s.accept()
                        c.sendall(('%s %s\\n' % (name, peer[0])).encode())
                        c.close()
                elif action == 'bind':
                    host, port = sys.argv[2], int(sys.argv[3])
                    s = socket.socket(family(host), socket.SOCK_STREAM)
                    s.bind((host, port))
                    print('ok', s.getsockname()[0], flush=True)
                elif action == 'bind-v6only':
                    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    s.bind((sys.argv[2], int(sys.argv[3])))
                    print('ok', s.getsockname()[0], flush=True)
                elif action == 'connect':
                    host, port = sys.argv[2], int(sys.argv[3])
                    s = socket.socket(family(host), socket.SOCK_STREAM)
                    s.settimeout(5)
                    s.connect((host, port))
                    line = s.makefile().readline().strip()
                    print('ok', s.getsockname()[0], s.getpeername()[0], line, flush=True)
                elif action == 'sendto':
                    host, port = sys.argv[2], int(sys.argv[3])
                    s = socket.socket(family(host), socket.SOCK_DGRAM)
                    s.sendto(sys.argv[4].encode(), (host, port))
                    print('ok', flush=True)
                elif action == 'receive':
                    host, port = sys.argv[2], int(sys.argv[3])
                    s = socket.socket(family(host), socket.SOCK_DGRAM)
                    s.bind((host, port))
                    print('ok', s.getsockname()[0], flush=True)
                    data, peer = s.recvfrom(64)
                    print('from', peer[0], data.decode(), flush=True)
                elif action == 'raw':
                    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                    print('ok', flush=True)
                elif action == 'raw6':
                    socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
                    print('ok', flush=True)
            except OSError as e:
                fail(e)
            """;

    private final Process process;
    private final BufferedReader output;

    private SocketProbe(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
    }

    /** Starts the probe in a cgroup v2 directory: the shell joins it, then execs Python. */
    static SocketProbe start(Path cgroup, String... arguments) throws IOException {
        return start(cgroup, List.of(), arguments);
    }

    /**
     * Starts the probe in a cgroup v2 directory and in the network namespace of a process
     * ({@code nsenter --net}). The probe joins the cgroup before it enters the namespace.
     */
    static SocketProbe startInNetwork(Path cgroup, long namespacePid, String... arguments)
            throws IOException {
        return start(cgroup, List.of("nsenter", "--target", Long.toString(namespacePid),
                "--net"), arguments);
    }

    private static SocketProbe start(Path cgroup, List<String> prefix, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c",
                "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", cgroup.toString()));
        command.addAll(prefix);
        command.addAll(List.of(PYTHON, "-c", SCRIPT));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new SocketProbe(process);
    }

    /** Runs a probe to its end and returns its result line. */
    static String run(Path cgroup, String... arguments) throws IOException, InterruptedException {
        return finish(start(cgroup, arguments), arguments);
    }

    /** Runs a probe in the network namespace of a process to its end, as {@link #run}. */
    static String runInNetwork(Path cgroup, long namespacePid, String... arguments)
            throws IOException, InterruptedException {
        return finish(startInNetwork(cgroup, namespacePid, arguments), arguments);
    }

    private static String finish(SocketProbe started, String... arguments)
            throws IOException, InterruptedException {
        try (SocketProbe probe = started) {
            String line = probe.readLine();
            if (!probe.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IOException("probe " + List.of(arguments) + " timed out");
            }
            return line;
        }
    }

    /** Returns the next result line; null when the probe exited without one. */
    String readLine() throws IOException {
        return output.readLine();
    }

    /** Kills the probe by its pid and waits for it. */
    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.close();
    }
}
