// SPDX-License-Identifier: MIT
// /proc/self/exe under Tern's Linux personality (LXP0001): it names the running program's
// file by its absolute path, the last symbolic link followed, through fork and through an
// execve of /proc/self/exe itself. One TAP line per check; the exit status is the number
// that failed. The harness runs it as /proc_self.
#include <stdio.h>
#include <string.h>
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
    printf("%d checks, %d failed\n", checks, failures);
    return failures;
}
