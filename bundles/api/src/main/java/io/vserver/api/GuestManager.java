package io.vserver.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The host VM's guest operations, registered as a service by the host bundle. All changes
 * of one guest go through one serialized path; different guests proceed in parallel.
 */
public interface GuestManager {

    /**
     * Defines a new guest: validates the name and settings, assigns an xid when the settings
     * have no {@code context} key, and writes the guest's factory configuration. Nothing is
     * created when validation fails.
     *
     * @param settings the guest's own keys, for example {@code image=host}
     * @param policies policy names, merged in order below the guest's own keys
     */
    GuestStatus create(String name, Map<String, String> settings, List<String> policies) throws VServerException;

    /**
     * Removes a stopped guest: its definition, its upper directory and its state. With
     * {@code force}, a running guest is killed first.
     */
    void destroy(String name, boolean force) throws VServerException;

    /** Boots a stopped or failed guest and returns its status once its init runs. */
    GuestStatus start(String name) throws VServerException;

    /**
     * Sends the init style's halt signal, waits up to {@code timeout} (the host's stop
     * timeout when null), then kills every task in the guest's cgroups.
     */
    GuestStatus stop(String name, Duration timeout) throws VServerException;

    /** Stops the guest if it runs, then starts it. */
    GuestStatus restart(String name) throws VServerException;

    /** Sends {@code signal} (a name such as {@code SIGKILL} or {@code KILL}, or a number) to the guest's init. */
    void kill(String name, String signal) throws VServerException;

    /** Returns every defined guest, sorted by name. */
    List<GuestStatus> list();

    /** Returns one guest's status. */
    GuestStatus status(String name) throws VServerException;

    /**
     * Starts {@code command} inside a running guest, in its cgroups and namespaces, with its
     * capabilities and rlimits, and returns the vcontext process whose stdio and exit status
     * are the command's.
     */
    Process exec(String name, List<String> command) throws VServerException;

    /**
     * Returns the resource use and limit hits of every running guest, sorted by name. A guest
     * whose run ends while it is read is left out.
     */
    List<GuestStats> stats();

    /**
     * Changes keys of a guest's configuration, for example {@code limits.memory=512M}, and
     * returns the outcome for each key whose effective value changed. An empty value removes the
     * key. The steps:
     * <ol>
     * <li>The whole new configuration is validated first. An invalid one raises
     * {@link InvalidConfigurationException} naming the key, the value and the accepted form, and
     * nothing changes.</li>
     * <li>For a running guest, each element the guest runs with applies its changed keys through
     * {@link IsolationElement#update}: {@link UpdateOutcome#APPLIED} when the kernel state now
     * matches, {@link UpdateOutcome#NEEDS_RESTART} when the key takes effect at the next start.
     * Keys of an element that is not deployed, and the host keys {@code context} and
     * {@code policies}, need a restart. The host keys {@code autostart} and {@code restart} are
     * applied.</li>
     * <li>When an element fails, the elements that had applied their keys are updated back to
     * the old configuration (an element undoes its own partial change), nothing is stored, and
     * the failure is raised naming the key.</li>
     * <li>Only when every key applied or needs a restart is the configuration stored.</li>
     * </ol>
     * A guest that does not run gets the new configuration stored, and every changed key is
     * reported as {@link UpdateOutcome#NEEDS_RESTART}: it takes effect at the next start.
     *
     * @param changes the keys to set; a key with an empty value is removed
     * @return the outcome by key, for the keys whose value changed
     */
    Map<String, UpdateOutcome> updateSettings(String name, Map<String, String> changes) throws VServerException;

    /** Returns the processes of one guest. */
    List<GuestProcess> processes(String name) throws VServerException;

    /** Returns every process of the machine with its context (0 host, 1 spectator, xid). */
    List<GuestProcess> allProcesses();

    /**
     * Starts {@code command} in the spectator context (xid 1): it sees every process of every
     * context but can signal or trace none of them.
     */
    Process spectate(List<String> command) throws VServerException;

    /** Returns the effective configuration of a guest, with the source of each value. */
    GuestSettings settings(String name) throws VServerException;

    /** Returns every policy defined now, sorted by name, including those guests cannot use. */
    List<PolicyInfo> policies();

    /** Returns one policy. */
    PolicyInfo policy(String name) throws VServerException;

    /**
     * Applies a policy to every running guest that lists it, or with {@code dryRun} only
     * reports per guest which keys would apply live, which would need a restart and which
     * guests would refuse the change, changing nothing.
     *
     * @param overrides keys to set (an empty value removes the key) on top of the policy's
     *                  current definition, to preview a change; only with {@code dryRun}
     */
    List<PolicyOutcome> applyPolicy(String name, Map<String, String> overrides, boolean dryRun)
            throws VServerException;

    /** Returns the reports of the latest re-applications of changed policies, newest first. */
    List<PolicyReport> policyReports();
}
