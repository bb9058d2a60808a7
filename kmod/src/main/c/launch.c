/* The last steps before execve(), shared by the guest init and entered commands. */
#include "vcontext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * Applies rlimits, no_new_privs and the capability sets, in this order:
 * raising a hard rlimit needs CAP_SYS_RESOURCE, so the capabilities come last.
 */
int apply_privileges(const struct process_settings *settings)
{
    if (rlimit_apply(&settings->rlimits) < 0)
        return -1;
    if (settings->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return fail("no_new_privs", NULL, errno);
    /*
     * The seccomp filter comes before the capability drop, because installing
     * a filter needs no_new_privs or CAP_SYS_ADMIN. vcontext still has
     * CAP_SYS_ADMIN here, so a guest without no_new_privs gets the filter and
     * keeps working setuid programs. The filter allows every later call (prctl,
     * capset, close_range, chdir, execve), so it is in force for INIT and CMD
     * from their first instruction, and their children inherit it.
     */
    if (seccomp_apply(settings->seccomp) < 0)
        return -1;
    return caps_apply(&settings->caps);
}

static const char *search_path(char **env)
{
    for (char **entry = env; *entry != NULL; entry++) {
        if (strncmp(*entry, "PATH=", 5) == 0)
            return *entry + 5;
    }
    return "/usr/bin:/bin";
}

/*
 * Executes ARGV, searching the directories of the PATH in ENV as execvp()
 * does. vcontext's own PATH is not used because the guest must not depend on
 * the caller's environment. Returns only on failure, with errno set.
 */
static void exec_searching(char **argv, char **env)
{
    const char *directories = search_path(env);
    int saved = ENOENT;

    if (strchr(argv[0], '/') != NULL) {
        execve(argv[0], argv, env);
        return;
    }
    while (*directories != '\0') {
        size_t length = strcspn(directories, ":");
        char directory[4096];
        char *candidate;

        if (length > 0 && length < sizeof directory) {
            memcpy(directory, directories, length);
            directory[length] = '\0';
            candidate = path_join(directory, argv[0]);
            execve(candidate, argv, env);
            free(candidate);
            if (errno == EACCES)
                saved = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR)
                return;
        }
        directories += length;
        if (*directories == ':')
            directories++;
    }
    errno = saved;
}

/*
 * Closes every fd but 0, 1, 2 and KEEP_FD (a close-on-exec error pipe, or -1),
 * changes to the working directory and executes ARGV. Returns -1 on failure.
 */
int exec_command(const struct process_settings *settings, char **argv, int keep_fd)
{
    if (close_fds_except(&keep_fd, 1) < 0)
        return -1;
    if (chdir(settings->chdir) < 0)
        return fail("chdir", settings->chdir, errno);
    exec_searching(argv, settings->env);
    return fail("exec", argv[0], errno);
}
