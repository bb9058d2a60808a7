/*
 * "vcontext create": the monitor. It detaches from the caller (unless
 * --foreground), clones the guest init into new namespaces and reports its
 * pid. While the init sets up the guest's file system, the monitor places it
 * in cgroups and waits for the caller's go. Then it lets the init continue,
 * reports exec or the failure, waits for the guest and writes exit.json.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char vcontext_comm[16];

/* Signals a --foreground vcontext passes on to the guest init. */
static const int foreground_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT };

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The --cgroup entry on cgroup2 that the child was cloned into, or -1. */
static int cloned_into = -1;

/*
 * Clones like fork(), into the new namespaces in FLAGS and, when CGROUP_FD is
 * not -1, straight into that cgroup2 directory. A clone into a cgroup takes no
 * write lock on cgroup_threadgroup_rwsem, so unlike a later write of the pid
 * to cgroup.procs it does not wait for an RCU grace period (about 6 ms here).
 * Sets *INTO to whether the child started in the cgroup.
 */
static pid_t clone_child(unsigned long long flags, int cgroup_fd, int *into)
{
    struct clone_args args;
    pid_t pid;

    memset(&args, 0, sizeof args);
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    *into = 0;
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (unsigned long long)cgroup_fd;
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
        if (pid >= 0) {
            *into = 1;
            return pid;
        }
        /* Kernels before 5.7 know no CLONE_INTO_CGROUP; the monitor then moves the child. */
        if (errno != EINVAL && errno != E2BIG && errno != ENOSYS && errno != EOPNOTSUPP)
            return pid;
        args.flags = flags;
        args.cgroup = 0;
    }
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

/* Returns true when FD can be read without blocking: it has data or is at end of file. */
static bool is_readable(int fd, int timeout_ms)
{
    struct pollfd entry = { .fd = fd, .events = POLLIN };
    int ready;

    do {
        ready = poll(&entry, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
}

/*
 * Reads one line from the sync fd and accepts only "go". Returns 0 for "go",
 * 1 as soon as ERROR_FD (the child's error pipe, or -1) becomes readable
 * because the child ended first, and -1 on failure.
 */
static int wait_for_go(int fd, int error_fd)
{
    char line[128];
    char object[160];
    size_t length = 0;

    for (;;) {
        struct pollfd entries[2] = { { .fd = fd, .events = POLLIN }, { .fd = error_fd, .events = POLLIN } };
        ssize_t count;

        if (poll(entries, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return fail("sync", "poll", errno);
        }
        if (entries[1].revents != 0)
            return 1;
        if (entries[0].revents == 0)
            continue;
        count = read(fd, line + length, 1);
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

/* Returns true when CHILD has SETUP_COMM as its command name. When /proc cannot be read, it returns false. */
static bool has_setup_comm(pid_t child)
{
    char path[64];
    char comm[32];

    snprintf(path, sizeof path, "/proc/%d/comm", (int)child);
    if (read_file(path, comm, sizeof comm) < 0)
        return false;
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, SETUP_COMM) == 0;
}

/*
 * Returns true when CHILD, whose error pipe reached end of file, ended before
 * it executed INIT. execve() closes the pipe a moment before it replaces
 * SETUP_COMM by INIT's name (begin_new_exec() in fs/exec.c), and an exiting
 * child closes it a moment before it becomes a zombie. So the check waits
 * until one of the two has happened. The unreaped zombie keeps its /proc
 * entry and its last command name.
 */
static bool child_ended_in_setup(pid_t child)
{
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = 50000 };

    for (;;) {
        siginfo_t info;
        bool in_setup;

        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR)
            return false;
        in_setup = has_setup_comm(child);
        if (info.si_pid == child || !in_setup)
            return in_setup;
        nanosleep(&pause, NULL);
    }
}

/* Records the failure of a child that ended before it executed INIT without sending a failure record. */
static int fail_ended_in_setup(pid_t child, const char *init)
{
    siginfo_t info;

    /* The child closed its error pipe on its way out, so this wait ends soon. */
    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)
        return fail_with("exec", init, ESRCH, "the guest init was killed by signal %d before it executed INIT",
                         info.si_status);
    return fail_with("exec", init, ESRCH, "the guest init exited with code %d before it executed INIT",
                     info.si_status);
}

/*
 * Reads the child's failure record from ERROR_FD. Returns 0 when the pipe
 * closed empty after the child executed INIT, and -1 with last_failure set
 * when the child sent a failure or ended without executing INIT.
 */
static int read_child_result(int error_fd, pid_t child, const char *init)
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
        return child_ended_in_setup(child) ? fail_ended_in_setup(child, init) : 0;
    if (length < sizeof received)
        return fail_with("exec", init, EIO, "the guest init ended while reporting a failure");
    received.step[sizeof received.step - 1] = '\0';
    received.object[sizeof received.object - 1] = '\0';
    received.message[sizeof received.message - 1] = '\0';
    last_failure = received;
    return -1;
}

