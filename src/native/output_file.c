#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/message.h"

/* Of the target's name in the temporary file's, ".NAME.trimlab-XXXXXX", so that one left by a
 * trimlab killed with SIGKILL says what it was for, and still fits NAME_MAX. */
#define TEMP_NAME_KEEP 200

static void discard(tl_output_file *out) {
    if (out->stream != NULL)
        fclose(out->stream);
    out->stream = NULL;
    if (out->temp[0] != '\0')
        unlink(out->temp);
    out->temp[0] = '\0';
}

static int refuse(const tl_output_file *out, tl_error *err, const char *why) {
    return tl_fail(err, TL_ERR_BAD_VALUE, "%s '%s' cannot be written: %s", out->option,
                   tl_q(out->path), why);
}

static int same_file(const struct stat *a, const char *path) {
    struct stat b;
    return path != NULL && stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* A target that does not exist yet: its folder's absolute name and its own name. */
static int resolve_new(tl_output_file *out, tl_error *err) {
    const char *slash = strrchr(out->path, '/');
    const char *name = slash ? slash + 1 : out->path;
    char folder[PATH_MAX];
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return refuse(out, err, "it names a folder, not a file");
    int n = slash == NULL ? snprintf(folder, sizeof folder, ".")
            : slash == out->path
                ? snprintf(folder, sizeof folder, "/")
                : snprintf(folder, sizeof folder, "%.*s", (int)(slash - out->path), out->path);
    if (n >= (int)sizeof folder)
        return refuse(out, err, strerror(ENAMETOOLONG));
    char absolute[PATH_MAX];
    if (realpath(folder, absolute) == NULL)
        return refuse(out, err, strerror(errno));
    n = snprintf(out->target, sizeof out->target, "%s/%s", strcmp(absolute, "/") ? absolute : "",
                 name);
    return n < (int)sizeof out->target ? TL_OK : refuse(out, err, strerror(ENAMETOOLONG));
}

/* The target's absolute name (through a symbolic link) and the mode the new file gets: an
 * existing file's, else what the umask allows. */
static int resolve_target(tl_output_file *out, const char *input, mode_t *mode, tl_error *err) {
    struct stat st;
    if (stat(out->path, &st) != 0) {
        if (errno != ENOENT)
            return refuse(out, err, strerror(errno));
        mode_t mask = umask(0);
        umask(mask);
        *mode = 0666 & ~mask;
        return resolve_new(out, err);
    }
    if (!S_ISREG(st.st_mode))
        return refuse(out, err, "it exists and is not a regular file");
    if (same_file(&st, input))
        return refuse(out, err, "it is the input file, which the output would replace");
    *mode = st.st_mode & 0777;
    if (realpath(out->path, out->target) == NULL)
        return refuse(out, err, strerror(errno));
    return TL_OK;
}

static int create_temp(tl_output_file *out, mode_t mode, tl_error *err) {
    const char *slash = strrchr(out->target, '/');
    int n = snprintf(out->temp, sizeof out->temp, "%.*s/.%.*s.trimlab-XXXXXX",
                     (int)(slash - out->target), out->target, TEMP_NAME_KEEP, slash + 1);
    int fd = n < (int)sizeof out->temp ? mkostemp(out->temp, O_CLOEXEC) : -1;
    if (fd < 0) {
        int saved = n < (int)sizeof out->temp ? errno : ENAMETOOLONG;
        out->temp[0] = '\0';
        char why[160];
        snprintf(why, sizeof why, "no file can be created in its folder: %s", strerror(saved));
        return refuse(out, err, why);
    }
    if (fchmod(fd, mode) != 0 || (out->stream = fdopen(fd, "w")) == NULL) {
        int saved = errno;
        close(fd);
        discard(out);
        return refuse(out, err, strerror(saved));
    }
    return TL_OK;
}

int tl_output_open(tl_output_file *out, const char *option, const char *path, const char *input,
                   tl_error *err) {
    mode_t mode = 0;
    memset(out, 0, sizeof *out);
    out->option = option;
    out->path = path;
    if (path == NULL)
        return TL_OK;
    int status = resolve_target(out, input, &mode, err);
    return status == TL_OK ? create_temp(out, mode, err) : status;
}

/* 0, or the errno of the first step that failed. */
static int commit(tl_output_file *out) {
    FILE *stream = out->stream;
    out->stream = NULL;
    /* An earlier failed write leaves the stream's error flag; fflush then usually says why. */
    int failed = fflush(stream) != 0 ? errno : ferror(stream) ? EIO : 0;
    if (!failed && fsync(fileno(stream)) != 0)
        failed = errno;
    if (fclose(stream) != 0 && !failed)
        failed = errno;
    if (!failed && rename(out->temp, out->target) != 0)
        failed = errno;
    if (!failed)
        out->temp[0] = '\0';
    return failed;
}

int tl_output_finish(tl_output_file *out, int keep) {
    int failed = keep && out->stream != NULL ? commit(out) : 0;
    discard(out);
    if (failed)
        tl_say("writing %s '%s' failed: %s", out->option, tl_q(out->path), strerror(failed));
    return failed ? -1 : 0;
}
