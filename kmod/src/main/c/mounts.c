/*
 * The guest's root mount, its extra bind and tmpfs mounts, and pivot_root.
 * All of it runs in the cloned child, inside its private mount namespace,
 * so nothing here is visible on the host.
 *
 * Paths inside the guest are resolved with openat2(RESOLVE_IN_ROOT): a
 * symlink in the guest's tree resolves inside the guest root and can never
 * make vcontext create or mount over a host path.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *proc_fd_path(int fd, char *buffer, size_t size)
{
    snprintf(buffer, size, "/proc/self/fd/%d", fd);
    return buffer;
}

/* Opens PATH below ROOT_FD as an O_PATH fd, resolving every symlink inside the root. */
static int resolve_in_root(int root_fd, const char *path)
{
    struct open_how how = {
        .flags = O_PATH | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };

    while (*path == '/')
        path++;
    return (int)syscall(SYS_openat2, root_fd, *path == '\0' ? "." : path, &how, sizeof how);
}

/* Creates NAME in PARENT_FD as a directory, or as an empty file when CREATE_TYPE is S_IFREG. */
static int create_entry(int parent_fd, const char *name, int create_type)
{
    int fd;

    if (create_type != S_IFREG)
        return mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST ? -1 : 0;
    fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    close(fd);
    return 0;
}

/*
 * Opens PATH inside the guest root (ROOT_FD, host path ROOT for messages) as an
 * O_PATH fd. CREATE_MODE 0 requires PATH to exist. S_IFDIR creates it and its
 * parents as directories, and S_IFREG creates the parents and an empty file.
 */
int open_in_root(int root_fd, const char *root, const char *path, int create_mode)
{
    char prefix[4096];
    size_t length = strlen(path);
    const char *step = "mount";
    int parent_fd = -1;
    int fd = resolve_in_root(root_fd, path);

    if (fd >= 0 || errno != ENOENT || create_mode == 0)
        goto out;
    step = "mkdir";
    if (length >= sizeof prefix) {
        errno = ENAMETOOLONG;
        goto out;
    }
    memcpy(prefix, path, length + 1);
    parent_fd = resolve_in_root(root_fd, "/");
    for (size_t end = 0; parent_fd >= 0 && end < length; end++) {
        size_t start = end;

        while (prefix[start] == '/')
            start++;
        end = start + strcspn(prefix + start, "/");
        if (end == start)
            break;
        prefix[end] = '\0';
        fd = resolve_in_root(root_fd, prefix);
        if (fd < 0 && errno == ENOENT &&
            create_entry(parent_fd, prefix + start, end == length ? create_mode : S_IFDIR) == 0)
            fd = resolve_in_root(root_fd, prefix);
        if (end < length)
            prefix[end] = '/';
        close(parent_fd);
        parent_fd = fd;
    }
    fd = parent_fd;
    parent_fd = -1;
out:
    if (fd < 0) {
        char *object = path_join(root, path);

        fail(step, object, errno);
        free(object);
    }
    return fd;
}