/*
 * Opens DIR/tasks of each --cgroup DIR on a cgroup v1 hierarchy, where the
 * child moves itself. Entry i is -1 where the monitor moves the child: on
 * cgroup2, which has no "tasks" file, and where the open fails, so the
 * monitor's write to cgroup.procs reports that failure.
 */
static int *open_task_files(const struct create_options *o)
{
    int *task_fds = malloc(((size_t)o->cgroup_count + 1) * sizeof *task_fds);

    if (task_fds == NULL)
        return NULL;
    /* The last entry is the directory of the first cgroup2 --cgroup, for CLONE_INTO_CGROUP. */
    task_fds[o->cgroup_count] = -1;
    for (int i = 0; i < o->cgroup_count; i++) {
        char *tasks = path_join(o->cgroups[i], "tasks");

        task_fds[i] = open(tasks, O_WRONLY | O_CLOEXEC);
        if (task_fds[i] < 0 && errno == ENOENT && task_fds[o->cgroup_count] < 0) {
            task_fds[o->cgroup_count] = open(o->cgroups[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (task_fds[o->cgroup_count] >= 0)
                cloned_into = i;
        }
        free(tasks);
    }
    return task_fds;
}

static void close_task_files(const struct create_options *o, int *task_fds)
{
    for (int i = 0; i <= o->cgroup_count; i++) {
        if (task_fds[i] >= 0)
            close(task_fds[i]);
    }
    free(task_fds);
}

/*
 * Moves the calling child into the cgroups of TASK_FDS by writing "0", the
 * writing thread, to their "tasks" files. The child has one thread, so this
 * moves the whole process. A move of only the calling thread takes no
 * cgroup_threadgroup_rwsem (Linux 6.18, cgroup_procs_write_start() in
 * kernel/cgroup/cgroup.c), so unlike a pid written to cgroup.procs it does
 * not wait for an RCU grace period.
 */
static int join_task_cgroups(const struct create_options *o, const int *task_fds)
{
    for (int i = 0; i < o->cgroup_count; i++) {
        if (task_fds[i] >= 0 && write_all(task_fds[i], "0\n", 2) < 0) {
            char *tasks = path_join(o->cgroups[i], "tasks");

            fail("cgroup", tasks, errno);
            free(tasks);
            return -1;
        }
    }
    return 0;
}

/*
 * Places the child in its cgroups while it sets up the guest. A failed move
 * of a child that has already reported its own failure gives that failure,
 * because the child's step is the cause.
 */
static int place_child(const struct create_options *o, const int *task_fds, pid_t child, int error_fd)
{
    for (int i = 0; i < o->cgroup_count; i++) {
        if (task_fds[i] < 0 && i != cloned_into && cgroup_place(o->cgroups[i], child) < 0) {
            if (is_readable(error_fd, 0))
                read_child_result(error_fd, child, o->argv[0]);
            return -1;
        }
    }
    return 0;
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
static pid_t start_child(const struct create_options *o, const int *task_fds, int *go_fd, int *error_fd)
{
    unsigned long long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
    int go_pipe[2];
    int error_pipe[2];
    int into;
    pid_t child;

    if (pipe2(go_pipe, O_CLOEXEC) < 0 || pipe2(error_pipe, O_CLOEXEC) < 0)
        return fail("pipe", NULL, errno);
    if (o->net == NET_NEW)
        flags |= CLONE_NEWNET;
    /* The child has SETUP_COMM from its first instruction on, so no end of it before execve() goes unnoticed. */
    prctl(PR_GET_NAME, vcontext_comm, 0, 0, 0);
    prctl(PR_SET_NAME, SETUP_COMM, 0, 0, 0);
    child = clone_child(flags, task_fds[o->cgroup_count], &into);
    if (child > 0 && !into)
        cloned_into = -1;
    if (child != 0)
        prctl(PR_SET_NAME, vcontext_comm, 0, 0, 0);
    if (child < 0)
        return fail("clone", o->name != NULL ? o->name : o->root, errno);
    if (child == 0) {
        close(go_pipe[1]);
        close(error_pipe[0]);
        /* First of all, so that the kernel charges the guest's setup to its cgroups. */
        if (join_task_cgroups(o, task_fds) < 0) {
            write_all(error_pipe[1], &last_failure, sizeof last_failure);
            _exit(exit_code_for(&last_failure));
        }
        run_child(o, go_pipe[0], error_pipe[1]);
    }
    close(go_pipe[0]);
    close(error_pipe[1]);
    *go_fd = go_pipe[1];
    *error_fd = error_pipe[0];
    return child;
}

/*
 * Reports the failure of a child that ended before the caller's go. The
 * caller may be attaching the child's pid right now, so the child stays an
 * unreaped zombie, whose pid cannot be reused, until the caller sends its
 * line or closes the sync fd.
 */
static void report_before_go(const struct create_options *o)
{
    struct failure child_failure = last_failure;

    report_failure(&child_failure, o->status_fd);
    wait_for_go(o->sync_fd, -1);
    last_failure = child_failure;
}

/*
 * Places the child in its cgroups, waits for the caller's go (--sync), lets
 * the child continue and reads how its setup ended. Returns 0 when INIT was
 * executed, -1 on failure (last_failure), and 1 when the failure has been
 * reported already. On failure the child is killed and reaped.
 */
static int release_child(const struct create_options *o, const int *task_fds, pid_t child, int go_fd,
                         int error_fd)
{
    int result = place_child(o, task_fds, child, error_fd);

    if (result == 0 && o->sync)
        result = wait_for_go(o->sync_fd, error_fd);
    if (result == 1) {
        read_child_result(error_fd, child, o->argv[0]);
        report_before_go(o);
    } else if (result == 0) {
        /* A child that ended already makes the write fail with EPIPE, and its error pipe shows why it ended. */
        write_all(go_fd, "g", 1);
        result = read_child_result(error_fd, child, o->argv[0]);
    }
    close(go_fd);
    close(error_fd);
    if (result != 0)
        kill_child(child);
    return result;
}

/* Clones the guest, reports its start and waits for it to end. Returns the exit code of vcontext. */
static int monitor_guest(const struct create_options *o)
{
    int keep[2] = { o->status_fd, o->sync ? o->sync_fd : -1 };
    int *task_fds;
    int go_fd = -1;
    int error_fd = -1;
    int result;
    pid_t child;

    if (close_fds_except(keep, 2) < 0 || (o->run_dir != NULL && prepare_run_dir(o->run_dir) < 0))
        goto failed;
    task_fds = open_task_files(o);
    if (task_fds == NULL) {
        fail("cgroup", NULL, ENOMEM);
        goto failed;
    }
    child = start_child(o, task_fds, &go_fd, &error_fd);
    if (child < 0) {
        close_task_files(o, task_fds);
        goto failed;
    }
    /* A caller that stopped reading must not kill the monitor with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (o->foreground)
        forward_signals(child, foreground_signals, sizeof foreground_signals / sizeof foreground_signals[0]);

    if (o->status_fd >= 0)
        status_pid(o->status_fd, child, getpid());
    result = release_child(o, task_fds, child, go_fd, error_fd);
    close_task_files(o, task_fds);
    if (result > 0)
        return exit_code_for(&last_failure);
    if (result < 0)
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
