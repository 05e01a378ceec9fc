/* Output files written whole or not at all (src/native/output_file.h), in a fresh folder under
 * /tmp: the target keeps its old content until the new one is complete, nothing is left beside it,
 * and targets that cannot be replaced are refused before anything is written. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_tests.h"

#include "native/output_file.h"

static char folder[64];
static char target[128];

static int make_folder(void **state) {
    (void)state;
    snprintf(folder, sizeof folder, "/tmp/trimlab-output-XXXXXX");
    if (mkdtemp(folder) == NULL)
        return -1;
    snprintf(target, sizeof target, "%s/results.json", folder);
    return 0;
}

/* "." and "..", which every folder lists. */
static int is_dot(const char *name) {
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

static int remove_folder(void **state) {
    (void)state;
    DIR *dir = opendir(folder);
    struct dirent *entry;
    char path[400];
    while (dir && (entry = readdir(dir)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        if (!is_dot(entry->d_name))
            unlink(path);
    }
    if (dir)
        closedir(dir);
    return rmdir(folder);
}

static void write_text(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

static void assert_text(const char *path, const char *expected) {
    char text[64] = "";
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = '\0';
    assert_string_equal(text, expected);
}

/* The folder's entries, "." and ".." aside. */
static int entries(void) {
    DIR *dir = opendir(folder);
    struct dirent *entry;
    int count = 0;
    while ((entry = readdir(dir)) != NULL)
        count += !is_dot(entry->d_name);
    closedir(dir);
    return count;
}

static void test_old_content_until_complete(void **state) {
    (void)state;
    tl_output_file out;
    tl_error err;
    write_text(target, "old");
    assert_int_equal(tl_output_open(&out, "--json", target, NULL, &err), TL_OK);
    assert_int_equal(entries(), 2); /* the target and the temporary file beside it */
    fputs("new", out.stream);
    fflush(out.stream);
    assert_text(target, "old");
    assert_int_equal(tl_output_finish(&out, 0), 0); /* interrupted */
    assert_text(target, "old");
    assert_int_equal(entries(), 1);

    assert_int_equal(tl_output_open(&out, "--json", target, NULL, &err), TL_OK);
    fputs("new", out.stream);
    assert_int_equal(tl_output_finish(&out, 1), 0);
    assert_text(target, "new");
    assert_int_equal(entries(), 1);
}

static void test_new_file_gets_the_umask_mode(void **state) {
    (void)state;
    tl_output_file out;
    tl_error err;
    mode_t mask = umask(022);
    assert_int_equal(tl_output_open(&out, "--json", target, NULL, &err), TL_OK);
    assert_int_equal(tl_output_finish(&out, 1), 0);
    umask(mask);
    struct stat st;
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_symbolic_link_is_written_through(void **state) {
    (void)state;
    tl_output_file out;
    tl_error err;
    char link[160];
    snprintf(link, sizeof link, "%s/link.json", folder);
    write_text(target, "old");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(tl_output_open(&out, "--json", link, NULL, &err), TL_OK);
    fputs("new", out.stream);
    assert_int_equal(tl_output_finish(&out, 1), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_text(target, "new");
}

static void assert_refused(const char *path, const char *input, const char *why) {
    tl_output_file out;
    tl_error err;
    int before = entries();
    assert_int_equal(tl_output_open(&out, "--json", path, input, &err), TL_ERR_BAD_VALUE);
    assert_starts_with(err.message, "--json '");
    assert_contains(err.message, "' cannot be written: ");
    assert_contains(err.message, why);
    assert_int_equal(entries(), before);
}

static void test_refusals(void **state) {
    (void)state;
    char path[200], other[200];
    assert_refused("/dev/full", NULL, "it exists and is not a regular file");
    assert_refused(folder, NULL, "it exists and is not a regular file");
    snprintf(path, sizeof path, "%s/missing/", folder);
    assert_refused(path, NULL, "it names a folder, not a file");
    snprintf(path, sizeof path, "%s/missing/results.json", folder);
    assert_refused(path, NULL, "No such file or directory");
    assert_refused("/proc/version", NULL, "no file can be created in its folder");
    /* The input under another name: a hard link, then a symbolic link. */
    write_text(target, "trace");
    snprintf(path, sizeof path, "%s/hard.trace", folder);
    assert_int_equal(link(target, path), 0);
    assert_refused(path, target, "it is the input file");
    snprintf(other, sizeof other, "%s/soft.trace", folder);
    assert_int_equal(symlink(target, other), 0);
    assert_refused(target, other, "it is the input file");
    assert_text(target, "trace");
}

static void test_no_path_no_file(void **state) {
    (void)state;
    tl_output_file out;
    tl_error err;
    assert_int_equal(tl_output_open(&out, "--json", NULL, NULL, &err), TL_OK);
    assert_null(out.stream);
    assert_int_equal(tl_output_finish(&out, 1), 0);
    assert_int_equal(entries(), 0);
}

int run_output_file_tests(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_old_content_until_complete, make_folder,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_new_file_gets_the_umask_mode, make_folder,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_symbolic_link_is_written_through, make_folder,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_refusals, make_folder, remove_folder),
        cmocka_unit_test_setup_teardown(test_no_path_no_file, make_folder, remove_folder),
    };
    return cmocka_run_group_tests_name("output_file", tests, NULL, NULL);
}
