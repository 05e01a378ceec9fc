/* `trimlab record -o TRACE -- PROGRAM [ARGS...]`: runs PROGRAM with the recorder preloaded
 * (libtrimlab-record.so, next to this executable or in ../lib/trimlab/) and reports what it
 * recorded. Programs the recorder cannot enter are refused before they run: a static binary (no
 * PT_INTERP), one built for another machine or word size, a set-user-ID or set-group-ID one (the
 * loader ignores LD_PRELOAD there). A trace still without a header after the run means the loader
 * refused anyway (file capabilities, for one). Exits with the program's own status otherwise. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_signals.h"
#include "cli/cli_options.h"
#include "commands.h"
#include "output_file.h"
#include "program.h"
#include "shared/message.h"
#include "shared/trace_writer.h"

enum { EXIT_NOT_INSTALLED = EXIT_FAILED };

static const char usage[] = "usage: " TL_SYNOPSIS_RECORD;
const char tl_record_usage[] =
    "Usage: " TL_SYNOPSIS_RECORD "\n"
    "  Runs PROGRAM with the recorder library preloaded and writes its allocation\n"
    "  calls to TRACE, which replaces an existing TRACE once PROGRAM has ended.\n"
    "\n"
    "  -o TRACE             the trace to write\n"
    "  --                   the end of the options: PROGRAM and its arguments follow\n"
    "  -h, --help           print this help and exit\n"
    "  TRIMLAB_RECORD_LIB   the recorder library (default: libtrimlab-record.so next\n"
    "                       to trimlab, else ../lib/trimlab/libtrimlab-record.so)\n"
    "  exit status          the program's own; 128+N when signal N killed it; 2 bad\n"
    "                       input, or a program or trace refused (one line on stderr,\n"
    "                       the program not run), or nothing was recorded; 1 the\n"
    "                       recorder library is missing (make native, make install)\n";
const char *const tl_record_help = tl_record_usage + sizeof("Usage: " TL_SYNOPSIS_RECORD "\n") - 1;
#define RECORDER_LIBRARY "libtrimlab-record.so"

typedef struct record_args {
    const char *output;
    char **program_argv; /* after "--"; NULL-terminated like argv */
} record_args;

#define refuse(...) (tl_say("record: " __VA_ARGS__), EXIT_BAD_INPUT)

static int bad_usage(const char *what, const char *value) {
    return refuse("%s%s%s (%s)", what, value ? " " : "", value ? tl_q(value) : "", usage);
}

/* Returns -1 when the arguments are good, else the exit code (0 for --help). */
static int parse_args(int argc, char **argv, record_args *args) {
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(tl_record_usage, stdout);
            return 0;
        }
        if (strcmp(argv[i], "-o") != 0)
            return bad_usage(argv[i][0] == '-' ? "unknown option" : "missing '--' before", argv[i]);
        if (i + 1 >= argc || argv[i + 1][0] == '\0' || strcmp(argv[i + 1], "--") == 0)
            return bad_usage("-o needs a trace file name", NULL);
        tl_error err;
        if (tl_cli_single("-o", &args->output, argv[++i], &err) != TL_OK)
            return bad_usage(err.message, NULL);
    }
    if (args->output == NULL)
        return bad_usage("missing -o TRACE", NULL);
    if (i >= argc)
        return bad_usage("missing '--' before the program", NULL);
    if (i + 1 >= argc || argv[i + 1][0] == '\0')
        return bad_usage("missing the program after '--'", NULL);
    args->program_argv = argv + i + 1;
    return -1;
}

enum elf_kind { ELF_DYNAMIC, ELF_STATIC, ELF_FOREIGN, NOT_ELF };

static int read_at(int fd, void *data, size_t length, off_t offset) {
    return pread(fd, data, length, offset) == (ssize_t)length;
}

/* The identity of an ELF file: its class (word size) and machine, which sit at the same offsets
 * in 32-bit and 64-bit files. */
typedef struct elf_id {
    unsigned char ident[EI_NIDENT];
    uint16_t machine;
} elf_id;

static int read_elf_id(int fd, elf_id *id) {
    return read_at(fd, id->ident, sizeof id->ident, 0) && memcmp(id->ident, ELFMAG, SELFMAG) == 0 &&
           read_at(fd, &id->machine, sizeof id->machine, offsetof(Elf64_Ehdr, e_machine));
}

