/* Resource limits (setrlimit(2)): names, parsing, copying from a process, applying. */
#include "vcontext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct rlimit_name {
    int resource;
    const char *name;
};

/* The names of setrlimit(2) without RLIMIT_, lowercase. */
static const struct rlimit_name rlimit_names[] = {
    { RLIMIT_AS, "as" }, { RLIMIT_CORE, "core" }, { RLIMIT_CPU, "cpu" },
    { RLIMIT_DATA, "data" }, { RLIMIT_FSIZE, "fsize" }, { RLIMIT_LOCKS, "locks" },
    { RLIMIT_MEMLOCK, "memlock" }, { RLIMIT_MSGQUEUE, "msgqueue" },
    { RLIMIT_NICE, "nice" }, { RLIMIT_NOFILE, "nofile" }, { RLIMIT_NPROC, "nproc" },
    { RLIMIT_RSS, "rss" }, { RLIMIT_RTPRIO, "rtprio" }, { RLIMIT_RTTIME, "rttime" },
    { RLIMIT_SIGPENDING, "sigpending" }, { RLIMIT_STACK, "stack" },
};

#define RLIMIT_NAME_COUNT (sizeof rlimit_names / sizeof rlimit_names[0])

static const char *rlimit_name_of(int resource)
{
    for (size_t i = 0; i < RLIMIT_NAME_COUNT; i++) {
        if (rlimit_names[i].resource == resource)
            return rlimit_names[i].name;
    }
    return "unknown";
}

static int parse_limit_value(const char *text, rlim_t *value)
{
    unsigned long long number;

    if (strcmp(text, "unlimited") == 0) {
        *value = RLIM_INFINITY;
        return 0;
    }
    if (parse_uint(text, RLIM_INFINITY - 1, &number) < 0)
        return -1;
    *value = (rlim_t)number;
    return 0;
}

/* Parses NAME=SOFT[:HARD] (HARD defaults to SOFT) into SETTINGS. */
int rlimit_parse(const char *text, struct rlimit_settings *settings)
{
    char buffer[128];
    char *value;
    char *hard;
    struct rlimit limit;

    if (strlen(text) >= sizeof buffer || (value = strchr(strcpy(buffer, text), '=')) == NULL)
        return fail_with("parse", text, EINVAL, "invalid --rlimit, expected NAME=SOFT[:HARD]");
    *value++ = '\0';
    hard = strchr(value, ':');
    if (hard != NULL)
        *hard++ = '\0';
    for (size_t i = 0; i < RLIMIT_NAME_COUNT; i++) {
        if (strcmp(buffer, rlimit_names[i].name) != 0)
            continue;
        if (parse_limit_value(value, &limit.rlim_cur) < 0 ||
            parse_limit_value(hard != NULL ? hard : value, &limit.rlim_max) < 0)
            return fail_with("parse", text, EINVAL,
                             "invalid --rlimit value, expected a number or unlimited");
        if (limit.rlim_max != RLIM_INFINITY &&
            (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > limit.rlim_max))
            return fail_with("parse", text, EINVAL, "--rlimit soft limit is above the hard limit");
        settings->set[rlimit_names[i].resource] = true;
        settings->value[rlimit_names[i].resource] = limit;
        return 0;
    }
    return fail_with("parse", buffer, EINVAL,
                     "unknown --rlimit name, expected one of as, core, cpu, data, fsize, locks, "
                     "memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack");
}

/* Copies every resource limit of process PID into SETTINGS. */
int rlimit_copy_from(pid_t pid, struct rlimit_settings *settings)
{
    char object[64];

    for (size_t i = 0; i < RLIMIT_NAME_COUNT; i++) {
        int resource = rlimit_names[i].resource;

        if (prlimit(pid, resource, NULL, &settings->value[resource]) < 0) {
            snprintf(object, sizeof object, "%s of pid %d", rlimit_names[i].name, (int)pid);
            return fail("rlimit", object, errno);
        }
        settings->set[resource] = true;
    }
    return 0;
}

/*
 * Applies the limits in SETTINGS. Raising a hard limit needs CAP_SYS_RESOURCE,
 * so this runs before the capability sets are reduced.
 */
int rlimit_apply(const struct rlimit_settings *settings)
{
    for (int resource = 0; resource < RLIM_NLIMITS; resource++) {
        if (settings->set[resource] && setrlimit(resource, &settings->value[resource]) < 0)
            return fail("rlimit", rlimit_name_of(resource), errno);
    }
    return 0;
}
