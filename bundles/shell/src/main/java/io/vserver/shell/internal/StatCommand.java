package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStats;

/**
 * {@code vserver:stat}: resource use and limit hits of the running guests, as vserver-stat
 * showed them for Linux-VServer.
 */
@Command(scope = "vserver", name = "stat", description = "Lists the running guests with their process count, "
        + "summed virtual (VSZ) and resident (RSS) memory of their processes, cgroup memory use and limit, user and "
        + "system CPU time, uptime, and limit hits: processes killed by the OOM killer at the memory limit (OOM), "
        + "forks refused at the task limit (FORKFAIL) and CPU periods throttled at the CPU limit (THROTTLED). "
        + "A value the kernel does not provide is shown as -.")
@Service
public class StatCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--no-format", description = "Prints the table without borders")
    private boolean noFormat;

    @Override
    public Object execute() throws Exception {
        ShellTable table = new ShellTable();
        table.column("NAME");
        table.column("XID").alignRight();
        table.column("PROCS").alignRight();
        table.column("VSZ").alignRight();
        table.column("RSS").alignRight();
        table.column("MEMORY").alignRight();
        table.column("USER").alignRight();
        table.column("SYS").alignRight();
        table.column("UPTIME").alignRight();
        table.column("OOM").alignRight();
        table.column("FORKFAIL").alignRight();
        table.column("THROTTLED").alignRight();
        for (GuestStats stats : manager.stats()) {
            table.addRow().addContent(stats.name(), stats.xid(), stats.processes(),
                    DisplayFormats.size(stats.virtualBytes()), DisplayFormats.size(stats.residentBytes()),
                    StatFormats.memory(stats.memoryBytes(), stats.memoryLimitBytes()),
                    StatFormats.cpuTime(stats.cpuUser()), StatFormats.cpuTime(stats.cpuSystem()),
                    DisplayFormats.uptime(stats.uptime()), StatFormats.counter(stats.oomKills()),
                    StatFormats.counter(stats.forkFailures()), StatFormats.counter(stats.throttledPeriods()));
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
