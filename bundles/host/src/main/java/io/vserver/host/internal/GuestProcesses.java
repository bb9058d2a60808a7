package io.vserver.host.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vserver.api.GuestProcess;
import io.vserver.kmod.proc.CgroupMembership;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStat;

/**
 * Lists processes with their context. A process belongs to the spectator (context 1) when the
 * cgroup {@code PARENT/}{@value #SPECTATOR_CGROUP} contains it, to the guest whose cgroup
 * ({@code PARENT/NAME}, in any hierarchy) contains it, else to the host (context 0).
 */
final class GuestProcesses {

    /** A guest as the process list names it. */
    record Context(String name, int xid) {
    }

    static final Context HOST = new Context("host", 0);

    static final Context SPECTATOR = new Context("spectator", 1);

    /**
     * The name of the spectator's cgroup below the guests' parent. Guest names cannot contain
     * '_', so no guest's cgroup can have this name.
     */
    static final String SPECTATOR_CGROUP = "_spectator";

    private final ProcFs proc;
    private final String cgroupParent;

    GuestProcesses(ProcFs proc, String cgroupParent) {
        this.proc = proc;
        this.cgroupParent = cgroupParent;
    }

    /**
     * Returns the processes, in pid order.
     *
     * @param guests the guests by name
     * @param only the name of the guest to list, or null for every process of the machine
     */
    List<GuestProcess> list(Map<String, Context> guests, String only) throws IOException {
        List<GuestProcess> processes = new ArrayList<>();
        for (int pid : proc.pids()) {
            Optional<ProcStat> stat = proc.findStat(pid);
            if (stat.isEmpty()) {
                continue;
            }
            Context context = contextOf(pid, guests);
            if (only != null && !only.equals(context.name())) {
                continue;
            }
            String command = commandLine(pid).orElse("[" + stat.get().comm() + "]");
            // The spectator runs in the host's pid namespace, so it has no pid of its own there.
            int guestPid = context == HOST || context == SPECTATOR ? 0 : namespacePid(pid);
            processes.add(new GuestProcess(pid, guestPid, context.xid(), context.name(), stat.get().state(),
                    stat.get().rssBytes(), command));
        }
        return processes;
    }

    private Context contextOf(int pid, Map<String, Context> guests) {
        List<CgroupMembership> memberships;
        try {
            memberships = proc.cgroups(pid);
        } catch (IOException e) {
            return HOST;
        }
        String prefix = "/" + cgroupParent + "/";
        for (CgroupMembership membership : memberships) {
            String path = membership.path();
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                String child = slash < 0 ? rest : rest.substring(0, slash);
                if (child.equals(SPECTATOR_CGROUP)) {
                    return SPECTATOR;
                }
                Context guest = guests.get(child);
                if (guest != null) {
                    return guest;
                }
            }
        }
        return HOST;
    }

    private Optional<String> commandLine(int pid) {
        try {
            byte[] bytes = Files.readAllBytes(proc.processDirectory(pid).resolve("cmdline"));
            if (bytes.length == 0) {
                return Optional.empty();
            }
            int length = bytes[bytes.length - 1] == 0 ? bytes.length - 1 : bytes.length;
            return Optional.of(new String(bytes, 0, length, StandardCharsets.UTF_8).replace('\0', ' '));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Returns the pid in the innermost pid namespace (last field of NSpid), or 0 when unknown. */
    private int namespacePid(int pid) {
        Path status = proc.processDirectory(pid).resolve("status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("NSpid:")) {
                    String[] fields = line.substring("NSpid:".length()).trim().split("\\s+");
                    return Integer.parseInt(fields[fields.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
