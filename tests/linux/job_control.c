// SPDX-License-Identifier: MIT
// Job control under Tern's Linux personality (LXJ0001): stop signals stop a process until
// SIGCONT, its parent hears of both through wait4 (WUNTRACED, WCONTINUED) and SIGCHLD
// (CLD_STOPPED, CLD_CONTINUED, none with SA_NOCLDSTOP), a call the stop interrupted goes on
// after SIGCONT, a signal with a handler that arrives while stopped runs after it, and
// SIGKILL ends a stopped process; a parent ignoring SIGCHLD leaves no zombies. One TAP line per check; the exit status is the number
// that failed. It passes on Linux too (musl-gcc -static).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;
static volatile sig_atomic_t last_code, chld_count, usr1_count;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static void on_chld(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)context;
    last_code = info->si_code;
    ++chld_count;
}

static void on_usr1(int signal)
{
    (void)signal;
    ++usr1_count;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

// A parent that ignores SIGCHLD, or sets SA_NOCLDWAIT, leaves no zombies: wait finds no child
// (busybox httpd's children, which it never waits for).
static void no_zombies(void)
{
    signal(SIGCHLD, SIG_IGN);
    pid_t child = fork();
    if (child == 0)
        _exit(3);
    pause_ms(200);
    char path[32];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    check(access(path, F_OK) != 0, "with SIGCHLD ignored an ended child leaves no zombie in /proc");
    errno = 0;
    check(waitpid(child, NULL, 0) == -1 && errno == ECHILD, "... and waitpid finds no child (ECHILD)");
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_chld;
    action.sa_flags = SA_SIGINFO | SA_NOCLDWAIT;
    sigaction(SIGCHLD, &action, NULL);
    chld_count = 0;
    child = fork();
    if (child == 0)
        _exit(4);
    pause_ms(200);
    errno = 0;
    check(chld_count == 1 && waitpid(child, NULL, WNOHANG) == -1 && errno == ECHILD,
          "with SA_NOCLDWAIT the handler runs and no zombie is left");
    signal(SIGCHLD, SIG_DFL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_chld;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &action, NULL);

    int ends[2];
    if (pipe(ends) != 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        signal(SIGUSR1, on_usr1);
        close(ends[0]);
        if (write(ends[1], "r", 1) != 1)
            _exit(1);
        pause_ms(300);  // stopped in its nanosleep, which goes on after SIGCONT
        char report[2] = {(char)('0' + usr1_count), '\n'};
        if (write(ends[1], report, 2) != 2)
            _exit(1);
        _exit(7);
    }
    close(ends[1]);
    char byte;
    if (read(ends[0], &byte, 1) != 1)
        return 1;
    int status = 0;
    kill(child, SIGTSTP);  // (a fork child shares our group, which our parent keeps from being orphaned)
    kill(child, SIGSTOP);
    pid_t got = waitpid(child, &status, WUNTRACED);
    check(got == child && WIFSTOPPED(status) && (WSTOPSIG(status) == SIGSTOP || WSTOPSIG(status) == SIGTSTP),
          "wait4 with WUNTRACED reports the stop and its signal");
    pause_ms(50);
    check(chld_count >= 1 && last_code == CLD_STOPPED, "SIGCHLD came with CLD_STOPPED");
    errno = 0;
    check(waitpid(child, &status, WUNTRACED | WNOHANG) == 0, "a stop is reported once");
    kill(child, SIGUSR1);  // waits for SIGCONT
    pause_ms(100);
    check(waitpid(child, &status, WNOHANG) == 0, "a stopped process stays stopped: nothing to reap");
    chld_count = 0;
    kill(child, SIGCONT);
    got = waitpid(child, &status, WCONTINUED);
    check(got == child && WIFCONTINUED(status), "wait4 with WCONTINUED reports the continuation");
    pause_ms(50);
    check(chld_count >= 1 && last_code == CLD_CONTINUED, "SIGCHLD came with CLD_CONTINUED");
    char report[2] = {0, 0};
    check(read(ends[0], report, 2) == 2 && report[0] == '1',
          "the signal sent while stopped ran its handler after SIGCONT, and the sleep went on");
    got = waitpid(child, &status, 0);
    check(got == child && WIFEXITED(status) && WEXITSTATUS(status) == 7, "the child then ended normally");

    // A sleep a stop interrupts keeps its deadline: continued after it, it ends at once.
    child = fork();
    if (child == 0) {
        struct timespec start, end, two = {2, 0};
        clock_gettime(CLOCK_MONOTONIC, &start);
        int slept = nanosleep(&two, NULL);
        clock_gettime(CLOCK_MONOTONIC, &end);
        long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
        _exit(slept == 0 && ms >= 2000 && ms < 3200 ? 0 : 1);
    }
    pause_ms(500);
    kill(child, SIGSTOP);
    pause_ms(1000);
    kill(child, SIGCONT);
    got = waitpid(child, &status, 0);
    check(got == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a sleep stopped for a while ends at its first deadline, not its whole time later");

    // SA_NOCLDSTOP: no SIGCHLD for a stop; SIGKILL ends a stopped process.
    action.sa_flags |= SA_NOCLDSTOP;
    sigaction(SIGCHLD, &action, NULL);
    child = fork();
    if (child == 0) {
        for (;;)
            pause();
    }
    chld_count = 0;
    kill(child, SIGSTOP);
    got = waitpid(child, &status, WUNTRACED);
    pause_ms(50);
    check(got == child && WIFSTOPPED(status) && chld_count == 0, "with SA_NOCLDSTOP a stop sends no SIGCHLD");
    kill(child, SIGKILL);
    got = waitpid(child, &status, 0);
    check(got == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGKILL ends a stopped process");
    no_zombies();
    return failures;
}
