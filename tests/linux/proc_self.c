// SPDX-License-Identifier: MIT
// /proc/self under Tern's Linux personality (LXP0001). exe names the running program's
// file by its absolute path, the last symbolic link followed, through fork and through an
// execve of /proc/self/exe itself. fd holds one link per open descriptor, naming its file,
// pipe or device as Linux does; opening a link opens the file anew. One TAP line per
// check; the exit status is the number that failed. The harness runs it as /proc_self.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static int exe_is(const char *expected)
{
    char path[256];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strcmp(path, expected) == 0;
}

// What a program started with execve(path, argv) prints on its standard output.
static int output_of(const char *path, char *const argv[], char *out, size_t size)
{
    int ends[2];
    if (pipe(ends) != 0)
        return 0;
    pid_t child = fork();
    if (child == 0) {
        dup2(ends[1], 1);
        execv(path, argv);
        _exit(127);
    }
    close(ends[1]);
    size_t got = 0;
    ssize_t n;
    while (got < size - 1 && (n = read(ends[0], out + got, size - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(ends[0]);
    int status;
    return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int link_is(const char *path, const char *expected)
{
    char target[256];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return strcmp(target, expected) == 0;
}

static void descriptor_checks(void)
{
    int file = open("/tmp/lxp-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", file);
    check(file >= 0 && link_is(path, "/tmp/lxp-file"), "/proc/self/fd/N names an open file by its absolute path");
    if (write(file, "0123456789", 10) != 10)
        check(0, "write");
    struct stat link_stat, file_stat;
    check(lstat(path, &link_stat) == 0 && S_ISLNK(link_stat.st_mode) && stat(path, &file_stat) == 0 &&
              S_ISREG(file_stat.st_mode) && file_stat.st_size == 10,
          "... lstat sees a link, stat the file through it");
    int again = open(path, O_RDONLY);
    char byte = 0;
    check(again >= 0 && again != file && lseek(again, 0, SEEK_CUR) == 0 && read(again, &byte, 1) == 1 && byte == '0' &&
              lseek(file, 0, SEEK_CUR) == 10,
          "... and opening it opens the file anew, with an offset of its own");
    int ends[2];
    char read_end[64], write_end[64], name[64];
    if (pipe(ends) != 0)
        check(0, "pipe");
    snprintf(read_end, sizeof read_end, "/proc/self/fd/%d", ends[0]);
    snprintf(write_end, sizeof write_end, "/proc/self/fd/%d", ends[1]);
    struct stat pipe_stat;
    fstat(ends[0], &pipe_stat);
    snprintf(name, sizeof name, "pipe:[%lu]", (unsigned long)pipe_stat.st_ino);
    check(link_is(read_end, name) && link_is(write_end, name), "both ends of a pipe are pipe:[its inode]");
    int writer = open(write_end, O_WRONLY);
    check(writer >= 0 && write(writer, "p", 1) == 1 && read(ends[0], &byte, 1) == 1 && byte == 'p',
          "opening a pipe's link gives another end of the same pipe");
    check(link_is("/proc/self/fd/0", "/dev/null"), "standard input, empty under ./tern linux, is /dev/null");
    DIR *listing = opendir("/proc/self/fd");
    int seen = 0, extra = 0;
    struct dirent *entry;
    while (listing != NULL && (entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        int fd = atoi(entry->d_name);
        if (fd == file || fd == again || fd == ends[0] || fd == ends[1] || fd == writer)
            ++seen;
        else if (fd != dirfd(listing) && fd > 2)
            ++extra;
        if (entry->d_type != DT_LNK)
            extra += 100;
    }
    if (listing != NULL)
        closedir(listing);
    check(seen == 5 && extra == 0, "opendir of /proc/self/fd lists every open descriptor, as links");
    close(writer);
    check(readlink(path, name, sizeof name) > 0 && close(file) == 0 && readlink(path, name, sizeof name) == -1 &&
              errno == ENOENT,
          "a closed descriptor's link is gone (ENOENT)");
    char self[32];
    snprintf(self, sizeof self, "%d", (int)getpid());
    check(link_is("/proc/self", self), "/proc/self is a link to the process's pid");
    check(chdir("/tmp") == 0 && link_is("/proc/self/cwd", "/tmp") && link_is("/proc/self/root", "/"),
          "/proc/self/cwd and root name the current and root directories");
    errno = 0;
    check(readlink("/proc/self/fd", name, sizeof name) == -1 && errno == EINVAL &&
              open("/proc/self/fd", O_WRONLY) == -1 && errno == EISDIR,
          "/proc/self/fd is a directory: readlink is EINVAL, opening it for writing EISDIR");
    errno = 0;
    check(readlink("/proc/self/fd/999", name, sizeof name) == -1 && errno == ENOENT &&
              readlink("/proc/self/nothing", name, sizeof name) == -1 && errno == ENOENT,
          "a descriptor not open and an unknown entry are ENOENT");
    close(again);
    close(ends[0]);
    close(ends[1]);
    unlink("/tmp/lxp-file");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "print") == 0) {
        char path[256];
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
        if (n < 0)
            return 1;
        path[n] = '\0';
        printf("%s\n", path);
        return 0;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    check(exe_is("/proc_self"), "readlink(/proc/self/exe) names this program");
    pid_t child = fork();
    if (child == 0)
        _exit(exe_is("/proc_self") ? 0 : 1);
    int status;
    check(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a forked child's /proc/self/exe names the same program");
    char out[256];
    char *again[] = {"again", "print", NULL};
    check(output_of("/proc/self/exe", again, out, sizeof out) && strcmp(out, "/proc_self\n") == 0,
          "execve of /proc/self/exe runs this program again, and it is still its /proc/self/exe");
    char *shell[] = {"sh", "-c", "readlink /proc/self/exe", NULL};
    check(output_of("/bin/sh", shell, out, sizeof out) && strcmp(out, "/bin/busybox\n") == 0,
          "/bin/sh, a symbolic link, is /bin/busybox in its /proc/self/exe");
    char *relative[] = {"relative", "print", NULL};
    check(chdir("/bin") == 0 && output_of("../proc_self", relative, out, sizeof out) &&
              strcmp(out, "/proc_self\n") == 0,
          "a relative path with .. in it names the file by its absolute path");
    descriptor_checks();
    printf("%d checks, %d failed\n", checks, failures);
    return failures;
}
