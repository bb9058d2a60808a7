/*
 * The failure record: which step failed, on which object, with which errno.
 * Every failure is printed on stderr as "vcontext: STEP OBJECT: MESSAGE (ERRNAME)"
 * and, when a status fd is in use, also written there as a JSON error line.
 */
#include "vcontext.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct failure last_failure;

struct errno_entry {
    int value;
    const char *name;
};

#define ENTRY(e) { e, #e }

static const struct errno_entry errno_table[] = {
    ENTRY(EPERM), ENTRY(ENOENT), ENTRY(ESRCH), ENTRY(EINTR), ENTRY(EIO),
    ENTRY(ENXIO), ENTRY(E2BIG), ENTRY(ENOEXEC), ENTRY(EBADF), ENTRY(ECHILD),
    ENTRY(EAGAIN), ENTRY(ENOMEM), ENTRY(EACCES), ENTRY(EFAULT), ENTRY(ENOTBLK),
    ENTRY(EBUSY), ENTRY(EEXIST), ENTRY(EXDEV), ENTRY(ENODEV), ENTRY(ENOTDIR),
    ENTRY(EISDIR), ENTRY(EINVAL), ENTRY(ENFILE), ENTRY(EMFILE), ENTRY(ENOTTY),
    ENTRY(ETXTBSY), ENTRY(EFBIG), ENTRY(ENOSPC), ENTRY(ESPIPE), ENTRY(EROFS),
    ENTRY(EMLINK), ENTRY(EPIPE), ENTRY(EDOM), ENTRY(ERANGE), ENTRY(EDEADLK),
    ENTRY(ENAMETOOLONG), ENTRY(ENOLCK), ENTRY(ENOSYS), ENTRY(ENOTEMPTY),
    ENTRY(ELOOP), ENTRY(ENOMSG), ENTRY(EIDRM), ENTRY(ENODATA), ENTRY(ETIME),
    ENTRY(ENOLINK), ENTRY(EPROTO), ENTRY(EBADMSG), ENTRY(EOVERFLOW),
    ENTRY(EILSEQ), ENTRY(EUSERS), ENTRY(ENOTSOCK), ENTRY(EDESTADDRREQ),
    ENTRY(EMSGSIZE), ENTRY(EPROTOTYPE), ENTRY(ENOPROTOOPT),
    ENTRY(EPROTONOSUPPORT), ENTRY(EOPNOTSUPP), ENTRY(EAFNOSUPPORT),
    ENTRY(EADDRINUSE), ENTRY(EADDRNOTAVAIL), ENTRY(ENETDOWN),
    ENTRY(ENETUNREACH), ENTRY(ECONNABORTED), ENTRY(ECONNRESET),
    ENTRY(ENOBUFS), ENTRY(EISCONN), ENTRY(ENOTCONN), ENTRY(ETIMEDOUT),
    ENTRY(ECONNREFUSED), ENTRY(EHOSTUNREACH), ENTRY(EALREADY),
    ENTRY(EINPROGRESS), ENTRY(ESTALE), ENTRY(EDQUOT), ENTRY(ECANCELED),
    ENTRY(EOWNERDEAD), ENTRY(ENOTRECOVERABLE), ENTRY(ENOKEY),
    ENTRY(EKEYEXPIRED), ENTRY(EKEYREVOKED), ENTRY(EKEYREJECTED),
    ENTRY(ENOMEDIUM), ENTRY(EMEDIUMTYPE), ENTRY(EUCLEAN),
};

const char *errno_name(int err)
{
    for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++) {
        if (errno_table[i].value == err)
            return errno_table[i].name;
    }
    return "UNKNOWN";
}

static void copy_text(char *target, size_t size, const char *text)
{
    snprintf(target, size, "%s", text ? text : "");
}

/* Records a failure of STEP on OBJECT with errno ERR and returns -1. */
int fail(const char *step, const char *object, int err)
{
    copy_text(last_failure.step, sizeof last_failure.step, step);
    copy_text(last_failure.object, sizeof last_failure.object, object);
    last_failure.message[0] = '\0';
    last_failure.err = err;
    return -1;
}

/* Records a failure with a message more precise than strerror(ERR) and returns -1. */
int fail_with(const char *step, const char *object, int err, const char *format, ...)
{
    va_list arguments;

    fail(step, object, err);
    va_start(arguments, format);
    vsnprintf(last_failure.message, sizeof last_failure.message, format, arguments);
    va_end(arguments);
    return -1;
}

const char *failure_message(const struct failure *f)
{
    if (f->message[0] != '\0')
        return f->message;
    return strerror(f->err);
}

/* Prints F on stderr and, if STATUS_FD >= 0, writes it there as a JSON error line. */
void report_failure(const struct failure *f, int status_fd)
{
    char line[sizeof f->step + sizeof f->object + sizeof f->message + 64];
    int length;

    if (f->object[0] != '\0')
        length = snprintf(line, sizeof line, "vcontext: %s %s: %s (%s)\n", f->step,
                          f->object, failure_message(f), errno_name(f->err));
    else
        length = snprintf(line, sizeof line, "vcontext: %s: %s (%s)\n", f->step,
                          failure_message(f), errno_name(f->err));
    if (length > 0)
        write_all(STDERR_FILENO, line, (size_t)length < sizeof line ? (size_t)length : sizeof line - 1);
    if (status_fd >= 0)
        status_error(status_fd, f);
}

/* Maps a failure to the exit code: 127 command not found, 126 not executable, else 125. */
int exit_code_for(const struct failure *f)
{
    if (strcmp(f->step, "exec") != 0)
        return EXIT_VCONTEXT_FAILED;
    if (f->err == ENOENT || f->err == ENOTDIR)
        return EXIT_NOT_FOUND;
    return EXIT_CANNOT_EXECUTE;
}
