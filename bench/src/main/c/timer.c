/*
 * Interleaved start-to-exit timer of the start-latency benchmark.
 *
 *   bench-timer --runs N --warmup N --samples FILE
 *               --variant NAME CMD [ARG...] [--variant NAME CMD [ARG...]]...
 *
 * Each round runs every variant once, so slow drift of a shared machine hits
 * all variants alike. The order rotates by one variant per round, so no
 * variant always follows the same predecessor. One sample is the wall-clock
 * time (CLOCK_MONOTONIC) from just before posix_spawn() to the return of
 * waitpid(); CMD gets /dev/null as stdin and stdout and inherits stderr.
 * "{run}" in an argument is replaced by a number unique to the run (warm-up
 * runs included), for commands that need a fresh name per run.
 *
 * The first --warmup rounds are not recorded. FILE receives one line per
 * recorded sample: variant name, round, nanoseconds (tab-separated). Standard
 * output receives one summary line per variant, tab-separated, in
 * milliseconds: name, runs, median, p90, min, max, q1, q3, mean. Percentiles
 * interpolate linearly between the closest ranks. Any run that exits non-zero
 * stops the timer with exit code 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PLACEHOLDER "{run}"

struct variant {
    const char *name;
    char **argv;    /* as given, may contain PLACEHOLDER */
    int argc;
    long long *samples;    /* nanoseconds, one per recorded round */
};

struct options {
    long runs;
    long warmup;
    const char *samples_path;
    struct variant *variants;
    int count;
};

static void usage(const char *message)
{
    fprintf(stderr,
            "bench-timer: %s\n"
            "usage: bench-timer --runs N --warmup N --samples FILE --variant NAME CMD [ARG...] "
            "[--variant NAME CMD [ARG...]]...\n",
            message);
    exit(2);
}

static void *allocate(size_t count, size_t size)
{
    void *memory = calloc(count, size);

    if (memory == NULL) {
        fputs("bench-timer: out of memory\n", stderr);
        exit(2);
    }
    return memory;
}

static long parse_count(const char *option, const char *text, long minimum)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > 1000000) {
        fprintf(stderr, "bench-timer: invalid %s value \"%s\", expected an integer from %ld to 1000000\n",
                option, text, minimum);
        exit(2);
    }
    return value;
}

static void parse(int argc, char **argv, struct options *o)
{
    int i = 1;

    memset(o, 0, sizeof *o);
    o->runs = -1;
    o->warmup = -1;
    o->variants = allocate((size_t)argc, sizeof *o->variants);
    while (i < argc && strcmp(argv[i], "--variant") != 0) {
        if (i + 1 >= argc) {
            fprintf(stderr, "bench-timer: missing value of %s\n", argv[i]);
            usage("every option before --variant takes a value");
        }
        if (strcmp(argv[i], "--runs") == 0)
            o->runs = parse_count("--runs", argv[i + 1], 1);
        else if (strcmp(argv[i], "--warmup") == 0)
            o->warmup = parse_count("--warmup", argv[i + 1], 0);
        else if (strcmp(argv[i], "--samples") == 0)
            o->samples_path = argv[i + 1];
        else {
            fprintf(stderr, "bench-timer: unknown option %s\n", argv[i]);
            usage("expected --runs, --warmup, --samples or --variant");
        }
        i += 2;
    }
    if (o->runs < 0 || o->warmup < 0 || o->samples_path == NULL)
        usage("--runs, --warmup and --samples are required");
    while (i < argc) {
        struct variant *v = &o->variants[o->count++];

        if (i + 2 >= argc)
            usage("--variant needs a name and a command");
        v->name = argv[i + 1];
        v->argv = argv + i + 2;
        for (i += 2; i < argc && strcmp(argv[i], "--variant") != 0; i++)
            v->argc++;
        v->samples = allocate((size_t)o->runs, sizeof *v->samples);
    }
    if (o->count == 0)
        usage("no --variant given");
}

