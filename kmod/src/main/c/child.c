/*
 * The cloned guest init: pid 1 of the new pid namespace. It has moved itself
 * into its cgroup v1 cgroups already (start_child() in monitor.c). It builds
 * the guest's view of the system while the monitor places it in its other
 * cgroups, waits for the monitor's go, creates its cgroup namespace, drops
 * privileges and executes INIT. A failure is sent to the monitor through the
 * close-on-exec error pipe, and a successful execve() closes the pipe with
 * nothing written.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals the --reaper init passes on to INIT. */
static const int reaper_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT };

static int open_console(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0640);

    if (fd < 0)
        return fail("console", path, errno);
    return fd;
}

/*
 * Gives the guest stdin /dev/null and stdout and stderr the console file:
 * --console, else RUN_DIR/console.log, else /dev/null. With --foreground the
 * guest keeps vcontext's stdio, unless --console is given for its output.
 */
static int setup_stdio(const struct create_options *o)
{
    char *console = NULL;
    int input = -1;
    int output;
    int result = -1;

    if (o->console != NULL)
        console = strdup(o->console);
    else if (o->run_dir != NULL && !o->foreground)
        console = path_join(o->run_dir, "console.log");
    if (o->foreground && console == NULL)
        return 0;

    output = open_console(console != NULL ? console : "/dev/null");
    if (output < 0)
        goto out;
    if (!o->foreground && (input = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        fail("console", "/dev/null", errno);
        goto out;
    }
    if ((input >= 0 && dup2(input, STDIN_FILENO) < 0) || dup2(output, STDOUT_FILENO) < 0 ||
        dup2(output, STDERR_FILENO) < 0) {
        fail("console", console != NULL ? console : "/dev/null", errno);
        goto out;
    }
    result = 0;
out:
    if (input >= 0)
        close(input);
    if (output >= 0)
        close(output);
    free(console);
    return result;
}

/* Brings up the loopback interface of the new network namespace. */
static int loopback_up(void)
{
    struct ifreq request;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int result = 0;

    if (fd < 0)
        return fail("loopback", "lo", errno);
    memset(&request, 0, sizeof request);
    strcpy(request.ifr_name, "lo");
    if (ioctl(fd, SIOCGIFFLAGS, &request) < 0)
        result = fail("loopback", "lo", errno);
    request.ifr_flags |= IFF_UP;
    if (result == 0 && ioctl(fd, SIOCSIFFLAGS, &request) < 0)
        result = fail("loopback", "lo", errno);
    close(fd);
    return result;
}

static int join_network(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return fail("setns", path, errno);
    if (setns(fd, CLONE_NEWNET) < 0) {
        close(fd);
        return fail("setns", path, errno);
    }
    close(fd);
    return 0;
}

static int build_guest_filesystem(const struct create_options *o)
{
    int root_fd = -1;
    int result = -1;

    if (mount_guest_root(o, &root_fd) < 0)
        return -1;
    if (mount_kernel_filesystems(root_fd, o->root, o->shm_size) == 0 && mount_extra(o, root_fd) == 0 &&
        mask_kernel_files(root_fd, o->root) == 0)
        result = pivot_to_root(root_fd, o->root);
    close(root_fd);
    return result;
}

static void send_failure(int error_fd)
{
    write_all(error_fd, &last_failure, sizeof last_failure);
}

/*
 * Runs as pid 1 with INIT as pid 2 (--reaper): reaps every orphan of the
 * guest, forwards the reaper signals to INIT and exits with INIT's exit
 * code. Returns only when the fork fails.
 */
static int run_reaper(const struct create_options *o, int error_fd)
{
    sigset_t blocked;
    sigset_t previous;
    pid_t init;
    int status;

    if (close_fds_except(&error_fd, 1) < 0)
        return -1;
    sigemptyset(&blocked);
    for (size_t i = 0; i < sizeof reaper_signals / sizeof reaper_signals[0]; i++)
        sigaddset(&blocked, reaper_signals[i]);
    /* Blocked until the forwarding target is known, so no signal is lost. */
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    init = fork();
    if (init < 0)
        return fail("fork", o->argv[0], errno);
    if (init == 0) {
        reset_signals();
        exec_command(&o->settings, o->argv, error_fd);
        send_failure(error_fd);
        _exit(exit_code_for(&last_failure));
    }
    /*
     * INIT has the only write end now, so the monitor reads end of file exactly
     * when INIT executes. This process drops SETUP_COMM first because the
     * monitor takes that name at end of file for an init that never executed.
     * NOTE: the monitor checks only this pid 1, so an INIT killed before its
     * execve() is reported as executed, and this pid 1 then exits with 128+N.
     */
    prctl(PR_SET_NAME, vcontext_comm, 0, 0, 0);
    close(error_fd);
    /* The guest sees this pid 1's command line, which held host paths and options. */
    set_process_title("vcontext-init");
    /*
     * NOTE: this pid 1 still runs the host's vcontext binary, so /proc/1/exe
     * leads to a host file. Not dumpable, it can be opened only by guest
     * processes that hold CAP_SYS_PTRACE; a guest that keeps that capability
     * could read the binary (writing it fails with ETXTBSY while it runs).
     */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    forward_signals(init, reaper_signals, sizeof reaper_signals / sizeof reaper_signals[0]);
    sigprocmask(SIG_SETMASK, &previous, NULL);
    for (;;) {
        pid_t reaped = wait(&status);

        if (reaped == init)
            _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
        if (reaped < 0 && errno == ECHILD)
            _exit(EXIT_VCONTEXT_FAILED);
    }
}

/*
 * Sets up everything that does not depend on the guest's cgroups: stdio,
 * session, network, the file system with pivot_root, and the host name. It
 * runs while the monitor moves this process into its cgroup2 cgroup, a move
 * that can wait for an RCU grace period. Memory that this setup allocates
 * before that move is charged to the cgroup2 cgroup this process is in then.
 */
static int prepare_guest(const struct create_options *o)
{
    if (setup_stdio(o) < 0)
        return -1;
    /* A detached guest gets its own session, with its init as the leader, as on a booted system. */
    if (!o->foreground && setsid() < 0)
        return fail("setsid", NULL, errno);
    if (o->net == NET_PATH && join_network(o->net_path) < 0)
        return -1;
    if (o->net == NET_NEW && loopback_up() < 0)
        return -1;
    if (build_guest_filesystem(o) < 0)
        return -1;
    if (o->hostname != NULL && sethostname(o->hostname, strlen(o->hostname)) < 0)
        return fail("sethostname", o->hostname, errno);
    return 0;
}

/* Runs after the go, once the monitor has placed this process in its cgroups. */
static int finish_guest(const struct create_options *o, int error_fd)
{
    /*
     * The cgroup namespace is created only now, after the monitor moved this
     * process into its cgroups. Its root is the cgroup at unshare() time, so
     * unsharing earlier would show the guest paths like /../.. in
     * /proc/self/cgroup.
     */
    if (unshare(CLONE_NEWCGROUP) < 0)
        return fail("unshare", "cgroup namespace", errno);
    if (apply_privileges(&o->settings) < 0)
        return -1;
    if (o->reaper)
        return run_reaper(o, error_fd);
    return exec_command(&o->settings, o->argv, error_fd);
}

void run_child(const struct create_options *o, int go_fd, int error_fd)
{
    char go;
    ssize_t count;

    reset_signals();
    if (prepare_guest(o) < 0) {
        send_failure(error_fd);
        _exit(exit_code_for(&last_failure));
    }

    do {
        count = read(go_fd, &go, 1);
    } while (count < 0 && errno == EINTR);
    /* No go byte: the monitor aborted (it kills this process) or died. */
    if (count != 1)
        _exit(EXIT_VCONTEXT_FAILED);
    close(go_fd);

    finish_guest(o, error_fd);
    send_failure(error_fd);
    _exit(exit_code_for(&last_failure));
}
