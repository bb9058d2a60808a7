/*
 * "vcontext spectate": runs a command in the spectator context (xid 1). The
 * command stays in the host's namespaces, so /proc shows every process of the
 * host and of every guest. A Landlock domain keeps it from signalling or
 * tracing any process outside the domain and from changing files. Seccomp
 * filters keep it from setting other processes' resource limits and from the
 * syscalls the default filter of guests rejects, such as those of the keyrings
 * that uid 0 shares with the host. It runs as uid 0 without any capability and
 * with no_new_privs.
 *
 * No new pid namespace is joined, so vcontext needs no child: it confines
 * itself and executes the command in place. The command's exit status is
 * therefore vcontext's.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Linux 6.1 headers (Debian bookworm's linux-libc-dev) lack the scoped rights.
 * The definitions below are those of include/uapi/linux/landlock.h in Linux
 * 6.12: "scoped" follows "handled_access_net" (Landlock ABI 4) in the struct.
 */
#ifdef LANDLOCK_SCOPE_SIGNAL
#define spectator_ruleset_attr landlock_ruleset_attr
#else
struct spectator_ruleset_attr {
    __u64 handled_access_fs;
    __u64 handled_access_net;
    __u64 scoped;
};
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* Landlock ABI 3, Linux 6.2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* Landlock ABI 5, Linux 6.10 */
#endif

/* Landlock ABI 6 (Linux 6.12) introduced the signal and abstract UNIX socket scopes. */
#define SPECTATOR_MIN_LANDLOCK_ABI 6

/*
 * Every right that changes a file or a directory. A handled right is denied
 * wherever no rule allows it, and the only rule is for /dev/null, so the
 * spectator can still read, list and execute everything.
 */
#define SPECTATOR_DENIED_FS_ACCESS                                              \
    (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |            \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |            \
     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                \
     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |              \
     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM |              \
     LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE |                   \
     LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Fails unless the running kernel offers Landlock ABI 6 or later; an unconfined spectator never runs. */
static int check_landlock_abi(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    int err = errno;

    if (abi < 0)
        return fail_with("landlock", "landlock_create_ruleset", err == EOPNOTSUPP ? EOPNOTSUPP : ENOSYS,
                         "Landlock is %s: the spectator needs Linux 6.12 or later with Landlock enabled",
                         err == EOPNOTSUPP ? "disabled at boot" : "not available");
    if (abi < SPECTATOR_MIN_LANDLOCK_ABI)
        return fail_with("landlock", "landlock_create_ruleset", EOPNOTSUPP,
                         "Landlock ABI %ld is too old: the spectator needs ABI %d (Linux 6.12) or later",
                         abi, SPECTATOR_MIN_LANDLOCK_ABI);
    return 0;
}

/*
 * Allows writing to /dev/null, the one exception to the denied rights, so that
 * commands such as "ps 2>/dev/null" work. Without /dev/null the ruleset stays
 * stricter, which is harmless.
 */
static int allow_dev_null(int ruleset)
{
    struct landlock_path_beneath_attr rule = { .allowed_access = LANDLOCK_ACCESS_FS_WRITE_FILE };
    int fd = open("/dev/null", O_PATH | O_CLOEXEC);
    int result = 0;

    if (fd < 0)
        return 0;
    rule.parent_fd = fd;
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
        result = fail("landlock", "/dev/null", errno);
    close(fd);
    return result;
}

/* Returns a ruleset fd that denies file changes, signals and abstract UNIX sockets outside the domain. */
static int create_ruleset(void)
{
    struct spectator_ruleset_attr attr = {
        .handled_access_fs = SPECTATOR_DENIED_FS_ACCESS,
        .scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
    };
    long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);

    if (fd < 0)
        return fail("landlock", "landlock_create_ruleset", errno);
    if (allow_dev_null((int)fd) < 0) {
        close((int)fd);
        return -1;
    }
    return (int)fd;
}

/* Offsets of the low and high 32 bits of a syscall argument in struct seccomp_data. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARGUMENT_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARGUMENT_HIGH(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#else
#define ARGUMENT_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define ARGUMENT_HIGH(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#endif

/*
 * Installs a seccomp filter that rejects with EPERM every prlimit() call that
 * sets limits through a pid other than 0 (the caller). Landlock does not cover
 * prlimit, and uid 0 may change the limits of every process whose uids are all
 * 0. It stacks on the default filter of guests, which apply_privileges()
 * installed.
 */
static int deny_foreign_prlimit(void)
{
    static const struct sock_filter rules[] = {
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prlimit64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* pid_t is 32 bits wide, so the kernel reads only the low half of the pid. */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT_LOW(0)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT_LOW(2)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARGUMENT_HIGH(2)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_DENY_EPERM),
    };

    return seccomp_install("prlimit", rules, sizeof rules / sizeof rules[0]);
}

/*
 * Installs the default seccomp filter of guests and drops every capability
 * (apply_privileges()), adds the prlimit filter and enters the Landlock
 * domain. Those two need no_new_privs once CAP_SYS_ADMIN is gone, and
 * apply_privileges() sets it before it drops the capabilities. Landlock denies
 * ptrace of processes outside the domain without any scope flag.
 */
static int confine(const struct process_settings *settings)
{
    int ruleset = create_ruleset();

    if (ruleset < 0)
        return -1;
    if (apply_privileges(settings) < 0 || deny_foreign_prlimit() < 0) {
        close(ruleset);
        return -1;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
        fail("landlock", "landlock_restrict_self", errno);
        close(ruleset);
        return -1;
    }
    close(ruleset);
    return 0;
}

/*
 * NOTE: the command keeps uid 0 and so owns every root-owned object. Landlock
 * up to ABI 7 does not restrict chmod, utimes or user xattrs of root's files,
 * the host's SysV IPC, TCP and UDP, or connect() to pathname UNIX sockets, so
 * the spectator can still do those. setpriority() and sched_setaffinity() work
 * only on root's processes with no capabilities.
 */
int run_spectate(const struct spectate_options *o)
{
    if (check_landlock_abi() < 0)
        goto failed;
    /* Not dumpable until execve(), so only a process with CAP_SYS_PTRACE can trace it or read its /proc files. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        fail("prctl", "PR_SET_DUMPABLE", errno);
        goto failed;
    }
    for (int i = 0; i < o->cgroup_count; i++) {
        if (cgroup_place(o->cgroups[i], getpid()) < 0)
            goto failed;
    }
    reset_signals();
    if (confine(&o->settings) < 0)
        goto failed;
    exec_command(&o->settings, o->argv, -1);
failed:
    report_failure(&last_failure, -1);
    return exit_code_for(&last_failure);
}