/* Whether a program header of type PT_INTERP is there, in the file's own class. */
static int has_interpreter(int fd, int elf_class) {
    uint64_t phoff;
    unsigned phnum, phentsize;
    if (elf_class == ELFCLASS32) {
        Elf32_Ehdr h;
        if (!read_at(fd, &h, sizeof h, 0))
            return 0;
        phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
    } else {
        Elf64_Ehdr h;
        if (!read_at(fd, &h, sizeof h, 0))
            return 0;
        phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
    }
    for (unsigned i = 0; i < phnum; i++) {
        uint32_t type; /* p_type is the first field in both classes */
        if (read_at(fd, &type, sizeof type, (off_t)(phoff + (uint64_t)i * phentsize)) &&
            type == PT_INTERP)
            return 1;
    }
    return 0;
}

/* A program the loader runs has a PT_INTERP program header naming it; a script or an
 * unreadable file is left to the kernel and checked after the run. */
static enum elf_kind elf_kind_of(const char *path, const elf_id *own) {
    elf_id id;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    enum elf_kind kind = NOT_ELF;
    if (fd >= 0 && read_elf_id(fd, &id)) {
        kind = ELF_FOREIGN;
        if (own == NULL ||
            (id.ident[EI_CLASS] == own->ident[EI_CLASS] && id.machine == own->machine))
            kind = has_interpreter(fd, id.ident[EI_CLASS]) ? ELF_DYNAMIC : ELF_STATIC;
    }
    if (fd >= 0)
        close(fd);
    return kind;
}

/* The program must match the library that will be preloaded into it, not this executable: a
 * recorder built with -m32 records a 32-bit program. */
static int check_program(const char *name, const char *path, const char *library) {
    elf_id own;
    int own_fd = open(library, O_RDONLY | O_CLOEXEC);
    int have_own = own_fd >= 0 && read_elf_id(own_fd, &own);
    if (own_fd >= 0)
        close(own_fd);
    enum elf_kind kind = elf_kind_of(path, have_own ? &own : NULL);
    if (kind == ELF_STATIC)
        return refuse("'%s' is statically linked (no PT_INTERP): no preload library can record it",
                      tl_q(name));
    if (kind == ELF_FOREIGN)
        return refuse("'%s' is built for another machine or word size than %s", tl_q(name),
                      RECORDER_LIBRARY);
    struct stat st;
    if (stat(path, &st) == 0 && (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
                                 ((st.st_mode & S_ISGID) && st.st_gid != getgid())))
        return refuse("'%s' is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it",
                      tl_q(name));
    return -1;
}

/* 1 when `path` is a regular file this process can read, else 0 with errno saying why. */
static int readable_file(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return 1;
    errno = S_ISDIR(st.st_mode) ? EISDIR : ENOEXEC;
    return 0;
}

/* The library next to this executable (build/trimlab beside build/libtrimlab-record.so), else
 * where `make install` puts it, ../lib/trimlab/ from the executable's folder; `path` gets it
 * made absolute (PATH_MAX bytes). Returns -1 when found, else the exit code after one line
 * naming both places. */
