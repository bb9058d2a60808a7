/* Command-line parsing of "vcontext create", "enter" and "spectate" (long options only). */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum option_id {
    OPT_HELP = 'h',
    OPT_NAME = 256, OPT_ROOT, OPT_LOWER, OPT_UPPER, OPT_WORK, OPT_BIND, OPT_TMPFS,
    OPT_HOSTNAME, OPT_NET, OPT_CAP_BOUNDING, OPT_CAP_PERMITTED, OPT_CAP_EFFECTIVE,
    OPT_CAP_INHERITABLE, OPT_CAP_AMBIENT, OPT_NO_NEW_PRIVS, OPT_RLIMIT, OPT_CHDIR,
    OPT_ENV, OPT_CGROUP, OPT_SYNC, OPT_SYNC_FD, OPT_STATUS_FD, OPT_RUN_DIR,
    OPT_CONSOLE, OPT_REAPER, OPT_FOREGROUND, OPT_PID, OPT_SECCOMP, OPT_SHM_SIZE,
};

#define CAP_OPTIONS                                                             \
    { "cap-bounding", required_argument, NULL, OPT_CAP_BOUNDING },              \
    { "cap-permitted", required_argument, NULL, OPT_CAP_PERMITTED },            \
    { "cap-effective", required_argument, NULL, OPT_CAP_EFFECTIVE },            \
    { "cap-inheritable", required_argument, NULL, OPT_CAP_INHERITABLE },        \
    { "cap-ambient", required_argument, NULL, OPT_CAP_AMBIENT }

