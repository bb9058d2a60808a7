/* vcontext entry point: dispatches to the create, enter and spectate subcommands. */
#include "vcontext.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>

static int main_create(int argc, char **argv)
{
    struct create_options options;
    int parsed = parse_create(argc, argv, &options);

    if (parsed == 1)
        return 0;
    if (parsed < 0) {
        report_failure(&last_failure, options.status_fd);
        return EXIT_VCONTEXT_FAILED;
    }
    return run_create(&options);
}

static int main_enter(int argc, char **argv)
{
    struct enter_options options;
    int parsed = parse_enter(argc, argv, &options);

    if (parsed == 1)
        return 0;
    if (parsed < 0) {
        report_failure(&last_failure, options.status_fd);
        return EXIT_VCONTEXT_FAILED;
    }
    return run_enter(&options);
}

static int main_spectate(int argc, char **argv)
{
    struct spectate_options options;
    int parsed = parse_spectate(argc, argv, &options);

    if (parsed == 1)
        return 0;
    if (parsed < 0) {
        report_failure(&last_failure, -1);
        return EXIT_VCONTEXT_FAILED;
    }
    return run_spectate(&options);
}

/* The contiguous area that holds this process's arguments, as execve() laid it out. */
static char *argument_area;
static size_t argument_area_length;

void set_process_title(const char *name)
{
    size_t length = strlen(name);

    if (argument_area == NULL || argument_area_length < 2)
        return;
    if (length > argument_area_length - 2)
        length = argument_area_length - 2;
    memset(argument_area, 0, argument_area_length);
    memcpy(argument_area, name, length);
    /*
     * A last byte other than NUL makes the kernel read /proc/PID/cmdline only
     * up to the first NUL, so the old arguments' length does not show.
     */
    argument_area[argument_area_length - 1] = ' ';
}

int main(int argc, char **argv)
{
    argument_area = argv[0];
    argument_area_length = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
    if (argc < 2) {
        print_main_help(stderr);
        return EXIT_VCONTEXT_FAILED;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_main_help(stdout);
        return 0;
    }
    if (strcmp(argv[1], "create") == 0)
        return main_create(argc - 1, argv + 1);
    if (strcmp(argv[1], "enter") == 0)
        return main_enter(argc - 1, argv + 1);
    if (strcmp(argv[1], "spectate") == 0)
        return main_spectate(argc - 1, argv + 1);
    fail_with("parse", argv[1], EINVAL,
              "unknown subcommand, expected create, enter or spectate; see vcontext --help");
    report_failure(&last_failure, -1);
    return EXIT_VCONTEXT_FAILED;
}
