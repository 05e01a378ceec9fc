#include "trace_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shared/message.h"

static int read_error(tl_error *err) {
    return tl_fail(err, TL_ERR_BAD_VALUE, "cannot read: %s", strerror(errno));
}

/* Up to `length` bytes, fewer only at the end of the file. */
static int read_fully(int fd, unsigned char *data, size_t length, size_t *got, tl_error *err) {
    *got = 0;
    while (*got < length) {
        ssize_t n = read(fd, data + *got, length - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return read_error(err);
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return TL_OK;
}

int tl_trace_file_open(tl_trace_file *file, const char *path, tl_error *err) {
    memset(file, 0, sizeof *file);
    file->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (file->fd < 0)
        return tl_fail(err, TL_ERR_BAD_VALUE, "cannot open: %s", strerror(errno));
    size_t got;
    int status = read_fully(file->fd, file->first, sizeof file->first, &got, err);
    if (status == TL_OK) {
        file->first_length = got;
        /* Fewer bytes than asked for: the file ends here. */
        if (tl_trace_read_header(&file->reader, file->first, got, got < sizeof file->first,
                                 &file->header_length, err) != TL_TRACE_EVENT)
            status = err->code;
    }
    if (status != TL_OK)
        tl_trace_file_close(file);
    return status;
}

void tl_trace_file_close(tl_trace_file *file) {
    if (file->fd >= 0)
        close(file->fd);
    file->fd = -1;
}

void tl_trace_file_start(tl_trace_file *file, tl_replay *replay) {
    size_t rest = file->first_length - file->header_length;
    tl_replay_append(replay, file->first + file->header_length, rest);
    /* The whole file was shorter than the first read: no more bytes will come. */
    if (file->first_length < sizeof file->first)
        tl_trace_input_added(&replay->input, 0);
}

int tl_trace_file_feed(tl_trace_file *file, tl_replay *replay, tl_error *err) {
    uint64_t room;
    while ((room = tl_replay_wants_input(replay)) > 0) {
        ssize_t n = read(file->fd, tl_trace_input_tail(&replay->input), (size_t)room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return read_error(err);
        tl_trace_input_added(&replay->input, (size_t)n); /* 0: the end of the file */
    }
    return TL_OK;
}

int tl_trace_file_check(tl_trace_file *file, tl_replay *replay, tl_error *err) {
    tl_replay_init(replay, &file->reader, 0);
    /* Read in the largest gulps the buffer allows. */
    replay->events_per_step = TL_REPLAY_EVENTS_PER_STEP_MAX;
    if (tl_replay_open(replay, err) != TL_OK)
        return err->code;
    tl_trace_file_start(file, replay);
    for (;;) {
        tl_replay_tally tally = {0, 0, 0};
        if (tl_trace_file_feed(file, replay, err) != TL_OK)
            return err->code;
        int status = tl_replay_advance(replay, UINT64_MAX, UINT64_MAX, &tally, err);
        if (status == TL_TRACE_END)
            return TL_OK;
        if (status == TL_TRACE_ERROR)
            return err->code;
    }
}

int tl_trace_file_report(const char *path, const tl_error *err) {
    tl_say("%s: %s", tl_q(path), err->message);
    return err->code == TL_ERR_OOM ? 3 : 2;
}
