/*
 * Socket + bind + close loop of the chbind overhead benchmark.
 *
 *   bindloop [--address ADDRESS] [--cycles N] [--batches N] [--warmup N]
 *   bindloop --address ADDRESS --show-address
 *
 * One cycle is socket(SOCK_STREAM), bind(ADDRESS, port 0) and close(), the
 * work that cgroup/sock_create and cgroup/bind4 or cgroup/bind6 programs add
 * to. ADDRESS is an IPv4 or IPv6 literal (default 0.0.0.0); the socket's
 * family follows it. Port 0 lets the kernel pick a free ephemeral port, so
 * no cycle fails with EADDRINUSE.
 *
 * The first --warmup cycles are not timed. Then each of --batches batches
 * runs --cycles cycles, timed around the whole batch with CLOCK_MONOTONIC
 * (wall-clock time) and CLOCK_PROCESS_CPUTIME_ID (the CPU time of this
 * process, user and system, which leaves out the time other processes held
 * the CPU). Standard output receives one line per batch: the mean wall-clock
 * and the mean CPU nanoseconds per cycle of that batch, separated by a tab,
 * with two decimals each. --show-address runs one cycle and
 * prints the address getsockname() reports after the bind instead, so a
 * caller can see whether a program rewrote the bind.
 *
 * Any failed system call stops the loop with a message naming the call, the
 * address and the error, and exit code 1; bad arguments exit with code 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 100000000L

struct options {
    const char *address_text;
    long cycles;
    long batches;
    long warmup;
    int show_address;
};

struct bind_address {
    struct sockaddr_storage storage;
    socklen_t length;
    int family;
};

static void usage(const char *message)
{
    fprintf(stderr,
            "bindloop: %s\n"
            "usage: bindloop [--address ADDRESS] [--cycles N] [--batches N] [--warmup N]\n"
            "       bindloop --address ADDRESS --show-address\n"
            "  --address A    IPv4 or IPv6 address to bind, port 0 (default 0.0.0.0)\n"
            "  --cycles N     socket + bind + close cycles per timed batch (default 10000)\n"
            "  --batches N    timed batches, one output line each (default 1)\n"
            "  --warmup N     untimed cycles before the first batch (default 1000)\n"
            "  --show-address run one cycle and print the bound address instead\n",
            message);
    exit(2);
}

static long parse_count(const char *option, const char *text, long minimum)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > MAX_COUNT) {
        fprintf(stderr, "bindloop: invalid %s %s: expected an integer in %ld..%ld\n", option, text,
                minimum, MAX_COUNT);
        exit(2);
    }
    return value;
}

static struct options parse_options(int argc, char **argv)
{
    struct options options = { "0.0.0.0", 10000, 1, 1000, 0 };

    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];

        if (strcmp(option, "--show-address") == 0) {
            options.show_address = 1;
            continue;
        }
        if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            usage("help requested");
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bindloop: missing value of %s, or unknown option\n", option);
            usage("invalid command line");
        }
        if (strcmp(option, "--address") == 0) {
            options.address_text = argv[++i];
        } else if (strcmp(option, "--cycles") == 0) {
            options.cycles = parse_count(option, argv[++i], 1);
        } else if (strcmp(option, "--batches") == 0) {
            options.batches = parse_count(option, argv[++i], 1);
        } else if (strcmp(option, "--warmup") == 0) {
            options.warmup = parse_count(option, argv[++i], 0);
        } else {
            fprintf(stderr, "bindloop: unknown option %s\n", option);
            usage("invalid command line");
        }
    }
    return options;
}

/* Parses an IPv4 or IPv6 literal into a socket address with port 0. */
static struct bind_address parse_address(const char *text)
{
    struct bind_address address;

    memset(&address, 0, sizeof(address));
    struct sockaddr_in *ipv4 = (struct sockaddr_in *)&address.storage;
    struct sockaddr_in6 *ipv6 = (struct sockaddr_in6 *)&address.storage;
    if (inet_pton(AF_INET, text, &ipv4->sin_addr) == 1) {
        ipv4->sin_family = AF_INET;
        address.length = sizeof(*ipv4);
        address.family = AF_INET;
    } else if (inet_pton(AF_INET6, text, &ipv6->sin6_addr) == 1) {
        ipv6->sin6_family = AF_INET6;
        address.length = sizeof(*ipv6);
        address.family = AF_INET6;
    } else {
        fprintf(stderr, "bindloop: invalid --address %s: expected an IPv4 or IPv6 literal\n", text);
        exit(2);
    }
    return address;
}

/* Reports a failed call on an object (an address or a clock) with errno's message and exits. */
static void fail(const char *call, const char *object)
{
    fprintf(stderr, "bindloop: %s %s: %s\n", call, object, strerror(errno));
    exit(1);
}

/* Runs one socket + bind + close cycle, or with keep_open no close: then it returns the socket. */
static int run_cycle(const struct bind_address *address, const char *address_text, int keep_open)
{
    int fd = socket(address->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        fail("socket", address_text);
    }
    if (bind(fd, (const struct sockaddr *)&address->storage, address->length) != 0) {
        fail("bind", address_text);
    }
    if (keep_open) {
        return fd;
    }
    if (close(fd) != 0) {
        fail("close", address_text);
    }
    return -1;
}

static void show_bound_address(const struct bind_address *address, const char *address_text)
{
    struct sockaddr_storage bound;
    socklen_t length = sizeof(bound);
    char text[INET6_ADDRSTRLEN];
    const void *raw;

    int fd = run_cycle(address, address_text, 1);
    if (getsockname(fd, (struct sockaddr *)&bound, &length) != 0) {
        fail("getsockname", address_text);
    }
    if (bound.ss_family == AF_INET) {
        raw = &((struct sockaddr_in *)&bound)->sin_addr;
    } else {
        raw = &((struct sockaddr_in6 *)&bound)->sin6_addr;
    }
    if (inet_ntop(bound.ss_family, raw, text, sizeof(text)) == NULL) {
        fail("inet_ntop", address_text);
    }
    printf("%s\n", text);
    close(fd);
}

static long long now_ns(clockid_t clock, const char *clock_name)
{
    struct timespec time;

    if (clock_gettime(clock, &time) != 0) {
        fail("clock_gettime", clock_name);
    }
    return (long long)time.tv_sec * 1000000000LL + time.tv_nsec;
}

int main(int argc, char **argv)
{
    struct options options = parse_options(argc, argv);
    struct bind_address address = parse_address(options.address_text);

    if (options.show_address) {
        show_bound_address(&address, options.address_text);
        return 0;
    }
    for (long i = 0; i < options.warmup; i++) {
        run_cycle(&address, options.address_text, 0);
    }
    for (long batch = 0; batch < options.batches; batch++) {
        long long wall_start = now_ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
        long long cpu_start = now_ns(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID");
        for (long i = 0; i < options.cycles; i++) {
            run_cycle(&address, options.address_text, 0);
        }
        long long cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID") - cpu_start;
        long long wall = now_ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC") - wall_start;
        printf("%.2f\t%.2f\n", (double)wall / (double)options.cycles,
               (double)cpu / (double)options.cycles);
    }
    if (fflush(stdout) != 0) {
        fail("write", "standard output");
    }
    return 0;
}