/* Makes the mount at PATH inside the guest root read-only, with every mount below it. */
int make_read_only(int root_fd, const char *root, const char *path)
{
    struct mount_attr attributes = { .attr_set = MOUNT_ATTR_RDONLY };
    int fd = open_in_root(root_fd, root, path, 0);

    if (fd < 0)
        return -1;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof attributes) < 0) {
        char *object = path_join(root, path);

        fail("remount", object, errno);
        free(object);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int check_directory(const char *path)
{
    struct stat status;

    if (stat(path, &status) < 0)
        return fail("mount", path, errno);
    if (!S_ISDIR(status.st_mode))
        return fail("mount", path, ENOTDIR);
    return 0;
}

/* Appends PATH to the overlay options in OUT, escaping the separators ',' and ':' and '\'. */
static int append_escaped(char *out, size_t size, size_t *length, const char *path)
{
    for (const char *p = path; *p != '\0'; p++) {
        if (*length + 3 >= size)
            return -1;
        if (*p == ',' || *p == ':' || *p == '\\')
            out[(*length)++] = '\\';
        out[(*length)++] = *p;
    }
    out[*length] = '\0';
    return 0;
}

static int append_option(char *out, size_t size, size_t *length, const char *key, const char *path)
{
    size_t key_length = strlen(key);

    if (*length + key_length + 1 >= size)
        return -1;
    memcpy(out + *length, key, key_length + 1);
    *length += key_length;
    return append_escaped(out, size, length, path);
}

/* Mounts the overlay of the --lower layers (and --upper, --work) on the root directory. */
static int mount_overlay(const struct create_options *o)
{
    char data[4096];
    size_t length = 0;
    bool fits = true;

    for (int i = 0; i < o->lower_count; i++) {
        if (check_directory(o->lowers[i]) < 0)
            return -1;
        fits = fits && append_option(data, sizeof data, &length, i == 0 ? "lowerdir=" : ":", o->lowers[i]) == 0;
    }
    if (o->upper != NULL) {
        if (check_directory(o->upper) < 0 || check_directory(o->work) < 0)
            return -1;
        fits = fits && append_option(data, sizeof data, &length, ",upperdir=", o->upper) == 0 &&
               append_option(data, sizeof data, &length, ",workdir=", o->work) == 0;
    }
    /* mount(2) passes at most one page of options to the file system. */
    if (!fits)
        return fail_with("mount", o->root, E2BIG, "overlay layer paths exceed the %zu bytes of mount options",
                         sizeof data);
    if (mount("overlay", o->root, "overlay", o->upper == NULL ? MS_RDONLY : 0, data) < 0)
        return fail("mount", o->root, errno);
    return 0;
}

/*
 * Overlayfs rejects a read-only overlay of one layer ("at least 2 lowerdir"),
 * so one --lower without --upper becomes a read-only bind mount of it. Like
 * an overlay layer, it does not bring the mounts below the layer along.
 */
static int mount_single_layer(const struct create_options *o)
{
    struct mount_attr attributes = { .attr_set = MOUNT_ATTR_RDONLY };

    if (check_directory(o->lowers[0]) < 0)
        return -1;
    if (mount(o->lowers[0], o->root, NULL, MS_BIND, NULL) < 0)
        return fail("mount", o->root, errno);
    if (syscall(SYS_mount_setattr, AT_FDCWD, o->root, 0, &attributes, sizeof attributes) < 0)
        return fail("remount", o->root, errno);
    return 0;
}

/*
 * Makes every mount private, so nothing mounted or unmounted here propagates
 * to the host, then mounts the guest root on --root and opens it as ROOT_FD.
 */
int mount_guest_root(const struct create_options *o, int *root_fd)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return fail("mount", "/", errno);
    if (check_directory(o->root) < 0)
        return -1;
    if (o->lower_count == 1 && o->upper == NULL) {
        if (mount_single_layer(o) < 0)
            return -1;
    } else if (o->lower_count > 0) {
        if (mount_overlay(o) < 0)
            return -1;
    } else if (mount(o->root, o->root, NULL, MS_BIND | MS_REC, NULL) < 0) {
        /* pivot_root needs the new root to be a mount point, and a bind mount onto itself makes one. */
        return fail("mount", o->root, errno);
    }
    *root_fd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*root_fd < 0)
        return fail("mount", o->root, errno);
    return 0;
}

static int mount_bind(const char *root, int root_fd, const struct bind_mount *bind)
{
    char fd_path[64];
    struct stat status;
    int fd;

    if (stat(bind->source, &status) < 0)
        return fail("mount", bind->source, errno);
    fd = open_in_root(root_fd, root, bind->target, S_ISDIR(status.st_mode) ? S_IFDIR : S_IFREG);
    if (fd < 0)
        return -1;
    if (mount(bind->source, proc_fd_path(fd, fd_path, sizeof fd_path), NULL, MS_BIND | MS_REC, NULL) < 0) {
        char *object = path_join(root, bind->target);

        fail("mount", object, errno);
        free(object);
        close(fd);
        return -1;
    }
    close(fd);
    return bind->read_only ? make_read_only(root_fd, root, bind->target) : 0;
}

static int mount_tmpfs(const char *root, int root_fd, const struct tmpfs_mount *tmpfs)
{
    char fd_path[64];
    char data[64] = "";
    int fd = open_in_root(root_fd, root, tmpfs->target, S_IFDIR);

    if (fd < 0)
        return -1;
    if (tmpfs->size > 0)
        snprintf(data, sizeof data, "size=%llu", tmpfs->size);
    if (mount("tmpfs", proc_fd_path(fd, fd_path, sizeof fd_path), "tmpfs", MS_NOSUID | MS_NODEV, data) < 0) {
        char *object = path_join(root, tmpfs->target);

        fail("mount", object, errno);
        free(object);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Mounts every --bind, then every --tmpfs. */
int mount_extra(const struct create_options *o, int root_fd)
{
    for (int i = 0; i < o->bind_count; i++) {
        if (mount_bind(o->root, root_fd, &o->binds[i]) < 0)
            return -1;
    }
    for (int i = 0; i < o->tmpfs_count; i++) {
        if (mount_tmpfs(o->root, root_fd, &o->tmpfs[i]) < 0)
            return -1;
    }
    return 0;
}

/*
 * Makes the guest root the process root. pivot_root(".", ".") stacks the old
 * root on top of the new one, so unmounting "." leaves only the guest's tree.
 * The unmount is lazy because the old root still has mounts below it.
 */
int pivot_to_root(int root_fd, const char *root)
{
    if (fchdir(root_fd) < 0)
        return fail("pivot_root", root, errno);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return fail("pivot_root", root, errno);
    if (umount2(".", MNT_DETACH) < 0)
        return fail("umount", "old root", errno);
    if (chdir("/") < 0)
        return fail("pivot_root", "/", errno);
    return 0;
}
