/*
 * vcontext: the native launcher, joiner and monitor of VServer guests.
 *
 * One single-threaded program with three subcommands: "create" clones a guest
 * init into new namespaces and stays as its monitor, "enter" runs a command
 * inside a running guest, "spectate" runs a command that sees every process
 * but can signal none. Declarations shared by the source files.
 */
#ifndef VCONTEXT_H
#define VCONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Exit codes, as in the shells' convention for a launcher. */
#define EXIT_VCONTEXT_FAILED 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- errors.c: the failure record and its text and JSON forms ---- */

/*
 * The last failure of this process. A cloned child sends it unchanged to its
 * parent through a pipe, so it is a plain fixed-size struct.
 */
struct failure {
    char step[32];
    char object[1024];
    char message[224]; /* empty: the message is strerror(err) */
    int err;
};

extern struct failure last_failure;

/* Overwrites this process's argument area, which /proc/PID/cmdline shows, with NAME. */
void set_process_title(const char *name);

int fail(const char *step, const char *object, int err);
int fail_with(const char *step, const char *object, int err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
const char *errno_name(int err);
const char *failure_message(const struct failure *f);
void report_failure(const struct failure *f, int status_fd);
int exit_code_for(const struct failure *f);

/* ---- json.c: status lines and exit.json ---- */

void status_pid(int fd, pid_t child, pid_t monitor);
void status_exec(int fd, pid_t child);
void status_error(int fd, const struct failure *f);
int write_exit_json(const char *run_dir, pid_t child, int wait_status);

/* ---- util.c ---- */

int write_all(int fd, const void *buffer, size_t length);
int close_fds_except(const int *keep, int count);
void reset_signals(void);
void forward_signals(pid_t target, const int *signals, size_t count);
char *path_join(const char *directory, const char *name);
int read_file(const char *path, char *buffer, size_t size);
int parse_uint(const char *text, unsigned long long max, unsigned long long *value);
int parse_size(const char *text, unsigned long long *bytes);

/* ---- caps.c ---- */

struct cap_sets {
    uint64_t bounding;
    uint64_t permitted;
    uint64_t effective;
    uint64_t inheritable;
    uint64_t ambient;
};

enum cap_set_index { CAP_SET_BOUNDING, CAP_SET_PERMITTED, CAP_SET_EFFECTIVE,
                     CAP_SET_INHERITABLE, CAP_SET_AMBIENT, CAP_SET_COUNT };

/* A capability request from the command line: the set and whether it was given. */
struct cap_request {
    uint64_t sets[CAP_SET_COUNT];
    bool given[CAP_SET_COUNT];
};

extern const char *const cap_set_options[CAP_SET_COUNT];

int caps_parse_list(const char *option, const char *list, uint64_t *mask);
int caps_own_bounding(uint64_t *mask);
int caps_validate(const char *step, const struct cap_sets *sets);
int caps_resolve_create(const struct cap_request *request, struct cap_sets *out);
int caps_read_process(pid_t pid, struct cap_sets *out, bool *no_new_privs);
void caps_override(const struct cap_request *request, struct cap_sets *sets);
int caps_apply(const struct cap_sets *sets);

/* ---- limits.c: rlimits ---- */

struct rlimit_settings {
    bool set[RLIM_NLIMITS];
    struct rlimit value[RLIM_NLIMITS];
};

int rlimit_parse(const char *text, struct rlimit_settings *settings);
int rlimit_copy_from(pid_t pid, struct rlimit_settings *settings);
int rlimit_apply(const struct rlimit_settings *settings);

/* ---- seccomp_filter.c ---- */

/* The seccomp mode of a guest: the default filter, or none (--seccomp unconfined). */
enum seccomp_mode { SECCOMP_DEFAULT, SECCOMP_UNCONFINED };

/* The action of a rejecting rule; the includer needs <linux/seccomp.h> and <errno.h>. */
#define SECCOMP_RET_DENY_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

struct sock_filter;

int seccomp_parse_mode(const char *text, enum seccomp_mode *mode);
int seccomp_install(const char *object, const struct sock_filter *rules, size_t count);
int seccomp_apply(enum seccomp_mode mode);
int seccomp_read_process(pid_t pid, enum seccomp_mode *mode);

/* ---- process settings shared by create and enter ---- */

/* Settings of the executed process: privileges, seccomp, limits, working directory and environment. */
struct process_settings {
    struct cap_sets caps;
    bool no_new_privs;
    enum seccomp_mode seccomp;
    struct rlimit_settings rlimits;
    const char *chdir;
    char **env; /* NULL-terminated, already contains PATH */
};

int apply_privileges(const struct process_settings *settings);
int exec_command(const struct process_settings *settings, char **argv, int keep_fd);

/* ---- args.c: command lines ---- */

struct bind_mount {
    const char *source;
    const char *target;
    bool read_only;
};

struct tmpfs_mount {
    const char *target;
    unsigned long long size; /* bytes, 0: the tmpfs default (half of RAM) */
};

enum net_mode { NET_NEW, NET_HOST, NET_PATH };

struct create_options {
    const char *name;
    const char *root;
    const char **lowers;
    int lower_count;
    const char *upper;
    const char *work;
    struct bind_mount *binds;
    int bind_count;
    struct tmpfs_mount *tmpfs;
    int tmpfs_count;
    unsigned long long shm_size; /* bytes of the tmpfs on /dev/shm, 0: the tmpfs default (half of RAM) */
    const char *hostname;
    enum net_mode net;
    const char *net_path;
    const char **cgroups;
    int cgroup_count;
    bool sync;
    int sync_fd;
    int status_fd; /* -1: no status lines */
    const char *run_dir;
    const char *console;
    bool reaper;
    bool foreground;
    struct process_settings settings;
    char **argv;
};

struct enter_options {
    pid_t pid;
    int status_fd; /* -1: none */
    struct cap_request caps;
    bool no_new_privs;
    bool seccomp_given; /* false: the mode of process PID */
    struct rlimit_settings rlimits;
    struct process_settings settings;
    char **argv;
};

/* The options of "spectate": cgroups to join, then the command's working directory and environment. */
struct spectate_options {
    const char **cgroups;
    int cgroup_count;
    struct process_settings settings; /* no capabilities, no_new_privs, the default seccomp filter */
    char **argv;
};

/* Return 0 when parsed, 1 when help was printed, -1 on failure (last_failure). */
int parse_create(int argc, char **argv, struct create_options *options);
int parse_enter(int argc, char **argv, struct enter_options *options);
int parse_spectate(int argc, char **argv, struct spectate_options *options);

/* ---- help.c ---- */

void print_main_help(FILE *stream);
void print_create_help(void);
void print_enter_help(void);
void print_spectate_help(void);

/* ---- cgroups.c ---- */

int cgroup_place(const char *directory, pid_t pid);
int cgroup_join_process(pid_t target);

/* ---- mounts.c and kernfs.c: the guest's file system, run in the child ---- */

int mount_guest_root(const struct create_options *options, int *root_fd);
int mount_extra(const struct create_options *options, int root_fd);
int mount_kernel_filesystems(int root_fd, const char *root, unsigned long long shm_size);
int mask_kernel_files(int root_fd, const char *root);
int pivot_to_root(int root_fd, const char *root);
int open_in_root(int root_fd, const char *root, const char *path, int create_mode);
int make_read_only(int root_fd, const char *root, const char *path);
char *proc_fd_path(int fd, char *buffer, size_t size);

/* ---- subcommands ---- */

int run_create(const struct create_options *options);

/*
 * The command name (comm) of the guest init from clone() until it executes
 * INIT. It contains a '/', which no executed file's name can, so the monitor
 * can distinguish an init that ended before its execve() from one that
 * executed INIT.
 */
#define SETUP_COMM "vcontext/setup"

/* vcontext's own command name, saved by the monitor before it clones the init under SETUP_COMM. */
extern char vcontext_comm[16];

void run_child(const struct create_options *options, int go_fd, int error_fd)
    __attribute__((noreturn));
int run_enter(const struct enter_options *options);
int run_spectate(const struct spectate_options *options);

#endif
