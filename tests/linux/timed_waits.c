// SPDX-License-Identifier: MIT
// Timed waits and ioctl on files that are not terminals, under Tern's Linux personality
// (LXT0001): sleeps end by themselves and not before their time, absolute sleeps on both
// clocks, a signal cuts a sleep short with EINTR and the time left (even under
// SA_RESTART), poll and select time out, bad arguments get Linux's errors; FIONREAD,
// FIOCLEX, FIONCLEX and FIONBIO work on pipes and files, terminal requests are ENOTTY
// there; alarm and setitimer (ITIMER_REAL) signal on time. One TAP line per check; the exit status is the number that failed. It passes on
// Linux too (musl-gcc -static).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;
static volatile sig_atomic_t handled;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static long long now_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void on_usr1(int signal)
{
    (void)signal;
    handled = 1;
}

static void sleeps(void)
{
    long long before = now_us(CLOCK_MONOTONIC);
    struct timespec request = {0, 100 * 1000 * 1000};
    int result = nanosleep(&request, NULL);
    check(result == 0 && now_us(CLOCK_MONOTONIC) - before >= 100000, "nanosleep of 100 ms returns 0, not earlier");

    struct timespec target;
    clock_gettime(CLOCK_MONOTONIC, &target);
    target.tv_nsec += 150 * 1000 * 1000;
    if (target.tv_nsec >= 1000000000) {
        target.tv_nsec -= 1000000000;
        ++target.tv_sec;
    }
    result = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, NULL);
    long long reached = now_us(CLOCK_MONOTONIC);
    check(result == 0 && reached >= target.tv_sec * 1000000LL + target.tv_nsec / 1000,
          "clock_nanosleep to an absolute CLOCK_MONOTONIC time wakes at or after it");

    struct timespec past = {1, 0};
    before = now_us(CLOCK_MONOTONIC);
    result = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &past, NULL);
    check(result == 0 && now_us(CLOCK_MONOTONIC) - before < 1000000,
          "clock_nanosleep to a CLOCK_REALTIME time long past returns at once");

    struct timespec short_sleep = {0, 1000};
    errno = 0;
    long raw = syscall(SYS_clock_nanosleep, 99, 0, &short_sleep, NULL);
    check(raw == -1 && errno == EINVAL, "clock_nanosleep on an unknown clock is EINVAL");
    struct timespec bad = {0, 1000000000};
    errno = 0;
    check(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep with 10^9 nanoseconds is EINVAL");
    errno = 0;
    raw = syscall(SYS_nanosleep, (void *)16, NULL);
    check(raw == -1 && errno == EFAULT, "nanosleep of a bad pointer is EFAULT");
}

