/*
 * Seccomp filters: the default filter of guests, which rejects with EPERM the
 * syscalls that reach host-wide kernel state, and the installer that every
 * filter of vcontext shares (spectate.c adds its prlimit rule with it).
 *
 * Each filter is classic BPF. Its common prologue accepts only the native ABI
 * (AUDIT_ARCH_X86_64 or AUDIT_ARCH_AARCH64), because the syscall numbers of
 * the rules are those of the native ABI. Syscalls of another ABI (x32 or i386
 * on x86_64, 32-bit ARM on aarch64) fail with EPERM.
 */
#include "vcontext.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * The syscalls the default filter rejects. docs/seccomp.md gives the reason
 * for each one. A name this architecture lacks (iopl on aarch64) is left out.
 */
static const int denied_syscalls[] = {
    /* Keyrings are not namespaced. */
    SYS_add_key, SYS_keyctl, SYS_request_key,
    /* Kernel code. */
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_kexec_load,
#ifdef SYS_kexec_file_load
    SYS_kexec_file_load,
#endif
    SYS_bpf, SYS_perf_event_open,
    /* File handles bypass the guest's root directory. */
    SYS_open_by_handle_at,
    /* Host-wide memory, accounting and quota settings. */
    SYS_swapon, SYS_swapoff, SYS_acct, SYS_quotactl,
#ifdef SYS_quotactl_fd
    SYS_quotactl_fd,
#endif
    /* The clocks are shared with the host. */
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex,
#ifdef SYS_stime
    SYS_stime,
#endif
    /* Hardware and obsolete kernel interfaces. */
#ifdef SYS_iopl
    SYS_iopl,
#endif
#ifdef SYS_ioperm
    SYS_ioperm,
#endif
#ifdef SYS_lookup_dcookie
    SYS_lookup_dcookie,
#endif
#ifdef SYS_nfsservctl
    SYS_nfsservctl,
#endif
    SYS_userfaultfd,
};

#define DENIED_COUNT (sizeof denied_syscalls / sizeof denied_syscalls[0])

/* The maximum filter length: the prologue, one jump per denied syscall, allow and deny. */
#define MAX_FILTER_LENGTH 64

int seccomp_parse_mode(const char *text, enum seccomp_mode *mode)
{
    if (strcmp(text, "default") == 0)
        *mode = SECCOMP_DEFAULT;
    else if (strcmp(text, "unconfined") == 0)
        *mode = SECCOMP_UNCONFINED;
    else
        return fail_with("parse", text, EINVAL, "invalid --seccomp, expected default or unconfined");
    return 0;
}

/*
 * Installs RULES behind the common prologue. RULES start with the syscall
 * number in the accumulator and must end in a return. OBJECT names the filter
 * in a failure. The caller must have no_new_privs set or CAP_SYS_ADMIN in its
 * effective set.
 */
int seccomp_install(const char *object, const struct sock_filter *rules, size_t count)
{
#ifdef NATIVE_AUDIT_ARCH
    static const struct sock_filter prologue[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_DENY_EPERM),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
        /* x32 syscalls carry the native arch and set this bit in the number. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_DENY_EPERM),
#endif
    };
    size_t prologue_length = sizeof prologue / sizeof prologue[0];
    struct sock_filter filter[MAX_FILTER_LENGTH];
    struct sock_fprog program = { (unsigned short)(prologue_length + count), filter };

    if (prologue_length + count > MAX_FILTER_LENGTH)
        return fail_with("seccomp", object, E2BIG, "the seccomp filter is too long");
    memcpy(filter, prologue, sizeof prologue);
    memcpy(filter + prologue_length, rules, count * sizeof rules[0]);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) < 0)
        return fail("seccomp", object, errno);
    return 0;
#else
    (void)rules;
    (void)count;
    return fail_with("seccomp", object, ENOSYS, "vcontext was built without seccomp filters for this architecture");
#endif
}

/* Installs the default filter of guests: EPERM for each denied syscall, everything else allowed. */
static int install_default_filter(void)
{
    struct sock_filter rules[DENIED_COUNT + 2];

    for (size_t i = 0; i < DENIED_COUNT; i++) {
        /* A match jumps over the remaining jumps and the allow, to the deny. */
        unsigned char to_deny = (unsigned char)(DENIED_COUNT - i);
        struct sock_filter jump = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied_syscalls[i], to_deny, 0);

        rules[i] = jump;
    }
    rules[DENIED_COUNT] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    rules[DENIED_COUNT + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_DENY_EPERM);
    return seccomp_install("default", rules, DENIED_COUNT + 2);
}

int seccomp_apply(enum seccomp_mode mode)
{
    return mode == SECCOMP_UNCONFINED ? 0 : install_default_filter();
}

/* Returns the number after KEY in a /proc/PID/status text, or -1 when the line is missing. */
static long status_number(const char *status, const char *key)
{
    const char *line = strstr(status, key);

    return line == NULL ? -1 : strtol(line + strlen(key), NULL, 10);
}

/*
 * Finds the mode of process PID: default when it runs under more seccomp
 * filters than vcontext itself, which inherited those of the host. Kernels
 * before Linux 5.9 lack the filter count, and there any filter counts.
 * NOTE: this assumes that the guest's creator ran under as many filters as
 * this vcontext. A caller under more filters (a systemd service with
 * SystemCallFilter=) takes a filtered guest for an unconfined one, so such a
 * caller passes --seccomp.
 */
int seccomp_read_process(pid_t pid, enum seccomp_mode *mode)
{
    char path[64];
    char status[8192];
    char own[8192];
    long filters;
    long own_filters;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (read_file(path, status, sizeof status) < 0)
        return fail("status", path, errno);
    if (status_number(status, "\nSeccomp:") < 0)
        return fail_with("status", path, EINVAL, "the Seccomp line is missing");
    filters = status_number(status, "\nSeccomp_filters:");
    if (filters >= 0 && read_file("/proc/self/status", own, sizeof own) >= 0 &&
        (own_filters = status_number(own, "\nSeccomp_filters:")) >= 0) {
        *mode = filters > own_filters ? SECCOMP_DEFAULT : SECCOMP_UNCONFINED;
        return 0;
    }
    *mode = status_number(status, "\nSeccomp:") == SECCOMP_MODE_FILTER ? SECCOMP_DEFAULT : SECCOMP_UNCONFINED;
    return 0;
}