static int find_installed_library(char *path) {
    static const char *const places[] = {"/" RECORDER_LIBRARY, "/../lib/trimlab/" RECORDER_LIBRARY};
    char exe[PATH_MAX], tried[2][PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? memrchr(exe, '/', (size_t)n) : NULL;
    if (slash == NULL) {
        tl_say("record: cannot find %s: this executable's path is unknown", RECORDER_LIBRARY);
        return EXIT_NOT_INSTALLED;
    }
    *slash = '\0';
    for (int i = 0; i < 2; i++) {
        int length = snprintf(tried[i], sizeof tried[i], "%s%s", exe, places[i]);
        if (length > 0 && (size_t)length < sizeof tried[i] && readable_file(tried[i]) &&
            realpath(tried[i], path) != NULL)
            return -1;
    }
    tl_say("record: the recorder library is neither '%s' nor '%s' (make native, or make install)",
           tl_q(tried[0]), tl_q(tried[1]));
    return EXIT_NOT_INSTALLED;
}

/* The library TRIMLAB_RECORD_LIB names (made absolute: the program may change directory), else
 * the one installed with this executable; `path` has PATH_MAX bytes. Returns -1 when found, else
 * the exit code after one line. */
static int find_library(char *path) {
    const char *chosen = getenv("TRIMLAB_RECORD_LIB");
    if (chosen && chosen[0]) {
        if (realpath(chosen, path) == NULL || !readable_file(path))
            return refuse("the library TRIMLAB_RECORD_LIB names, '%s', cannot be read: %s",
                          tl_q(chosen), strerror(errno));
        return -1;
    }
    return find_installed_library(path);
}

typedef struct preload {
    const char *library, *trace;
} preload;

/* In the child, before exec: the recorder preloaded, writing to the trace. */
static int preload_environment(void *context) {
    const preload *what = context;
    char value[PATH_MAX * 2 + 2];
    const char *existing = getenv("LD_PRELOAD");
    /* First in the list, so its malloc is the one every library binds to. */
    snprintf(value, sizeof value, "%s%s%s", what->library, existing && existing[0] ? ":" : "",
             existing ? existing : "");
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    return setenv("LD_PRELOAD", value, 1) == 0 && setenv("TRIMLAB_TRACE", what->trace, 1) == 0 &&
                   setenv("TRIMLAB_TRACE_PID", pid, 1) == 0
               ? 0
               : ENOMEM;
}

/* Returns the wait status, or -1 with errno when the program could not be started. Signals sent
 * to trimlab go on to the program (child_signals.h), which then ends with its trace. */
static int run_program(const char *path, char **argv, const char *library, const char *trace) {
    preload what = {library, trace};
    pid_t pid = tl_program_start(path, argv, preload_environment, &what);
    if (pid < 0)
        return -1;
    /* Ctrl-\ reaches the program from the terminal too: trimlab waits for its trace. */
    signal(SIGQUIT, SIG_IGN);
    int status = 0;
    return tl_child_wait(pid, &status) == 0 ? status : -1;
}

static int read_header(const char *trace, tl_trace_header *header) {
    unsigned char bytes[TL_TRACE_HEADER_BYTES];
    int fd = open(trace, O_RDONLY | O_CLOEXEC);
    int ok =
        fd >= 0 && read_at(fd, bytes, sizeof bytes, 0) && tl_trace_header_unpack(bytes, header);
    if (fd >= 0)
        close(fd);
    return ok;
}

static int program_exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int report(const record_args *args, tl_output_file *output, const char *library,
                  int status) {
    tl_trace_header header;
    const char *name = args->program_argv[0];
    if (!read_header(output->temp, &header)) {
        tl_output_finish(output, 0);
        return refuse("nothing was recorded from '%s': the loader did not preload %s into it "
                      "(file capabilities, or not a dynamically linked program?)",
                      tl_q(name), tl_q(library));
    }
    /* However the program ended: a trace cut short is a valid trace (docs/trace-format.md). */
    if (tl_output_finish(output, 1) != 0)
        return EXIT_FAILED;
    char how[64] = "complete";
    if (!(header.flags & TL_TRACE_COMPLETE))
        snprintf(how, sizeof how,
                 WIFSIGNALED(status) ? "cut short: killed by signal %d" : "cut short",
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    tl_say("recorded %llu events (%s) from %s to %s", (unsigned long long)header.event_count, how,
           tl_q(name), tl_q(args->output));
    return program_exit_code(status);
}

int tl_cmd_record(int argc, char **argv) {
    record_args args = {NULL, NULL};
    char path[PATH_MAX], library[PATH_MAX];
    tl_output_file output;
    tl_error err;
    int code = parse_args(argc, argv, &args);
    if (code >= 0)
        return code;
    const char *name = args.program_argv[0];
    int error = tl_find_program(name, path, sizeof path);
    if (error != 0)
        return refuse("program '%s': %s", tl_q(name), tl_program_problem(name, error));
    if ((code = find_library(library)) >= 0)
        return code;
    if ((code = check_program(name, path, library)) >= 0)
        return code;
    tl_child_signals_watch();
    /* The recorder writes the temporary file (an absolute name: the program may change folder
     * before it execs another image, which starts the trace again); renamed when it ended. */
    if (tl_output_open(&output, "-o", args.output, NULL, &err) != TL_OK)
        return refuse("%s", err.message);
    fflush(NULL);
    int status = run_program(path, args.program_argv, library, output.temp);
    if (status < 0) {
        int error = errno, stop = tl_child_stop_signal();
        tl_output_finish(&output, 0);
        return stop ? 128 + stop : refuse("cannot run '%s': %s", tl_q(name), strerror(error));
    }
    return report(&args, &output, library, status);
}