/* Copies ARG with every PLACEHOLDER replaced by RUN. Returns ARG itself when it contains none. */
static char *expand(char *arg, long run)
{
    char number[24];
    char *expanded;
    char *out;
    size_t size;

    if (strstr(arg, PLACEHOLDER) == NULL)
        return arg;
    snprintf(number, sizeof number, "%ld", run);
    /* No number is longer than 20 digits, so each replacement grows ARG by at most 15. */
    size = strlen(arg) * 4 + 1;
    expanded = allocate(size, 1);
    out = expanded;
    for (const char *in = arg; *in != '\0';) {
        if (strncmp(in, PLACEHOLDER, strlen(PLACEHOLDER)) == 0) {
            out = stpcpy(out, number);
            in += strlen(PLACEHOLDER);
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    return expanded;
}

static long long now_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static void fail_run(const struct variant *v, char **argv, const char *failure, int code)
{
    fprintf(stderr, "bench-timer: variant %s: %s %d:", v->name, failure, code);
    for (char **arg = argv; *arg != NULL; arg++)
        fprintf(stderr, " %s", *arg);
    fputc('\n', stderr);
    exit(1);
}

/* Runs variant V once and returns its start-to-exit time in nanoseconds. */
static long long time_run(const struct variant *v, const posix_spawn_file_actions_t *actions, long run)
{
    char *argv[v->argc + 1];
    long long start;
    long long end;
    pid_t child;
    int status;
    int error;

    for (int i = 0; i < v->argc; i++)
        argv[i] = expand(v->argv[i], run);
    argv[v->argc] = NULL;

    start = now_ns();
    error = posix_spawn(&child, argv[0], actions, NULL, argv, environ);
    if (error != 0)
        fail_run(v, argv, "posix_spawn failed with errno", error);
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            fail_run(v, argv, "waitpid failed with errno", errno);
    }
    end = now_ns();

    if (WIFSIGNALED(status))
        fail_run(v, argv, "killed by signal", WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        fail_run(v, argv, "exited with status", WEXITSTATUS(status));
    for (int i = 0; i < v->argc; i++) {
        if (argv[i] != v->argv[i])
            free(argv[i]);
    }
    return end - start;
}

static int compare_samples(const void *a, const void *b)
{
    long long x = *(const long long *)a;
    long long y = *(const long long *)b;

    return (x > y) - (x < y);
}

/* Percentile P (0..100) of SORTED, interpolating linearly between the closest ranks, in milliseconds. */
static double percentile_ms(const long long *sorted, long count, double p)
{
    double rank = p / 100.0 * (double)(count - 1);
    long below = (long)rank;
    long above = below + 1 < count ? below + 1 : below;
    double fraction = rank - (double)below;

    return ((double)sorted[below] + fraction * (double)(sorted[above] - sorted[below])) / 1e6;
}

static void print_summary(const struct variant *v, long count)
{
    long long *sorted = allocate((size_t)count, sizeof *sorted);
    double total = 0;

    memcpy(sorted, v->samples, (size_t)count * sizeof *sorted);
    qsort(sorted, (size_t)count, sizeof *sorted, compare_samples);
    for (long i = 0; i < count; i++)
        total += (double)sorted[i];
    printf("%s\t%ld\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", v->name, count, percentile_ms(sorted, count, 50),
           percentile_ms(sorted, count, 90), (double)sorted[0] / 1e6, (double)sorted[count - 1] / 1e6,
           percentile_ms(sorted, count, 25), percentile_ms(sorted, count, 75), total / (double)count / 1e6);
    free(sorted);
}

int main(int argc, char **argv)
{
    posix_spawn_file_actions_t actions;
    struct options o;
    long run = 0;
    FILE *samples;

    parse(argc, argv, &o);
    samples = fopen(o.samples_path, "w");
    if (samples == NULL) {
        fprintf(stderr, "bench-timer: cannot open %s: %s\n", o.samples_path, strerror(errno));
        return 2;
    }
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);

    for (long round = 0; round < o.warmup + o.runs; round++) {
        for (int k = 0; k < o.count; k++) {
            struct variant *v = &o.variants[(round + k) % o.count];
            long long elapsed = time_run(v, &actions, run++);

            if (round < o.warmup)
                continue;
            v->samples[round - o.warmup] = elapsed;
            fprintf(samples, "%s\t%ld\t%lld\n", v->name, round - o.warmup, elapsed);
        }
    }
    if (fclose(samples) != 0) {
        fprintf(stderr, "bench-timer: cannot write %s: %s\n", o.samples_path, strerror(errno));
        return 2;
    }
    for (int k = 0; k < o.count; k++)
        print_summary(&o.variants[k], o.runs);
    return 0;
}
