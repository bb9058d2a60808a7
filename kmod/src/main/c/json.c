/*
 * The JSON lines of the status protocol and the exit.json record.
 *
 * Status lines, one object per line:
 *   {"event":"pid","pid":CHILD,"monitor":MONITOR}
 *   {"event":"exec","pid":CHILD}
 *   {"event":"error","step":S,"object":O,"errno":N,"errname":E,"message":M}
 * exit.json: {"pid":CHILD,"exitCode":N,"exitedAt":MILLIS} or with "signal":N.
 */
#include "vcontext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct json_line {
    char text[8192]; /* fits the largest failure record with every byte escaped */
    size_t length;
};

static void append(struct json_line *line, const char *text, size_t length)
{
    /* Keeps room for the closing "}\n" added by finish(). */
    size_t room = sizeof line->text - 2 - line->length;

    if (length > room)
        length = room;
    memcpy(line->text + line->length, text, length);
    line->length += length;
}

static void append_text(struct json_line *line, const char *text)
{
    append(line, text, strlen(text));
}

/* Returns the length of the valid UTF-8 sequence at TEXT, or 0 when it is invalid. */
static size_t utf8_sequence_length(const unsigned char *text)
{
    size_t length;

    if (text[0] >= 0xc2 && text[0] <= 0xdf)
        length = 2;
    else if (text[0] >= 0xe0 && text[0] <= 0xef)
        length = 3;
    else if (text[0] >= 0xf0 && text[0] <= 0xf4)
        length = 4;
    else
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xc0) != 0x80)
            return 0;
    }
    return length;
}

/*
 * Appends TEXT as a JSON string. Control characters are escaped, and a byte
 * that is not part of valid UTF-8 (paths may contain any byte) is written as
 * the code point of the same value, so the line stays valid JSON.
 */
static void append_string(struct json_line *line, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    char escape[8];

    append_text(line, "\"");
    while (*p != '\0') {
        size_t sequence = *p >= 0x80 ? utf8_sequence_length(p) : 1;

        if (*p == '"' || *p == '\\') {
            escape[0] = '\\';
            escape[1] = (char)*p;
            append(line, escape, 2);
        } else if (*p == '\n') {
            append_text(line, "\\n");
        } else if (*p == '\t') {
            append_text(line, "\\t");
        } else if (*p < 0x20 || *p == 0x7f || sequence == 0) {
            snprintf(escape, sizeof escape, "\\u%04x", *p);
            append_text(line, escape);
            sequence = 1;
        } else {
            append(line, (const char *)p, sequence);
        }
        p += sequence;
    }
    append_text(line, "\"");
}

static void append_key(struct json_line *line, const char *key)
{
    append_text(line, line->length > 1 ? ",\"" : "\"");
    append_text(line, key);
    append_text(line, "\":");
}

static void put_string(struct json_line *line, const char *key, const char *value)
{
    append_key(line, key);
    append_string(line, value);
}

static void put_number(struct json_line *line, const char *key, long long value)
{
    char number[32];

    append_key(line, key);
    snprintf(number, sizeof number, "%lld", value);
    append_text(line, number);
}

static void start(struct json_line *line)
{
    line->length = 0;
    append_text(line, "{");
}

static void finish(struct json_line *line)
{
    line->text[line->length++] = '}';
    line->text[line->length++] = '\n';
}

/* Writes LINE to FD. A reader that went away is not an error of the guest. */
static void send_line(int fd, struct json_line *line)
{
    finish(line);
    write_all(fd, line->text, line->length);
}

void status_pid(int fd, pid_t child, pid_t monitor)
{
    struct json_line line;

    start(&line);
    put_string(&line, "event", "pid");
    put_number(&line, "pid", child);
    put_number(&line, "monitor", monitor);
    send_line(fd, &line);
}

void status_exec(int fd, pid_t child)
{
    struct json_line line;

    start(&line);
    put_string(&line, "event", "exec");
    put_number(&line, "pid", child);
    send_line(fd, &line);
}

void status_error(int fd, const struct failure *f)
{
    struct json_line line;

    start(&line);
    put_string(&line, "event", "error");
    put_string(&line, "step", f->step);
    put_string(&line, "object", f->object);
    put_number(&line, "errno", f->err);
    put_string(&line, "errname", errno_name(f->err));
    put_string(&line, "message", failure_message(f));
    send_line(fd, &line);
}

/* Writes RUN_DIR/exit.json through a temporary file and rename(), so readers never see half a record. */
int write_exit_json(const char *run_dir, pid_t child, int wait_status)
{
    struct json_line line;
    struct timespec now;
    char *target = path_join(run_dir, "exit.json");
    char *temporary = path_join(run_dir, ".exit.json.tmp");
    int fd;
    int result = -1;

    clock_gettime(CLOCK_REALTIME, &now);
    start(&line);
    put_number(&line, "pid", child);
    if (WIFSIGNALED(wait_status))
        put_number(&line, "signal", WTERMSIG(wait_status));
    else
        put_number(&line, "exitCode", WEXITSTATUS(wait_status));
    put_number(&line, "exitedAt", (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    finish(&line);

    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail("exit-record", temporary, errno);
        goto out;
    }
    if (write_all(fd, line.text, line.length) < 0 || fsync(fd) < 0) {
        fail("exit-record", temporary, errno);
        close(fd);
        unlink(temporary);
        goto out;
    }
    close(fd);
    if (rename(temporary, target) < 0) {
        fail("exit-record", target, errno);
        unlink(temporary);
        goto out;
    }
    result = 0;
out:
    free(target);
    free(temporary);
    return result;
}
