/*
 * The reference launcher of the start-latency benchmark: only the work every
 * isolated start needs, with no option handling beyond the root layout.
 *
 *   baseline --root DIR [--lower DIR --upper DIR --work DIR] -- CMD [ARG...]
 *
 * It clones CMD into new pid, mount, UTS, IPC and network namespaces. The
 * child makes every mount private, bind-mounts DIR onto itself (or mounts an
 * overlay of --lower, --upper and --work on DIR), mounts proc on DIR/proc,
 * pivots into DIR, detaches the old root and executes CMD. The parent waits
 * and exits with CMD's exit code (128+N when CMD was killed by signal N), or
 * 125 when a step of its own failed.
 *
 * Build: gcc -O2 -static -o baseline baseline.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_FAILED 125

struct layout {
    const char *root;
    const char *lower;
    const char *upper;
    const char *work;
    char **argv;
};

static void die(const char *step, const char *object)
{
    fprintf(stderr, "baseline: %s %s: %s\n", step, object, strerror(errno));
    _exit(EXIT_FAILED);
}

static void usage(const char *message)
{
    fprintf(stderr,
            "baseline: %s\n"
            "usage: baseline --root DIR [--lower DIR --upper DIR --work DIR] -- CMD [ARG...]\n",
            message);
    exit(EXIT_FAILED);
}

static void parse(int argc, char **argv, struct layout *layout)
{
    int i = 1;

    memset(layout, 0, sizeof *layout);
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        const char **field = NULL;

        if (strcmp(argv[i], "--root") == 0)
            field = &layout->root;
        else if (strcmp(argv[i], "--lower") == 0)
            field = &layout->lower;
        else if (strcmp(argv[i], "--upper") == 0)
            field = &layout->upper;
        else if (strcmp(argv[i], "--work") == 0)
            field = &layout->work;
        if (field == NULL) {
            fprintf(stderr, "baseline: unknown option %s\n", argv[i]);
            usage("expected --root, --lower, --upper, --work or --");
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "baseline: missing value of %s\n", argv[i]);
            usage("expected a directory after the option");
        }
        *field = argv[i + 1];
    }
    if (i + 1 >= argc)
        usage("missing the command after --");
    if (layout->root == NULL)
        usage("missing --root");
    if ((layout->lower == NULL) != (layout->upper == NULL) || (layout->upper == NULL) != (layout->work == NULL))
        usage("--lower, --upper and --work must be given together");
    layout->argv = argv + i + 1;
}

static void mount_root(const struct layout *layout)
{
    char options[3 * 4096 + 64];

    if (layout->lower == NULL) {
        if (mount(layout->root, layout->root, NULL, MS_BIND | MS_REC, NULL) < 0)
            die("bind mount", layout->root);
        return;
    }
    if (snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", layout->lower, layout->upper,
                 layout->work) >= (int)sizeof options) {
        errno = ENAMETOOLONG;
        die("mount overlay on", layout->root);
    }
    if (mount("overlay", layout->root, "overlay", 0, options) < 0)
        die("mount overlay on", layout->root);
}

/* Runs in the cloned child, which is pid 1 of the new pid namespace. */
static void run_child(const struct layout *layout)
{
    char proc[4096 + 8];

    /* Private propagation, so none of the mounts below reaches the host's namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("make private", "/");
    mount_root(layout);

    snprintf(proc, sizeof proc, "%s/proc", layout->root);
    if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        die("mount proc on", proc);

    /* pivot_root(".", ".") stacks the old root on top of the new one, so detaching "." removes the old root. */
    if (chdir(layout->root) < 0)
        die("chdir", layout->root);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die("pivot_root", layout->root);
    if (umount2(".", MNT_DETACH) < 0)
        die("detach old root of", layout->root);
    if (chdir("/") < 0)
        die("chdir", "/");

    execv(layout->argv[0], layout->argv);
    die("exec", layout->argv[0]);
}

int main(int argc, char **argv)
{
    const unsigned long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
    struct layout layout;
    pid_t child;
    int status;

    parse(argc, argv, &layout);

    /* The raw clone system call with no new stack returns twice, as fork() does. */
    child = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child < 0)
        die("clone", layout.argv[0]);
    if (child == 0)
        run_child(&layout);

    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            die("waitpid", layout.argv[0]);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
