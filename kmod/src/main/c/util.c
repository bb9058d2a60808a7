/* Small helpers: complete writes, closing inherited fds, signals, paths, numbers. */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Writes all of BUFFER, retrying after signals and short writes. */
int write_all(int fd, const void *buffer, size_t length)
{
    const char *p = buffer;

    while (length > 0) {
        ssize_t written = write(fd, p, length);

        if (written < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += written;
        length -= (size_t)written;
    }
    return 0;
}

static int compare_ints(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int close_range_of(unsigned int first, unsigned int last)
{
    if (syscall(SYS_close_range, first, last, 0) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;

    /* Kernels before 5.9 lack close_range: close one by one up to the fd limit. */
    struct rlimit limit;
    unsigned int end = last;

    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur - 1 < end)
        end = (unsigned int)limit.rlim_cur - 1;
    for (unsigned int fd = first; fd <= end && fd >= first; fd++)
        close((int)fd);
    return 0;
}

/* Closes every fd from 3 up except those in KEEP (at most 8 entries). */
int close_fds_except(const int *keep, int count)
{
    int sorted[8];
    int kept_count = 0;
    unsigned int next = 3;

    for (int i = 0; i < count && kept_count < 8; i++) {
        if (keep[i] >= 3)
            sorted[kept_count++] = keep[i];
    }
    qsort(sorted, (size_t)kept_count, sizeof sorted[0], compare_ints);
    for (int i = 0; i < kept_count; i++) {
        unsigned int fd = (unsigned int)sorted[i];

        if (fd > next && close_range_of(next, fd - 1) < 0)
            return fail("close_range", NULL, errno);
        if (fd + 1 > next)
            next = fd + 1;
    }
    if (close_range_of(next, ~0U) < 0)
        return fail("close_range", NULL, errno);
    return 0;
}

/*
 * Restores the default action of every signal and unblocks all of them.
 * Ignored signals and the signal mask survive execve(), so a guest would
 * otherwise inherit them from the process that started vcontext.
 */
void reset_signals(void)
{
    sigset_t all;

    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number != SIGKILL && signal_number != SIGSTOP)
            signal(signal_number, SIG_DFL);
    }
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Returns DIRECTORY/NAME in new memory. Exits when memory runs out. */
char *path_join(const char *directory, const char *name)
{
    size_t length = strlen(directory);
    char *path;

    while (length > 1 && directory[length - 1] == '/')
        length--;
    while (*name == '/')
        name++;
    path = malloc(length + strlen(name) + 2);
    if (path == NULL) {
        fail("memory", NULL, ENOMEM);
        report_failure(&last_failure, -1);
        _exit(EXIT_VCONTEXT_FAILED);
    }
    sprintf(path, "%.*s/%s", (int)length, directory, name);
    return path;
}

/* Reads at most SIZE - 1 bytes of PATH into BUFFER as a string. Returns its length, or -1. */
int read_file(const char *path, char *buffer, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t length = 0;

    if (fd < 0)
        return -1;
    while (length + 1 < size) {
        ssize_t count = read(fd, buffer + length, size - 1 - length);

        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0) {
            int saved = errno;

            close(fd);
            errno = saved;
            return -1;
        }
        if (count == 0)
            break;
        length += (size_t)count;
    }
    close(fd);
    buffer[length] = '\0';
    return (int)length;
}

/* Parses a decimal number up to MAX. Returns -1 on anything else. */
int parse_uint(const char *text, unsigned long long max, unsigned long long *value)
{
    char *end;

    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    *value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || *value > max)
        return -1;
    return 0;
}

/* Parses a byte count with an optional k, m or g suffix (powers of 1024). */
int parse_size(const char *text, unsigned long long *bytes)
{
    char number[32];
    size_t length = strlen(text);
    unsigned long long multiplier = 1;

    if (length == 0 || length >= sizeof number)
        return -1;
    memcpy(number, text, length + 1);
    switch (number[length - 1]) {
    case 'k': case 'K': multiplier = 1ULL << 10; break;
    case 'm': case 'M': multiplier = 1ULL << 20; break;
    case 'g': case 'G': multiplier = 1ULL << 30; break;
    default: break;
    }
    if (multiplier != 1)
        number[length - 1] = '\0';
    if (parse_uint(number, ULLONG_MAX / multiplier, bytes) < 0)
        return -1;
    *bytes *= multiplier;
    return 0;
}

static volatile pid_t forward_target;

static void forward_signal(int signal_number, siginfo_t *info, void *context)
{
    (void)context;
    /*
     * The kernel sends a terminal's signals (Ctrl-C) to its whole foreground
     * process group, which contains the target too. Passing such a signal on
     * would deliver it twice.
     */
    if (info->si_code == SI_KERNEL)
        return;
    if (forward_target > 0)
        kill(forward_target, signal_number);
}

/* Installs handlers that pass each of SIGNALS on to TARGET. */
void forward_signals(pid_t target, const int *signals, size_t count)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_sigaction = forward_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    forward_target = target;
    for (size_t i = 0; i < count; i++)
        sigaction(signals[i], &action, NULL);
}
