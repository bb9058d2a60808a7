/*
 * "vcontext enter": runs a command inside the guest of a given process.
 * The cgroups are joined first, so that sockets the command creates are
 * already subject to the guest's cgroup-BPF programs. Then one setns() on a
 * pidfd joins all namespaces. A new pid namespace applies only to children,
 * so the command runs in a forked child.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ENTER_NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP };

/* Copies the target's capability sets, no_new_privs, seccomp mode and rlimits, then applies the overrides. */
static int collect_settings(const struct enter_options *o, struct process_settings *settings)
{
    bool target_no_new_privs;

    *settings = o->settings;
    if (caps_read_process(o->pid, &settings->caps, &target_no_new_privs) < 0)
        return -1;
    caps_override(&o->caps, &settings->caps);
    if (caps_validate("capabilities", &settings->caps) < 0)
        return -1;
    settings->no_new_privs = target_no_new_privs || o->no_new_privs;
    if (!o->seccomp_given && seccomp_read_process(o->pid, &settings->seccomp) < 0)
        return -1;
    if (rlimit_copy_from(o->pid, &settings->rlimits) < 0)
        return -1;
    for (int resource = 0; resource < RLIM_NLIMITS; resource++) {
        if (o->rlimits.set[resource])
            settings->rlimits.value[resource] = o->rlimits.value[resource];
    }
    return 0;
}

/*
 * Joins the guest of process PID. The pidfd pins the process, and the check
 * after reading /proc/PID proves that PID still names it and was not reused.
 */
static int join_guest(pid_t pid, const struct enter_options *o, struct process_settings *settings)
{
    char object[64];
    int pidfd;
    int result = -1;

    snprintf(object, sizeof object, "/proc/%d", (int)pid);
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return fail("setns", object, errno);
    if (collect_settings(o, settings) < 0 || cgroup_join_process(pid) < 0)
        goto out;
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
        fail("setns", object, errno);
        goto out;
    }
    if (setns(pidfd, ENTER_NAMESPACES) < 0) {
        fail("setns", object, errno);
        goto out;
    }
    result = 0;
out:
    close(pidfd);
    return result;
}

/*
 * Runs in the forked child. It is not dumpable until execve(), so guest
 * processes without CAP_SYS_PTRACE cannot ptrace it or open its /proc files.
 */
static void run_command(const struct enter_options *o, const struct process_settings *settings, int error_fd)
{
    reset_signals();
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        fail("prctl", "PR_SET_DUMPABLE", errno);
    else if (apply_privileges(settings) == 0)
        exec_command(settings, o->argv, error_fd);
    write_all(error_fd, &last_failure, sizeof last_failure);
    _exit(exit_code_for(&last_failure));
}

/* Returns 0 when the command was executed, -1 with its failure in last_failure. */
static int read_command_result(int error_fd)
{
    struct failure received;
    ssize_t count;

    do {
        count = read(error_fd, &received, sizeof received);
    } while (count < 0 && errno == EINTR);
    if (count <= 0)
        return 0;
    if ((size_t)count < sizeof received)
        return fail_with("exec", NULL, EIO, "the command ended while reporting a failure");
    received.step[sizeof received.step - 1] = '\0';
    received.object[sizeof received.object - 1] = '\0';
    received.message[sizeof received.message - 1] = '\0';
    last_failure = received;
    return -1;
}

static int wait_for_command(pid_t child)
{
    int status;

    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            return fail("waitpid", NULL, errno);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int start_command(const struct enter_options *o, const struct process_settings *settings)
{
    sigset_t blocked;
    sigset_t previous;
    int error_pipe[2];
    pid_t child;
    int code;

    if (pipe2(error_pipe, O_CLOEXEC) < 0)
        return fail("pipe", NULL, errno);
    sigemptyset(&blocked);
    for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
        sigaddset(&blocked, forwarded_signals[i]);
    /* Blocked until the forwarding target is known, so no signal is lost. */
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    child = fork();
    if (child < 0)
        return fail("fork", o->argv[0], errno);
    if (child == 0) {
        close(error_pipe[0]);
        run_command(o, settings, error_pipe[1]);
    }
    close(error_pipe[1]);
    forward_signals(child, forwarded_signals, sizeof forwarded_signals / sizeof forwarded_signals[0]);
    sigprocmask(SIG_SETMASK, &previous, NULL);

    if (read_command_result(error_pipe[0]) < 0) {
        close(error_pipe[0]);
        wait_for_command(child);
        return -1;
    }
    close(error_pipe[0]);
    code = wait_for_command(child);
    return code;
}

int run_enter(const struct enter_options *o)
{
    struct process_settings settings;
    int code;

    if (join_guest(o->pid, o, &settings) < 0) {
        report_failure(&last_failure, o->status_fd);
        return EXIT_VCONTEXT_FAILED;
    }
    code = start_command(o, &settings);
    if (code < 0) {
        report_failure(&last_failure, o->status_fd);
        return exit_code_for(&last_failure);
    }
    return code;
}
