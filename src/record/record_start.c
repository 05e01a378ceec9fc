/* Deciding whether this process records, and opening its trace. Runs at the first allocation
 * call or at the library's constructor, whichever comes first, so every block the program can
 * free was allocated while recording. No malloc and no stdio here either: this runs inside the
 * program's first malloc.
 *
 * Environment (docs/trace-format.md):
 *   TRIMLAB_TRACE=path      record into path (truncated); unset or empty: record nothing.
 *   TRIMLAB_TRACE_PID=pid   record only in the process with this pid; `trimlab record` sets it
 *                           in its child just before exec, so the pid is the program's. Other
 *                           processes that inherit LD_PRELOAD (exec'd children) record nothing.
 *   Without TRIMLAB_TRACE_PID (LD_PRELOAD by hand) the first process that reads TRIMLAB_TRACE
 *   sets TRIMLAB_TRACE_PID to its own pid from the constructor, which makes both cases one:
 *   children record nothing, and an image the recorded process execs (same pid) starts the
 *   trace afresh, so the trace is always of the last program that process ran. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_internal.h"

#define TRACE_VARIABLE "TRIMLAB_TRACE"
#define PID_VARIABLE "TRIMLAB_TRACE_PID"

extern char **environ;

static char trace_path[4096];
static int claim_pid; /* TRIMLAB_TRACE without TRIMLAB_TRACE_PID: set it to this pid */

/* Copies the value of `name` from /proc/self/environ (the environment the process started
 * with) into out; for the rare call before libc has set environ. Returns 1 when found. */
static int proc_environ_value(const char *name, char *out, size_t size) {
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t name_length = strlen(name), position = 0, value_length = 0;
    int matching = 1, found = 0;
    char chunk[4096];
    ssize_t n;
    while (!found && (n = read(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < n && !found; i++, position++) {
            char c = chunk[i];
            if (c == '\0') {
                found = matching && position > name_length;
                position = (size_t)-1, matching = 1, value_length = 0;
            } else if (matching && position < name_length) {
                matching = c == name[position];
            } else if (matching && position == name_length) {
                matching = c == '=';
            } else if (matching) {
                matching = value_length + 1 < size;
                if (matching)
                    out[value_length++] = c;
            }
        }
    }
    close(fd);
    if (found)
        out[value_length] = '\0';
    return found;
}

/* getenv reads environ and allocates nothing, so it is safe inside malloc. */
static int environment_value(const char *name, char *out, size_t size) {
    if (environ == NULL)
        return proc_environ_value(name, out, size);
    const char *value = getenv(name);
    if (value == NULL || strlen(value) >= size)
        return 0;
    memcpy(out, value, strlen(value) + 1);
    return 1;
}

static int parse_pid(const char *text, pid_t *pid) {
    long value = 0;
    if (*text == '\0')
        return 0;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || value > 99999999)
            return 0;
        value = value * 10 + (*text - '0');
    }
    *pid = (pid_t)value;
    return value > 0;
}

/* Whether this process records: TRIMLAB_TRACE is set and TRIMLAB_TRACE_PID, when set, is
 * this process's pid. */
static int this_process_records(void) {
    char pid_text[32];
    pid_t pid;
    if (!environment_value(TRACE_VARIABLE, trace_path, sizeof trace_path) || !trace_path[0])
        return 0;
    if (!environment_value(PID_VARIABLE, pid_text, sizeof pid_text)) {
        claim_pid = 1;
        return 1;
    }
    if (!parse_pid(pid_text, &pid)) {
        record_say(PID_VARIABLE " is not a process id: '", pid_text, "'; not recording");
        return 0;
    }
    return pid == getpid();
}

/* The program's argv[0], at most TL_TRACE_NAME_MAX bytes; empty when /proc is not there. */
static uint32_t read_program_name(char name[TL_TRACE_NAME_MAX + 1]) {
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? 0 : read(fd, name, TL_TRACE_NAME_MAX);
    if (fd >= 0)
        close(fd);
    name[n > 0 ? n : 0] = '\0';
    return (uint32_t)strlen(name);
}

/* Truncates the trace and writes a header with no events and no COMPLETE flag, then the
 * name: a program that dies before the first flush leaves a valid, empty, cut-short trace. */
static int open_trace(void) {
    char name[TL_TRACE_NAME_MAX + 1];
    struct stat st;
    record.fd = open(trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (record.fd < 0 || fstat(record.fd, &st) != 0) {
        record_say("cannot write the trace '", trace_path, "'; not recording");
        return 0;
    }
    record.file_dev = st.st_dev;
    record.file_ino = st.st_ino;
    record.pid = getpid();
    record.name_length = read_program_name(name);
    record.file_offset = TL_TRACE_HEADER_BYTES + record.name_length;
    if (!record_write_header(0) ||
        !record_write_at(name, record.name_length, TL_TRACE_HEADER_BYTES)) {
        record_say("cannot write the trace '", trace_path, "'; not recording");
        return 0;
    }
    return 1;
}

void record_start(void) {
    int saved_errno = errno; /* a failed open here is not the program's malloc failing */
    record_lock();
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_UNDECIDED) {
        int active = this_process_records() && open_trace();
        atomic_store_explicit(&record.state, active ? RECORD_ACTIVE : RECORD_OFF,
                              memory_order_relaxed);
    }
    record_unlock();
    errno = saved_errno;
}

/* setenv allocates (recorded like any of the program's calls: it is the constructor, not an
 * allocator call), so it waits for the constructor. Also done when the trace could not be
 * opened, so the children do not each try and complain again. */
static void claim_trace_for_this_pid(void) {
    char text[24], *at = text + sizeof text;
    unsigned long pid = (unsigned long)getpid();
    *--at = '\0';
    do
        *--at = (char)('0' + pid % 10);
    while ((pid /= 10) > 0);
    setenv(PID_VARIABLE, at, 1);
}

__attribute__((constructor)) static void record_constructor(void) {
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_UNDECIDED)
        record_start();
    if (claim_pid)
        claim_trace_for_this_pid();
    if (atomic_load_explicit(&record.state, memory_order_relaxed) == RECORD_ACTIVE)
        record_install_handlers();
}

/* Runs from exit() (and a return from main) after the program's atexit handlers, so their
 * frees are in the trace; _exit() and death by SIGKILL skip it (no COMPLETE flag). */
__attribute__((destructor)) static void record_destructor(void) {
    record_finish_at_exit();
}
