/*
 * The guest's kernel file systems: /proc, a read-only /sys, a minimal /dev,
 * and the masks and read-only remounts that keep guest root away from
 * host-wide knobs (global sysctls, sysrq, kernel memory and symbols).
 * Runs in the cloned child, inside its new pid, IPC and mount namespaces.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Options of the tmpfs on /dev, which contains only device nodes, links and small sockets or fifos. */
#define DEV_TMPFS_OPTIONS "mode=755,size=1m"

static int mount_at(int root_fd, const char *root, const char *path, const char *source,
                    const char *fstype, unsigned long flags, const char *data)
{
    char fd_path[64];
    int fd = open_in_root(root_fd, root, path, S_IFDIR);

    if (fd < 0)
        return -1;
    if (mount(source, proc_fd_path(fd, fd_path, sizeof fd_path), fstype, flags, data) < 0) {
        char *object = path_join(root, path);

        fail("mount", object, errno);
        free(object);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

struct device_node {
    const char *name;
    unsigned int major;
    unsigned int minor;
};

static const struct device_node device_nodes[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
    { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const char *const device_links[][2] = {
    { "ptmx", "pts/ptmx" },
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
};

static int fail_in_dev(const char *step, const char *root, const char *name)
{
    char object[4200];

    snprintf(object, sizeof object, "%s/dev/%s", root, name);
    return fail(step, object, errno);
}

/* Mounts the tmpfs on /dev/shm, SHM_SIZE bytes or the tmpfs default (half of RAM) when 0. */
static int mount_shm(int dev_fd, const char *root, unsigned long long shm_size)
{
    char path[128];
    char data[64] = "mode=1777";

    if (mkdirat(dev_fd, "shm", 0755) < 0 || fchmodat(dev_fd, "shm", 01777, 0) < 0)
        return fail_in_dev("mkdir", root, "shm");
    if (shm_size > 0)
        snprintf(data, sizeof data, "mode=1777,size=%llu", shm_size);
    snprintf(path, sizeof path, "/proc/self/fd/%d/shm", dev_fd);
    if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV, data) < 0)
        return fail_in_dev("mount", root, "shm");
    return 0;
}

/* Fills the fresh tmpfs at DEV_FD with device nodes, devpts, shm, mqueue and the usual links. */
static int populate_dev(int dev_fd, const char *root, unsigned long long shm_size)
{
    char path[128];

    for (size_t i = 0; i < sizeof device_nodes / sizeof device_nodes[0]; i++) {
        const struct device_node *node = &device_nodes[i];

        if (mknodat(dev_fd, node->name, S_IFCHR | 0666, makedev(node->major, node->minor)) < 0 ||
            fchmodat(dev_fd, node->name, 0666, 0) < 0)
            return fail_in_dev("mknod", root, node->name);
    }

    /* A new devpts instance: the guest's ptys are its own and numbered from 0. */
    if (mkdirat(dev_fd, "pts", 0755) < 0)
        return fail_in_dev("mkdir", root, "pts");
    snprintf(path, sizeof path, "/proc/self/fd/%d/pts", dev_fd);
    if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0)
        return fail_in_dev("mount", root, "pts");

    if (mount_shm(dev_fd, root, shm_size) < 0)
        return -1;

    /* mqueue shows the message queues of the IPC namespace it is mounted from: the guest's. */
    if (mkdirat(dev_fd, "mqueue", 0755) < 0)
        return fail_in_dev("mkdir", root, "mqueue");
    snprintf(path, sizeof path, "/proc/self/fd/%d/mqueue", dev_fd);
    if (mount("mqueue", path, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return fail_in_dev("mount", root, "mqueue");

    for (size_t i = 0; i < sizeof device_links / sizeof device_links[0]; i++) {
        if (symlinkat(device_links[i][1], dev_fd, device_links[i][0]) < 0)
            return fail_in_dev("symlink", root, device_links[i][0]);
    }
    return 0;
}

/*
 * Mounts proc (showing the guest's pid namespace), sysfs read-only, and a
 * minimal /dev on a tmpfs. The tmpfs must allow device nodes, so it is not nodev.
 * SHM_SIZE is the size of /dev/shm in bytes, 0 for the tmpfs default.
 */
int mount_kernel_filesystems(int root_fd, const char *root, unsigned long long shm_size)
{
    int dev_fd;
    int result;

    if (mount_at(root_fd, root, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
        mount_at(root_fd, root, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
        mount_at(root_fd, root, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, DEV_TMPFS_OPTIONS) < 0)
        return -1;

    /* Opened again, the path now leads to the root of the new tmpfs. */
    dev_fd = open_in_root(root_fd, root, "dev", 0);
    if (dev_fd < 0)
        return -1;
    result = populate_dev(dev_fd, root, shm_size);
    close(dev_fd);
    return result;
}

/* Files that reveal or change host kernel state. /dev/null is bind-mounted over each. */
static const char *const masked_files[] = {
    "proc/kcore", "proc/keys", "proc/timer_list", "proc/sched_debug",
    "proc/latency_stats", "proc/kallsyms",
};

/* Directories hidden under an empty read-only tmpfs. */
static const char *const masked_directories[] = {
    "proc/acpi", "proc/scsi", "sys/firmware",
};

/* Host-wide knobs that stay visible but read-only. */
static const char *const read_only_paths[] = {
    "proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus", "proc/fs",
};

/* Returns an O_PATH fd of PATH in the guest root, -2 when PATH does not exist, or -1 on failure. */
static int open_if_exists(int root_fd, const char *root, const char *path)
{
    int fd = open_in_root(root_fd, root, path, 0);

    if (fd < 0 && last_failure.err == ENOENT)
        return -2;
    return fd;
}

static int mask_path(int root_fd, const char *root, const char *path, const char *source,
                     const char *fstype, unsigned long flags)
{
    char fd_path[64];
    int fd = open_if_exists(root_fd, root, path);

    if (fd == -2)
        return 0;
    if (fd < 0)
        return -1;
    if (mount(source, proc_fd_path(fd, fd_path, sizeof fd_path), fstype, flags, NULL) < 0) {
        char *object = path_join(root, path);

        fail("mount", object, errno);
        free(object);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Masks and write-protects the sensitive parts of /proc and /sys, where they exist. */
int mask_kernel_files(int root_fd, const char *root)
{
    char null_path[64];
    int null_fd = open_in_root(root_fd, root, "dev/null", 0);
    int result = 0;

    if (null_fd < 0)
        return -1;
    proc_fd_path(null_fd, null_path, sizeof null_path);
    for (size_t i = 0; result == 0 && i < sizeof masked_files / sizeof masked_files[0]; i++)
        result = mask_path(root_fd, root, masked_files[i], null_path, NULL, MS_BIND);
    close(null_fd);

    for (size_t i = 0; result == 0 && i < sizeof masked_directories / sizeof masked_directories[0]; i++)
        result = mask_path(root_fd, root, masked_directories[i], "tmpfs", "tmpfs",
                           MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);

    /* A bind mount onto itself gives the path its own mount, which can then be made read-only. */
    for (size_t i = 0; result == 0 && i < sizeof read_only_paths / sizeof read_only_paths[0]; i++) {
        char fd_path[64];
        int fd = open_if_exists(root_fd, root, read_only_paths[i]);

        if (fd == -2)
            continue;
        if (fd < 0)
            return -1;
        proc_fd_path(fd, fd_path, sizeof fd_path);
        if (mount(fd_path, fd_path, NULL, MS_BIND | MS_REC, NULL) < 0) {
            char *object = path_join(root, read_only_paths[i]);

            result = fail("mount", object, errno);
            free(object);
        }
        close(fd);
        if (result == 0)
            result = make_read_only(root_fd, root, read_only_paths[i]);
    }
    return result;
}
