/*
 * "vcontext create": the monitor. It detaches from the caller (unless
 * --foreground), clones the guest init into new namespaces, reports its pid,
 * places it in cgroups, waits for the caller's go, lets it continue, reports
 * exec or the failure, then waits for the guest and writes exit.json.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals a --foreground vcontext passes on to the guest init. */
static const int foreground_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT };

/* Clones like fork(), into the new namespaces in FLAGS. */
static pid_t clone_child(unsigned long long flags)
{
    struct clone_args args;
    pid_t pid;

    memset(&args, 0, sizeof args);
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS)
        pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    return pid;
}

/* Removes an exit.json left by an earlier run of the guest, so it is not taken for this run's. */
static int prepare_run_dir(const char *run_dir)
{
    struct stat status;
    char *stale;
    int result = 0;

    if (stat(run_dir, &status) < 0)
        return fail("run-dir", run_dir, errno);
    if (!S_ISDIR(status.st_mode))
        return fail("run-dir", run_dir, ENOTDIR);
    stale = path_join(run_dir, "exit.json");
    if (unlink(stale) < 0 && errno != ENOENT)
        result = fail("run-dir", stale, errno);
    free(stale);
    return result;
}

/* Reads one line from the sync fd and accepts only "go". */
static int wait_for_go(int fd)
{
    char line[128];
    char object[160];
    size_t length = 0;

    for (;;) {
        ssize_t count = read(fd, line + length, 1);

        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0) {
            snprintf(object, sizeof object, "fd %d", fd);
            return fail("sync", object, errno);
        }
        if (count == 0) {
            snprintf(object, sizeof object, "fd %d", fd);
            return fail_with("abort", object, ECANCELED, "end of file on the sync fd before a \"go\" line");
        }
        if (line[length] == '\n' || length + 2 >= sizeof line)
            break;
        length++;
    }
    line[length] = '\0';
    if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
    if (strcmp(line, "go") != 0)
        return fail_with("abort", line, ECANCELED, "the sync fd sent this line in place of \"go\"");
    return 0;
}

/* Places the child in its cgroups and waits for the go; on failure the caller kills the child. */
static int attach_child(const struct create_options *o, pid_t child)
{
    for (int i = 0; i < o->cgroup_count; i++) {
        if (cgroup_place(o->cgroups[i], child) < 0)
            return -1;
    }
    if (o->sync && wait_for_go(o->sync_fd) < 0)
        return -1;
    return 0;
}

/*
 * Reads the child's failure record from ERROR_FD. Returns 0 when the pipe
 * closed empty, which means the execve() of INIT succeeded.
 */
static int read_child_result(int error_fd, const char *init)
{
    struct failure received;
    size_t length = 0;

    while (length < sizeof received) {
        ssize_t count = read(error_fd, (char *)&received + length, sizeof received - length);

        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            break;
        length += (size_t)count;
    }
    if (length == 0)
        return 0;
    if (length < sizeof received)
        return fail_with("exec", init, EIO, "the guest init ended while reporting a failure");
    received.step[sizeof received.step - 1] = '\0';
    received.object[sizeof received.object - 1] = '\0';
    received.message[sizeof received.message - 1] = '\0';
    last_failure = received;
    return -1;
}

static void kill_child(pid_t child)
{
    int status;

    kill(child, SIGKILL);
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
}

/*
 * Points stdin, stdout, stderr and the status and sync fds at /dev/null, so
 * the caller's pipes reach end of file while the monitor keeps running.
 */
static void release_caller(const struct create_options *o)
{
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (null_fd < 0)
        return;
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    if (o->status_fd > STDERR_FILENO)
        dup2(null_fd, o->status_fd);
    if (o->sync && o->sync_fd > STDERR_FILENO)
        dup2(null_fd, o->sync_fd);
    if (null_fd > STDERR_FILENO)
        close(null_fd);
    /* Keeps no directory of the caller busy, so it can be unmounted. */
    if (chdir("/") < 0)
        return;
}