static const struct option create_long_options[] = {
    { "name", required_argument, NULL, OPT_NAME },
    { "root", required_argument, NULL, OPT_ROOT },
    { "lower", required_argument, NULL, OPT_LOWER },
    { "upper", required_argument, NULL, OPT_UPPER },
    { "work", required_argument, NULL, OPT_WORK },
    { "bind", required_argument, NULL, OPT_BIND },
    { "tmpfs", required_argument, NULL, OPT_TMPFS },
    { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
    { "hostname", required_argument, NULL, OPT_HOSTNAME },
    { "net", required_argument, NULL, OPT_NET },
    CAP_OPTIONS,
    { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
    { "seccomp", required_argument, NULL, OPT_SECCOMP },
    { "rlimit", required_argument, NULL, OPT_RLIMIT },
    { "chdir", required_argument, NULL, OPT_CHDIR },
    { "env", required_argument, NULL, OPT_ENV },
    { "cgroup", required_argument, NULL, OPT_CGROUP },
    { "sync", no_argument, NULL, OPT_SYNC },
    { "sync-fd", required_argument, NULL, OPT_SYNC_FD },
    { "status-fd", required_argument, NULL, OPT_STATUS_FD },
    { "run-dir", required_argument, NULL, OPT_RUN_DIR },
    { "console", required_argument, NULL, OPT_CONSOLE },
    { "reaper", no_argument, NULL, OPT_REAPER },
    { "foreground", no_argument, NULL, OPT_FOREGROUND },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static const struct option enter_long_options[] = {
    { "pid", required_argument, NULL, OPT_PID },
    CAP_OPTIONS,
    { "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
    { "seccomp", required_argument, NULL, OPT_SECCOMP },
    { "rlimit", required_argument, NULL, OPT_RLIMIT },
    { "chdir", required_argument, NULL, OPT_CHDIR },
    { "env", required_argument, NULL, OPT_ENV },
    { "status-fd", required_argument, NULL, OPT_STATUS_FD },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static const struct option spectate_long_options[] = {
    { "cgroup", required_argument, NULL, OPT_CGROUP },
    { "chdir", required_argument, NULL, OPT_CHDIR },
    { "env", required_argument, NULL, OPT_ENV },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

/* The environment under construction: --env entries, then PATH if none was given. */
struct env_builder {
    char **entries;
    int count;
    bool has_path;
};

static void *allocate_array(int count, size_t size)
{
    void *array = calloc((size_t)count + 2, size);

    if (array == NULL) {
        fail("memory", NULL, ENOMEM);
        report_failure(&last_failure, -1);
        exit(EXIT_VCONTEXT_FAILED);
    }
    return array;
}

static int add_env(struct env_builder *env, char *entry)
{
    char *equals = strchr(entry, '=');

    if (equals == NULL || equals == entry)
        return fail_with("parse", entry, EINVAL, "invalid --env, expected KEY=VALUE");
    if (strncmp(entry, "PATH=", 5) == 0)
        env->has_path = true;
    env->entries[env->count++] = entry;
    return 0;
}

static void finish_env(struct env_builder *env, struct process_settings *settings)
{
    if (!env->has_path)
        env->entries[env->count++] = DEFAULT_PATH;
    env->entries[env->count] = NULL;
    settings->env = env->entries;
}

/* Parses an fd number given to OPTION and checks that it is open. */
static int parse_fd(const char *option, const char *text, int *fd)
{
    unsigned long long value;

    if (parse_uint(text, INT_MAX, &value) < 0)
        return fail_with("parse", text, EINVAL, "invalid %s, expected a file descriptor number", option);
    if (fcntl((int)value, F_GETFD) < 0)
        return fail_with("parse", text, EBADF, "%s is not an open file descriptor", option);
    *fd = (int)value;
    return 0;
}

static int parse_cap_option(int id, const char *value, struct cap_request *request)
{
    int index = id - OPT_CAP_BOUNDING;

    request->given[index] = true;
    return caps_parse_list(cap_set_options[index], value, &request->sets[index]);
}

/* Parses SOURCE:TARGET[:ro|:rw]. */
static int parse_bind(char *text, struct bind_mount *bind)
{
    char *target = strchr(text, ':');
    size_t length;

    if (target == NULL || target == text || target[1] == '\0')
        return fail_with("parse", text, EINVAL, "invalid --bind, expected SOURCE:TARGET[:ro]");
    *target++ = '\0';
    length = strlen(target);
    bind->read_only = false;
    if (length > 3 && (strcmp(target + length - 3, ":ro") == 0 || strcmp(target + length - 3, ":rw") == 0)) {
        bind->read_only = target[length - 1] == 'o';
        target[length - 3] = '\0';
    }
    bind->source = text;
    bind->target = target;
    return 0;
}

/* Parses TARGET[:SIZE]. */
static int parse_tmpfs(char *text, struct tmpfs_mount *tmpfs)
{
    char *size = strchr(text, ':');

    tmpfs->size = 0;
    if (size != NULL) {
        *size++ = '\0';
        if (parse_size(size, &tmpfs->size) < 0 || tmpfs->size == 0)
            return fail_with("parse", size, EINVAL, "invalid --tmpfs size, expected bytes with an optional k, m or g suffix");
    }
    if (text[0] == '\0')
        return fail_with("parse", text, EINVAL, "invalid --tmpfs, expected TARGET[:SIZE]");
    tmpfs->target = text;
    return 0;
}

static int parse_shm_size(const char *text, unsigned long long *bytes)
{
    if (parse_size(text, bytes) < 0 || *bytes == 0)
        return fail_with("parse", text, EINVAL,
                         "invalid --shm-size, expected bytes greater than 0 with an optional k, m or g suffix");
    return 0;
}

static int parse_net(const char *value, struct create_options *options)
{
    if (strcmp(value, "new") == 0) {
        options->net = NET_NEW;
    } else if (strcmp(value, "host") == 0) {
        options->net = NET_HOST;
    } else if (value[0] == '/') {
        options->net = NET_PATH;
        options->net_path = value;
    } else {
        return fail_with("parse", value, EINVAL, "invalid --net, expected new, host or an absolute path to a netns file");
    }
    return 0;
}

/* Handles one option that "create" and "enter" share; returns 1 when ID is not one of them. */
static int parse_common(int id, char *value, struct cap_request *caps, struct process_settings *settings,
                        struct env_builder *env, int *status_fd)
{
    switch (id) {
    case OPT_CAP_BOUNDING: case OPT_CAP_PERMITTED: case OPT_CAP_EFFECTIVE:
    case OPT_CAP_INHERITABLE: case OPT_CAP_AMBIENT:
        return parse_cap_option(id, value, caps);
    case OPT_NO_NEW_PRIVS:
        settings->no_new_privs = true;
        return 0;
    case OPT_SECCOMP:
        return seccomp_parse_mode(value, &settings->seccomp);
    case OPT_RLIMIT:
        return rlimit_parse(value, &settings->rlimits);
    case OPT_CHDIR:
        settings->chdir = value;
        return 0;
    case OPT_ENV:
        return add_env(env, value);
    case OPT_STATUS_FD:
        return parse_fd("--status-fd", value, status_fd);
    default:
        return 1;
    }
}

/* Reports the option getopt_long() rejected: unknown, or missing its value. */
static int reject_unknown(char **argv, const char *subcommand)
{
    const char *option = argv[optind - 1];

    if (optopt >= 256)
        return fail_with("parse", option, EINVAL, "missing value for the option; see vcontext %s --help",
                         subcommand);
    if (optopt != 0) {
        static char short_option[3] = "-?";

        short_option[1] = (char)optopt;
        option = short_option;
    }
    return fail_with("parse", option, EINVAL, "unknown option; see vcontext %s --help", subcommand);
}

static int parse_create_option(int id, char *value, struct create_options *o, struct cap_request *caps,
                               struct env_builder *env)
{
    switch (id) {
    case OPT_NAME: o->name = value; return 0;
    case OPT_ROOT: o->root = value; return 0;
    case OPT_LOWER: o->lowers[o->lower_count++] = value; return 0;
    case OPT_UPPER: o->upper = value; return 0;
    case OPT_WORK: o->work = value; return 0;
    case OPT_BIND: return parse_bind(value, &o->binds[o->bind_count++]);
    case OPT_TMPFS: return parse_tmpfs(value, &o->tmpfs[o->tmpfs_count++]);
    case OPT_SHM_SIZE: return parse_shm_size(value, &o->shm_size);
    case OPT_HOSTNAME: o->hostname = value; return 0;
    case OPT_NET: return parse_net(value, o);
    case OPT_CGROUP: o->cgroups[o->cgroup_count++] = value; return 0;
    case OPT_SYNC: o->sync = true; return 0;
    case OPT_SYNC_FD: return parse_fd("--sync-fd", value, &o->sync_fd);
    case OPT_RUN_DIR: o->run_dir = value; return 0;
    case OPT_CONSOLE: o->console = value; return 0;
    case OPT_REAPER: o->reaper = true; return 0;
    case OPT_FOREGROUND: o->foreground = true; return 0;
    default: return parse_common(id, value, caps, &o->settings, env, &o->status_fd);
    }
}

static int check_create(struct create_options *o, bool status_fd_given)
{
    const char *run_dir = o->run_dir;

    if (o->foreground && !status_fd_given)
        o->status_fd = -1;
    if (o->root == NULL)
        return fail_with("parse", "--root", EINVAL, "missing --root, the guest's root directory");
    if (o->argv[0] == NULL)
        return fail_with("parse", "INIT", EINVAL, "missing the init command after --");
    if ((o->upper != NULL) != (o->work != NULL))
        return fail_with("parse", o->upper != NULL ? o->upper : o->work, EINVAL,
                         "--upper and --work must be given together");
    if (o->upper != NULL && o->lower_count == 0)
        return fail_with("parse", o->upper, EINVAL, "--upper needs at least one --lower");
    if (o->hostname == NULL)
        o->hostname = o->name;
    /* The detached monitor changes to / before it writes exit.json, so a relative path would break. */
    if (o->run_dir != NULL && (o->run_dir = realpath(o->run_dir, NULL)) == NULL)
        return fail("run-dir", run_dir, errno);
    return 0;
}

int parse_create(int argc, char **argv, struct create_options *o)
{
    struct cap_request caps = { 0 };
    struct env_builder env = { allocate_array(argc, sizeof(char *)), 0, false };
    bool status_fd_given = false;
    int id;

    memset(o, 0, sizeof *o);
    o->lowers = allocate_array(argc, sizeof *o->lowers);
    o->binds = allocate_array(argc, sizeof *o->binds);
    o->tmpfs = allocate_array(argc, sizeof *o->tmpfs);
    o->cgroups = allocate_array(argc, sizeof *o->cgroups);
    o->status_fd = 1;
    o->settings.chdir = "/";
    opterr = 0;
    optind = 1;
    while ((id = getopt_long(argc, argv, "+h", create_long_options, NULL)) != -1) {
        if (id == OPT_HELP) {
            print_create_help();
            return 1;
        }
        if (id == '?' || id == ':')
            return reject_unknown(argv, "create");
        status_fd_given |= id == OPT_STATUS_FD;
        if (parse_create_option(id, optarg, o, &caps, &env) < 0) {
            if (o->foreground && !status_fd_given)
                o->status_fd = -1;
            return -1;
        }
    }
    o->argv = argv + optind;
    finish_env(&env, &o->settings);
    if (check_create(o, status_fd_given) < 0)
        return -1;
    return caps_resolve_create(&caps, &o->settings.caps);
}

int parse_enter(int argc, char **argv, struct enter_options *o)
{
    struct env_builder env = { allocate_array(argc, sizeof(char *)), 0, false };
    unsigned long long pid;
    int id;

    memset(o, 0, sizeof *o);
    o->status_fd = -1;
    o->settings.chdir = "/";
    opterr = 0;
    optind = 1;
    while ((id = getopt_long(argc, argv, "+h", enter_long_options, NULL)) != -1) {
        if (id == OPT_HELP) {
            print_enter_help();
            return 1;
        }
        if (id == '?' || id == ':')
            return reject_unknown(argv, "enter");
        if (id == OPT_PID) {
            if (parse_uint(optarg, INT_MAX, &pid) < 0 || pid == 0)
                return fail_with("parse", optarg, EINVAL, "invalid --pid, expected a process id");
            o->pid = (pid_t)pid;
            continue;
        }
        o->seccomp_given |= id == OPT_SECCOMP;
        if (parse_common(id, optarg, &o->caps, &o->settings, &env, &o->status_fd) < 0)
            return -1;
    }
    o->argv = argv + optind;
    o->no_new_privs = o->settings.no_new_privs;
    o->rlimits = o->settings.rlimits;
    finish_env(&env, &o->settings);
    if (o->pid == 0)
        return fail_with("parse", "--pid", EINVAL, "missing --pid, the process whose guest to enter");
    if (o->argv[0] == NULL)
        return fail_with("parse", "CMD", EINVAL, "missing the command after --");
    return 0;
}

int parse_spectate(int argc, char **argv, struct spectate_options *o)
{
    struct env_builder env = { allocate_array(argc, sizeof(char *)), 0, false };
    int id;

    memset(o, 0, sizeof *o);
    o->cgroups = allocate_array(argc, sizeof *o->cgroups);
    o->settings.chdir = "/";
    o->settings.no_new_privs = true;
    opterr = 0;
    optind = 1;
    while ((id = getopt_long(argc, argv, "+h", spectate_long_options, NULL)) != -1) {
        switch (id) {
        case OPT_HELP:
            print_spectate_help();
            return 1;
        case OPT_CGROUP:
            o->cgroups[o->cgroup_count++] = optarg;
            break;
        case OPT_CHDIR:
            o->settings.chdir = optarg;
            break;
        case OPT_ENV:
            if (add_env(&env, optarg) < 0)
                return -1;
            break;
        default:
            return reject_unknown(argv, "spectate");
        }
    }
    o->argv = argv + optind;
    finish_env(&env, &o->settings);
    if (o->argv[0] == NULL)
        return fail_with("parse", "CMD", EINVAL, "missing the command after --");
    return 0;
}
