/*
 * Cgroup placement: moving a process into given cgroup directories, and
 * joining every cgroup of another process on cgroup v1, v2 or both (hybrid).
 * Mount points are discovered from /proc/self/mountinfo, never assumed.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes PID into DIRECTORY/cgroup.procs, which moves the whole process. */
int cgroup_place(const char *directory, pid_t pid)
{
    char *procs = path_join(directory, "cgroup.procs");
    char number[32];
    int length = snprintf(number, sizeof number, "%d\n", (int)pid);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);

    if (fd < 0 || write_all(fd, number, (size_t)length) < 0) {
        fail("cgroup", procs, errno);
        if (fd >= 0)
            close(fd);
        free(procs);
        return -1;
    }
    close(fd);
    free(procs);
    return 0;
}

/* Decodes the octal escapes (\040 for a space) that mountinfo uses in paths, in place. */
static void unescape_mountinfo(char *text)
{
    char *out = text;

    for (char *in = text; *in != '\0'; in++) {
        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
            in[3] >= '0' && in[3] <= '7') {
            *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
            in += 3;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}

/* Returns true when every comma-separated entry of REQUIRED is an option in OPTIONS. */
static bool has_all_options(const char *options, const char *required)
{
    while (*required != '\0') {
        size_t length = strcspn(required, ",");
        const char *p = options;
        bool found = false;

        while (*p != '\0' && !found) {
            size_t option_length = strcspn(p, ",");

            found = option_length == length && strncmp(p, required, length) == 0;
            p += option_length;
            if (*p == ',')
                p++;
        }
        if (!found)
            return false;
        required += length;
        if (*required == ',')
            required++;
    }
    return true;
}

/* A mounted cgroup hierarchy: where it is mounted and which of its cgroups is the mount's root. */
struct cgroup_mount {
    char root[1024];
    char mount_point[1024];
};

/*
 * Finds the mount of the hierarchy named by CONTROLLERS, as in the second
 * field of /proc/PID/cgroup: empty for cgroup2, else the v1 controller list
 * or "name=NAME". Returns 0 when found, 1 when it is not mounted, -1 on error.
 */
static int find_cgroup_mount(const char *controllers, struct cgroup_mount *found)
{
    FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    int result = 1;

    if (mountinfo == NULL)
        return fail("cgroup", "/proc/self/mountinfo", errno);
    while (result == 1 && fgets(line, sizeof line, mountinfo) != NULL) {
        char root[1024], mount_point[1024], fstype[64], super_options[1024];
        char *separator = strstr(line, " - ");

        if (separator == NULL ||
            sscanf(line, "%*s %*s %*s %1023s %1023s", root, mount_point) != 2 ||
            sscanf(separator + 3, "%63s %*s %1023s", fstype, super_options) != 2)
            continue;
        if (controllers[0] == '\0' ? strcmp(fstype, "cgroup2") != 0
                                   : strcmp(fstype, "cgroup") != 0 ||
                                         !has_all_options(super_options, controllers))
            continue;
        unescape_mountinfo(root);
        unescape_mountinfo(mount_point);
        snprintf(found->root, sizeof found->root, "%s", root);
        snprintf(found->mount_point, sizeof found->mount_point, "%s", mount_point);
        result = 0;
    }
    fclose(mountinfo);
    return result;
}

/* Joins the cgroup at PATH (as /proc/PID/cgroup shows it) of the hierarchy CONTROLLERS. */
static int join_cgroup(const char *controllers, const char *path)
{
    struct cgroup_mount mount;
    size_t root_length;
    char *directory;
    int result = find_cgroup_mount(controllers, &mount);

    /* A hierarchy that is not mounted here cannot be joined, and nothing is limited through it. */
    if (result != 0)
        return result < 0 ? -1 : 0;
    root_length = strlen(mount.root);
    if (strcmp(mount.root, "/") != 0) {
        /* The mount shows only the subtree at its root; a cgroup outside it cannot be reached. */
        if (strncmp(path, mount.root, root_length) != 0 ||
            (path[root_length] != '/' && path[root_length] != '\0'))
            return 0;
        path += root_length;
    }
    directory = path_join(mount.mount_point, path);
    result = cgroup_place(directory, getpid());
    free(directory);
    return result;
}

/* Returns true when LINE of /proc/PID/cgroup also occurs in OWN, the caller's /proc/self/cgroup. */
static bool is_own_cgroup(const char *own, const char *line)
{
    size_t length = strcspn(line, "\n");

    for (const char *p = own; *p != '\0'; p += strcspn(p, "\n"), p += *p == '\n') {
        if (strncmp(p, line, length) == 0 && (p[length] == '\n' || p[length] == '\0'))
            return true;
    }
    return false;
}

/*
 * Moves the calling process into every cgroup of process TARGET. A cgroup the
 * caller is in already is left alone: moving into it would change nothing.
 */
int cgroup_join_process(pid_t target)
{
    char path[64];
    char line[4096];
    char own[8192];
    FILE *cgroups;
    int result = 0;

    if (read_file("/proc/self/cgroup", own, sizeof own) < 0)
        return fail("cgroup", "/proc/self/cgroup", errno);
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)target);
    cgroups = fopen(path, "re");
    if (cgroups == NULL)
        return fail("cgroup", path, errno);
    while (result == 0 && fgets(line, sizeof line, cgroups) != NULL) {
        char *controllers = strchr(line, ':');
        char *cgroup_path;

        if (is_own_cgroup(own, line))
            continue;
        cgroup_path = controllers != NULL ? strchr(controllers + 1, ':') : NULL;
        if (cgroup_path == NULL)
            continue;
        *controllers++ = '\0';
        *cgroup_path++ = '\0';
        cgroup_path[strcspn(cgroup_path, "\n")] = '\0';
        result = join_cgroup(controllers, cgroup_path);
    }
    fclose(cgroups);
    return result;
}