static int wait_for_guest(const struct create_options *o, pid_t child)
{
    int status;

    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            fail("waitpid", NULL, errno);
            report_failure(&last_failure, -1);
            return EXIT_VCONTEXT_FAILED;
        }
    }
    if (o->run_dir != NULL && write_exit_json(o->run_dir, child, status) < 0)
        report_failure(&last_failure, -1);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * Clones the guest init, which waits on GO_FD for the go. Returns its pid, 0
 * in the child (which never returns from run_child) or -1 on failure.
 */
static pid_t start_child(const struct create_options *o, int *go_fd, int *error_fd)
{
    unsigned long long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    int go_pipe[2];
    int error_pipe[2];
    pid_t child;

    if (pipe2(go_pipe, O_CLOEXEC) < 0 || pipe2(error_pipe, O_CLOEXEC) < 0)
        return fail("pipe", NULL, errno);
    if (o->net == NET_NEW)
        flags |= CLONE_NEWNET;
    child = clone_child(flags);
    if (child < 0)
        return fail("clone", o->name != NULL ? o->name : o->root, errno);
    if (child == 0) {
        close(go_pipe[1]);
        close(error_pipe[0]);
        run_child(o, go_pipe[0], error_pipe[1]);
    }
    close(go_pipe[0]);
    close(error_pipe[1]);
    *go_fd = go_pipe[1];
    *error_fd = error_pipe[0];
    return child;
}

/* Attaches the child, lets it continue and reads how its setup ended. On failure the child is killed. */
static int release_child(const struct create_options *o, pid_t child, int go_fd, int error_fd)
{
    int result = -1;

    if (attach_child(o, child) < 0)
        goto out;
    /* The go byte lets the child continue; a child that died already makes it fail with EPIPE. */
    if (write_all(go_fd, "g", 1) < 0) {
        fail("sync", "go pipe", errno);
        goto out;
    }
    result = read_child_result(error_fd, o->argv[0]);
out:
    close(go_fd);
    close(error_fd);
    if (result < 0)
        kill_child(child);
    return result;
}

/* Clones the guest, reports its start and waits for it to end. Returns the exit code of vcontext. */
static int monitor_guest(const struct create_options *o)
{
    int keep[2] = { o->status_fd, o->sync ? o->sync_fd : -1 };
    int go_fd = -1;
    int error_fd = -1;
    pid_t child;

    if (close_fds_except(keep, 2) < 0 || (o->run_dir != NULL && prepare_run_dir(o->run_dir) < 0))
        goto failed;
    child = start_child(o, &go_fd, &error_fd);
    if (child < 0)
        goto failed;
    /* A caller that stopped reading must not kill the monitor with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (o->foreground)
        forward_signals(child, foreground_signals, sizeof foreground_signals / sizeof foreground_signals[0]);

    if (o->status_fd >= 0)
        status_pid(o->status_fd, child, getpid());
    if (release_child(o, child, go_fd, error_fd) < 0)
        goto failed;
    if (o->status_fd >= 0)
        status_exec(o->status_fd, child);
    if (!o->foreground)
        release_caller(o);
    return wait_for_guest(o, child);

failed:
    report_failure(&last_failure, o->status_fd);
    return exit_code_for(&last_failure);
}

int run_create(const struct create_options *o)
{
    int ready[2];
    pid_t monitor;
    char byte;

    if (o->foreground)
        return monitor_guest(o);

    if (pipe2(ready, O_CLOEXEC) < 0) {
        fail("pipe", NULL, errno);
        report_failure(&last_failure, o->status_fd);
        return EXIT_VCONTEXT_FAILED;
    }
    monitor = fork();
    if (monitor < 0) {
        fail("fork", NULL, errno);
        report_failure(&last_failure, o->status_fd);
        return EXIT_VCONTEXT_FAILED;
    }
    if (monitor > 0) {
        /* Returns once the monitor runs in its own session; its failures go to the status fd. */
        close(ready[1]);
        while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
            ;
        return 0;
    }
    close(ready[0]);
    /* A new session: the caller's terminal and process-group signals no longer reach the monitor. */
    setsid();
    close(ready[1]);
    exit(monitor_guest(o));
}
