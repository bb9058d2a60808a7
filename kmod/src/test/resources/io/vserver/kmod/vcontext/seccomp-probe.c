/*
 * The probe of SeccompTest and smoke.sh: for each syscall name given, makes
 * the syscall with arguments that cannot change anything and prints
 * "NAME ok" or "NAME ERRNO", for example "keyctl EPERM". Without a seccomp
 * filter the invalid pointers give EFAULT and the invalid commands EINVAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING (-3)
#define INVALID_POINTER ((long)1)

static long probe(const char *name)
{
    if (strcmp(name, "keyctl") == 0)
        return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (strcmp(name, "add_key") == 0)
        return syscall(SYS_add_key, INVALID_POINTER, INVALID_POINTER, NULL, 0, KEY_SPEC_SESSION_KEYRING);
    if (strcmp(name, "bpf") == 0)
        return syscall(SYS_bpf, -1, NULL, 0);
    if (strcmp(name, "perf_event_open") == 0)
        return syscall(SYS_perf_event_open, INVALID_POINTER, 0, -1, -1, 0);
    if (strcmp(name, "open_by_handle_at") == 0)
        return syscall(SYS_open_by_handle_at, -1, INVALID_POINTER, 0);
    if (strcmp(name, "swapon") == 0)
        return syscall(SYS_swapon, INVALID_POINTER, 0);
    if (strcmp(name, "settimeofday") == 0)
        return syscall(SYS_settimeofday, INVALID_POINTER, NULL);
    if (strcmp(name, "clock_settime") == 0)
        return syscall(SYS_clock_settime, CLOCK_REALTIME, INVALID_POINTER);
    if (strcmp(name, "getpid") == 0)
        return syscall(SYS_getpid);
    errno = ENOSYS;
    return -2;
}

static const char *errno_text(int err)
{
    switch (err) {
    case EPERM: return "EPERM";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case ENOKEY: return "ENOKEY";
    default: return "OTHER";
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long result = probe(argv[i]);

        if (result == -2)
            printf("%s unknown\n", argv[i]);
        else if (result < 0)
            printf("%s %s\n", argv[i], errno_text(errno));
        else
            printf("%s ok\n", argv[i]);
    }
    return 0;
}