static void interrupted_sleep(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    action.sa_flags = SA_RESTART;  // nanosleep ends with EINTR all the same
    sigaction(SIGUSR1, &action, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        struct timespec wait = {0, 200 * 1000 * 1000};
        nanosleep(&wait, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec request = {5, 0}, left = {-1, -1};
    errno = 0;
    int result = nanosleep(&request, &left);
    int saved = errno;
    waitpid(child, NULL, 0);
    check(result == -1 && saved == EINTR && handled, "a signal ends nanosleep with EINTR, SA_RESTART or not");
    check(left.tv_sec >= 2 && left.tv_sec <= 4 && left.tv_nsec >= 0 && left.tv_nsec < 1000000000,
          "... and the time left is written to rem");
}

static void polls(void)
{
    int ends[2];
    if (pipe(ends) != 0) {
        check(0, "pipe");
        return;
    }
    struct pollfd entry = {ends[0], POLLIN, 0};
    long long before = now_us(CLOCK_MONOTONIC);
    int ready = poll(&entry, 1, 150);
    check(ready == 0 && now_us(CLOCK_MONOTONIC) - before >= 150000,
          "poll of an empty pipe times out after 150 ms with 0");
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(ends[0], &read_set);
    struct timeval timeout = {0, 100000};
    before = now_us(CLOCK_MONOTONIC);
    ready = select(ends[0] + 1, &read_set, NULL, NULL, &timeout);
    check(ready == 0 && now_us(CLOCK_MONOTONIC) - before >= 100000, "select of an empty pipe times out after 100 ms");

    // ioctl on a pipe.
    struct termios settings;
    errno = 0;
    check(ioctl(ends[0], TCGETS, &settings) == -1 && errno == ENOTTY && !isatty(ends[1]),
          "TCGETS on a pipe is ENOTTY and isatty is false");
    if (write(ends[1], "12345", 5) != 5)
        check(0, "write");
    int available = -1;
    check(ioctl(ends[0], FIONREAD, &available) == 0 && available == 5, "FIONREAD on a pipe counts its bytes");
    errno = 0;
    check(ioctl(ends[0], FIONREAD, (void *)16) == -1 && errno == EFAULT, "FIONREAD to a bad pointer is EFAULT");
    check(ioctl(ends[0], FIOCLEX) == 0 && (fcntl(ends[0], F_GETFD) & FD_CLOEXEC) != 0, "FIOCLEX sets close-on-exec");
    check(ioctl(ends[0], FIONCLEX) == 0 && (fcntl(ends[0], F_GETFD) & FD_CLOEXEC) == 0, "FIONCLEX clears it");
    int on = 1;
    check(ioctl(ends[0], FIONBIO, &on) == 0 && (fcntl(ends[0], F_GETFL) & O_NONBLOCK) != 0, "FIONBIO sets O_NONBLOCK");
    char buffer[8];
    (void)!read(ends[0], buffer, sizeof buffer);
    errno = 0;
    check(read(ends[0], buffer, sizeof buffer) == -1 && errno == EAGAIN, "... and an empty read is then EAGAIN");
    close(ends[0]);
    close(ends[1]);
    errno = 0;
    check(ioctl(ends[0], FIONREAD, &available) == -1 && errno == EBADF, "ioctl of a closed descriptor is EBADF");
}

static void file_ioctl(void)
{
    int fd = open("/tmp/lxt-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        check(0, "open /tmp/lxt-file");
        return;
    }
    if (write(fd, "0123456789", 10) != 10)
        check(0, "write");
    lseek(fd, 3, SEEK_SET);
    int available = -1;
    check(ioctl(fd, FIONREAD, &available) == 0 && available == 7, "FIONREAD on a file is what is left after the offset");
    pid_t group;
    errno = 0;
    check(ioctl(fd, TIOCGPGRP, &group) == -1 && errno == ENOTTY, "TIOCGPGRP on a file is ENOTTY");
    errno = 0;
    check(ioctl(fd, 0x12345678, 0) == -1 && errno == ENOTTY, "an unknown request is ENOTTY");
    close(fd);
    unlink("/tmp/lxt-file");
}

static volatile sig_atomic_t alarms;

static void on_alarm(int signal)
{
    (void)signal;
    ++alarms;
}

// alarm and setitimer (ITIMER_REAL): SIGALRM comes on time, once or at each interval; what is
// left reads back; a blocking read ends with EINTR; a fork's child has no timer of its parent's.
static void timers(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    check(alarm(0) == 0, "alarm(0) with none set returns 0");
    check(alarm(5) == 0 && alarm(0) == 5, "alarm(5) then alarm(0) returns the 5 seconds left");
    long long before = now_us(CLOCK_MONOTONIC);
    alarms = 0;
    alarm(1);
    int ends[2];
    char byte;
    if (pipe(ends) != 0) {
        check(0, "pipe");
        return;
    }
    ssize_t got = read(ends[0], &byte, 1);  // nothing comes: only the alarm ends it
    int saved = errno;
    long long waited = now_us(CLOCK_MONOTONIC) - before;
    check(got == -1 && saved == EINTR && alarms == 1 && waited >= 900000 && waited < 3000000,
          "alarm(1): SIGALRM after a second ends a blocking read with EINTR");
    struct itimerval every = {{0, 50000}, {0, 50000}}, left;
    alarms = 0;
    before = now_us(CLOCK_MONOTONIC);
    check(setitimer(ITIMER_REAL, &every, NULL) == 0, "setitimer(ITIMER_REAL) every 50 ms");
    check(getitimer(ITIMER_REAL, &left) == 0 && left.it_interval.tv_usec == 50000 && left.it_value.tv_sec == 0 &&
              left.it_value.tv_usec <= 50000,
          "getitimer reads back the interval and what is left");
    pid_t child = fork();
    if (child == 0) {
        struct itimerval none;
        _exit(getitimer(ITIMER_REAL, &none) == 0 && none.it_value.tv_sec == 0 && none.it_value.tv_usec == 0 ? 0 : 1);
    }
    int status = -1;
    while (waitpid(child, &status, 0) == -1 && errno == EINTR) {
    }
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a fork's child has no timer");
    while (alarms < 3 && now_us(CLOCK_MONOTONIC) - before < 3000000)
        pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    check(alarms >= 3 && now_us(CLOCK_MONOTONIC) - before >= 140000, "three SIGALRMs, 50 ms apart at least");
    int count = alarms;
    struct timespec pause_time = {0, 200000000};
    nanosleep(&pause_time, NULL);
    check(alarms == count, "setitimer with zero stops the timer");
    check(setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 1000000}}, NULL) == -1 && errno == EINVAL,
          "setitimer with a million microseconds is EINVAL");
    check(getitimer(ITIMER_REAL, (void *)8) == -1 && errno == EFAULT, "getitimer to a bad pointer is EFAULT");
    close(ends[0]);
    close(ends[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    sleeps();
    interrupted_sleep();
    polls();
    file_ioctl();
    timers();
    return failures;
}
