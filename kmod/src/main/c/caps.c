/*
 * Capability sets: names, parsing, reading them from /proc/PID/status and
 * applying them with prctl() and raw capset() (no libcap).
 */
#include "vcontext.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Capability numbers as in <linux/capability.h>, names as in capabilities(7) without CAP_. */
static const char *const cap_names[] = {
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
    "setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
    "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
    "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
    "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
    "sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
    "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
    "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

#define CAP_NAME_COUNT ((int)(sizeof cap_names / sizeof cap_names[0]))

const char *const cap_set_options[CAP_SET_COUNT] = {
    "--cap-bounding", "--cap-permitted", "--cap-effective", "--cap-inheritable", "--cap-ambient",
};

static uint64_t bit(int cap)
{
    return UINT64_C(1) << cap;
}

/* Formats capability CAP as "CAP_NAME" (or "CAP_N" when it has no name here). */
static const char *cap_display_name(int cap, char *buffer, size_t size)
{
    size_t i;

    if (cap >= CAP_NAME_COUNT) {
        snprintf(buffer, size, "CAP_%d", cap);
        return buffer;
    }
    snprintf(buffer, size, "CAP_%s", cap_names[cap]);
    for (i = 4; buffer[i] != '\0'; i++)
        buffer[i] = (char)toupper((unsigned char)buffer[i]);
    return buffer;
}

/* Returns the highest capability number of the running kernel. */
static int last_cap(void)
{
    static int cached = -1;
    char text[16];
    unsigned long long value;

    if (cached >= 0)
        return cached;
    if (read_file("/proc/sys/kernel/cap_last_cap", text, sizeof text) > 0) {
        text[strcspn(text, "\n")] = '\0';
        if (parse_uint(text, 63, &value) == 0)
            return cached = (int)value;
    }
    /* Without /proc, probe: PR_CAPBSET_READ fails with EINVAL past the last one. */
    for (cached = 0; cached < 63 && prctl(PR_CAPBSET_READ, cached + 1, 0, 0, 0) >= 0; cached++)
        ;
    return cached;
}

static int lookup_cap(const char *name)
{
    if (strncasecmp(name, "cap_", 4) == 0)
        name += 4;
    for (int cap = 0; cap < CAP_NAME_COUNT; cap++) {
        if (strcasecmp(name, cap_names[cap]) == 0)
            return cap;
    }
    return -1;
}

/* Collects vcontext's own bounding set: what "all" means, and the most a guest can get. */
int caps_own_bounding(uint64_t *mask)
{
    *mask = 0;
    for (int cap = 0; cap <= last_cap(); cap++) {
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

        if (present < 0)
            return fail("capabilities", "PR_CAPBSET_READ", errno);
        if (present)
            *mask |= bit(cap);
    }
    return 0;
}

/* Parses LIST ("all", "none" or comma-separated names) given to OPTION into MASK. */
int caps_parse_list(const char *option, const char *list, uint64_t *mask)
{
    char name[64];
    const char *p = list;

    *mask = 0;
    if (strcasecmp(list, "all") == 0)
        return caps_own_bounding(mask);
    if (strcasecmp(list, "none") == 0 || list[0] == '\0')
        return 0;
    while (*p != '\0') {
        size_t length = strcspn(p, ",");
        int cap;

        if (length == 0 || length >= sizeof name)
            return fail_with("parse", list, EINVAL,
                             "invalid capability list for %s, expected names separated by commas", option);
        memcpy(name, p, length);
        name[length] = '\0';
        cap = lookup_cap(name);
        if (cap < 0)
            return fail_with("parse", name, EINVAL,
                             "unknown capability in %s; use names from capabilities(7), all or none",
                             option);
        if (cap > last_cap())
            return fail_with("parse", name, EINVAL,
                             "capability in %s is not supported by the running kernel", option);
        *mask |= bit(cap);
        p += length;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Returns the first capability in SUBSET that is missing from SET, or -1. */
static int first_missing(uint64_t subset, uint64_t set)
{
    uint64_t missing = subset & ~set;

    return missing == 0 ? -1 : __builtin_ctzll(missing);
}

static int reject_missing(const char *step, int cap, const char *reason)
{
    char name[32];

    return fail_with(step, cap_display_name(cap, name, sizeof name), EPERM, "%s", reason);
}

/*
 * Checks the rules the kernel enforces when SETS are applied, so a bad request
 * fails before any process is made. A failure is reported as STEP.
 */
int caps_validate(const char *step, const struct cap_sets *sets)
{
    uint64_t own;
    int cap;

    if (caps_own_bounding(&own) < 0)
        return -1;
    if ((cap = first_missing(sets->bounding, own)) >= 0)
        return reject_missing(step, cap, "capability is not in vcontext's own bounding set, so it cannot be granted");
    if ((cap = first_missing(sets->inheritable, sets->bounding)) >= 0)
        return reject_missing(step, cap, "inheritable capability is not in the bounding set");
    if ((cap = first_missing(sets->effective, sets->permitted)) >= 0)
        return reject_missing(step, cap, "effective capability is not in the permitted set");
    if ((cap = first_missing(sets->ambient, sets->permitted & sets->inheritable)) >= 0)
        return reject_missing(step, cap, "ambient capability must also be permitted and inheritable");
    return 0;
}

/*
 * Fills OUT from the create options: bounding defaults to all, permitted to
 * bounding, effective to permitted, inheritable and ambient to none.
 */
int caps_resolve_create(const struct cap_request *request, struct cap_sets *out)
{
    if (request->given[CAP_SET_BOUNDING])
        out->bounding = request->sets[CAP_SET_BOUNDING];
    else if (caps_own_bounding(&out->bounding) < 0)
        return -1;
    out->permitted = request->given[CAP_SET_PERMITTED] ? request->sets[CAP_SET_PERMITTED] : out->bounding;
    out->effective = request->given[CAP_SET_EFFECTIVE] ? request->sets[CAP_SET_EFFECTIVE] : out->permitted;
    out->inheritable = request->given[CAP_SET_INHERITABLE] ? request->sets[CAP_SET_INHERITABLE] : 0;
    out->ambient = request->given[CAP_SET_AMBIENT] ? request->sets[CAP_SET_AMBIENT] : 0;
    return caps_validate("parse", out);
}

/*
 * Replaces the sets given on the command line. When only the bounding set is
 * given, the other copied sets are narrowed to it, so they stay consistent.
 */
void caps_override(const struct cap_request *request, struct cap_sets *sets)
{
    uint64_t *fields[CAP_SET_COUNT] = {
        &sets->bounding, &sets->permitted, &sets->effective, &sets->inheritable, &sets->ambient,
    };

    for (int i = 0; i < CAP_SET_COUNT; i++) {
        if (request->given[i])
            *fields[i] = request->sets[i];
        else if (i != CAP_SET_BOUNDING && request->given[CAP_SET_BOUNDING])
            *fields[i] &= request->sets[CAP_SET_BOUNDING];
    }
}

static int parse_status_hex(const char *status, const char *key, uint64_t *value)
{
    const char *line = strstr(status, key);

    if (line == NULL)
        return -1;
    *value = strtoull(line + strlen(key), NULL, 16);
    return 0;
}

/* Reads the five capability sets and NoNewPrivs of process PID from /proc/PID/status. */
int caps_read_process(pid_t pid, struct cap_sets *out, bool *no_new_privs)
{
    char path[64];
    char status[8192];
    const char *line;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (read_file(path, status, sizeof status) < 0)
        return fail("status", path, errno);
    if (parse_status_hex(status, "\nCapInh:", &out->inheritable) < 0 ||
        parse_status_hex(status, "\nCapPrm:", &out->permitted) < 0 ||
        parse_status_hex(status, "\nCapEff:", &out->effective) < 0 ||
        parse_status_hex(status, "\nCapBnd:", &out->bounding) < 0 ||
        parse_status_hex(status, "\nCapAmb:", &out->ambient) < 0)
        return fail_with("status", path, EINVAL, "capability sets not found");
    line = strstr(status, "\nNoNewPrivs:");
    *no_new_privs = line != NULL && strtol(line + strlen("\nNoNewPrivs:"), NULL, 10) == 1;
    return 0;
}

/*
 * Applies SETS to the calling process in the order the kernel requires:
 * the bounding drop needs CAP_SETPCAP, which capset() may remove from the
 * effective set, and raising an ambient capability needs it to be permitted
 * and inheritable already.
 */
int caps_apply(const struct cap_sets *sets)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    char name[32];

    for (int cap = 0; cap <= last_cap(); cap++) {
        if ((sets->bounding & bit(cap)) == 0 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return fail("capabilities", cap_display_name(cap, name, sizeof name), errno);
    }

    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(sets->effective >> (32 * i));
        data[i].permitted = (uint32_t)(sets->permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(sets->inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &header, data) < 0)
        return fail("capabilities", "capset", errno);

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return fail("capabilities", "PR_CAP_AMBIENT_CLEAR_ALL", errno);
    for (int cap = 0; cap <= last_cap(); cap++) {
        if ((sets->ambient & bit(cap)) != 0 &&
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return fail("capabilities", cap_display_name(cap, name, sizeof name), errno);
    }
    return 0;
}
