// SPDX-License-Identifier: MIT
// /proc's files and the calls that give the same figures (LXP0002): meminfo, uptime, loadavg
// and mounts; a process's stat, status, cmdline and environ, through fork, a sleeping child
// and a zombie; processor time in /proc/PID/stat, /proc/stat and wait4's rusage; the /proc directory's listing, paths relative to it, and sysinfo and statfs.
// It passes on Linux too. One TAP line per check; the exit status is the number that failed.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/times.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

// The whole file at path (at most size - 1 bytes, NUL-terminated); its length or -1.
static long contents(const char *path, char *out, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got < size - 1 && (n = read(fd, out + got, size - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fd);
    return (long)got;
}

// The value of "Key:" in a file of such lines, or -1.
static long long field(const char *text, const char *key)
{
    size_t length = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, length) == 0 && line[length] == ':')
            return atoll(line + length + 1);
        line = strchr(line, '\n');
        line = line != NULL ? line + 1 : NULL;
    }
    return -1;
}

struct process_stat {
    int pid, ppid, group, session;
    char comm[32], state;
};

static int read_stat(int pid, struct process_stat *s)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (contents(path, text, sizeof text) <= 0)
        return 0;
    char *close_paren = strrchr(text, ')');
    char *open_paren = strchr(text, '(');
    if (close_paren == NULL || open_paren == NULL || close_paren - open_paren > 30)
        return 0;
    s->pid = atoi(text);
    memcpy(s->comm, open_paren + 1, (size_t)(close_paren - open_paren - 1));
    s->comm[close_paren - open_paren - 1] = '\0';
    return sscanf(close_paren + 2, "%c %d %d %d", &s->state, &s->ppid, &s->group, &s->session) == 4;
}

// The state letter of pid once it shows want, within two seconds; the last seen otherwise.
static char wait_for_state(int pid, char want)
{
    struct process_stat s = {0};
    for (int tries = 0; tries < 200; ++tries) {
        if (read_stat(pid, &s) && s.state == want)
            break;
        struct timespec pause_time = {0, 10 * 1000 * 1000};
        nanosleep(&pause_time, NULL);
    }
    return s.state;
}

// Spins for ms of the clock, mostly in user mode (the clock is read between long loops: under
// Tern each read is a system call the server answers, time not the process's).
static void spin_for_ms(long ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        for (volatile unsigned i = 0; i < 200000; ++i) {
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

// utime and stime (fields 14 and 15) of /proc/PID/stat, in clock ticks.
static int read_times(int pid, unsigned long *user, unsigned long *system)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (contents(path, text, sizeof text) <= 0 || strrchr(text, ')') == NULL)
        return 0;
    return sscanf(strrchr(text, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", user, system) == 2;
}

// The strings as a NUL-separated block, as cmdline and environ hold them.
static size_t joined(char **strings, char *out, size_t size)
{
    size_t at = 0;
    for (; *strings != NULL; ++strings) {
        size_t n = strlen(*strings) + 1;
        if (at + n > size)
            return 0;
        memcpy(out + at, *strings, n);
        at += n;
    }
    return at;
}

int main(int argc, char **argv)
{
    (void)argc;
    static char text[16384], expected[16384];
    printf("TAP version 13\n");

    long long total = -1, free_kb = -1;
    if (contents("/proc/meminfo", text, sizeof text) > 0) {
        total = field(text, "MemTotal");
        free_kb = field(text, "MemFree");
    }
    check(total > 0 && free_kb >= 0 && free_kb <= total && field(text, "Cached") >= 0 && field(text, "SwapTotal") >= 0,
          "/proc/meminfo gives MemTotal, MemFree (at most the total), Cached and SwapTotal in kB");
    struct sysinfo info;
    check(sysinfo(&info) == 0 && (long long)info.totalram * info.mem_unit == total * 1024 && info.procs >= 1,
          "sysinfo's totalram is meminfo's MemTotal; it counts this process");

    double up = -1, idle = -1;
    check(contents("/proc/uptime", text, sizeof text) > 0 && sscanf(text, "%lf %lf", &up, &idle) == 2 && up >= 0 &&
              up + 2 >= (double)info.uptime && up <= (double)info.uptime + 2,
          "/proc/uptime's seconds agree with sysinfo's uptime");
    double loads[3];
    int running = 0, all = 0, last = 0;
    check(contents("/proc/loadavg", text, sizeof text) > 0 &&
              sscanf(text, "%lf %lf %lf %d/%d %d", &loads[0], &loads[1], &loads[2], &running, &all, &last) == 6 &&
              running >= 1 && all >= running && last >= 1 && loads[0] >= 0,
          "/proc/loadavg: three loads, running/all processes (this one runs) and the last pid");
    check(contents("/proc/mounts", text, sizeof text) > 0 && strstr(text, " / ") != NULL &&
              strstr(text, " /proc proc ") != NULL,
          "/proc/mounts lists the root and /proc");

    struct process_stat self;
    check(read_stat(getpid(), &self) && self.pid == getpid() && strcmp(self.comm, "proc_system") == 0 &&
              self.state == 'R' && self.ppid == getppid() && self.group == getpgrp() && self.session == getsid(0),
          "/proc/PID/stat: pid, (comm), state R, parent, group and session");
    struct process_stat via_self;
    check(read_stat(getpid(), &via_self) && contents("/proc/self/stat", text, sizeof text) > 0 &&
              atoi(text) == getpid(),
          "/proc/self/stat is this process's");
    char line[64];
    snprintf(line, sizeof line, "\nPid:\t%d\n", getpid());
    check(contents("/proc/self/status", text, sizeof text) > 0 && strncmp(text, "Name:\tproc_system\n", 18) == 0 &&
              strstr(text, line) != NULL && strstr(text, "\nState:\tR (running)\n") != NULL,
          "/proc/self/status: Name, State and Pid lines");
    size_t want = joined(argv, expected, sizeof expected);
    long got = contents("/proc/self/cmdline", text, sizeof text);
    check(want > 0 && got == (long)want && memcmp(text, expected, want) == 0,
          "/proc/self/cmdline holds the arguments, each ending in NUL");
    want = joined(environ, expected, sizeof expected);
    got = contents("/proc/self/environ", text, sizeof text);
    check(got == (long)want && memcmp(text, expected, want) == 0, "/proc/self/environ holds the environment");

    unsigned long long cpu_before[4] = {0}, cpu_after[4] = {0};
    int cpu_read = contents("/proc/stat", text, sizeof text) > 0 &&
                   sscanf(text, "cpu %llu %llu %llu %llu", &cpu_before[0], &cpu_before[1], &cpu_before[2],
                          &cpu_before[3]) == 4;
    spin_for_ms(300);
    unsigned long user_ticks = 0, system_ticks = 0;
    check(cpu_read && read_times(getpid(), &user_ticks, &system_ticks) && user_ticks + system_ticks >= 8 &&
              user_ticks + system_ticks <= 1000,
          "/proc/PID/stat's utime and stime count at least a quarter of 0.3 s of spinning");
    check(contents("/proc/stat", text, sizeof text) > 0 &&
              sscanf(text, "cpu %llu %llu %llu %llu", &cpu_after[0], &cpu_after[1], &cpu_after[2], &cpu_after[3]) ==
                  4 &&
              cpu_after[0] + cpu_after[2] >= cpu_before[0] + cpu_before[2] + 8 && cpu_after[3] >= cpu_before[3],
          "/proc/stat's cpu line grows by the time spun, its idle count never falls");
    pid_t spinner = fork();
    if (spinner == 0) {
        spin_for_ms(300);
        _exit(0);
    }
    int spin_status;
    struct rusage usage;
    check(wait4(spinner, &spin_status, 0, &usage) == spinner &&
              usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec + usage.ru_stime.tv_sec * 1000000 +
                      usage.ru_stime.tv_usec >= 75000,
          "wait4's rusage gives a child's processor time (0.3 s spun: at least a quarter)");
    struct rusage self_usage, children_usage;
    struct tms process_times;
    clock_t ticks = times(&process_times);
    long per_second = sysconf(_SC_CLK_TCK);
    check(getrusage(RUSAGE_SELF, &self_usage) == 0 && getrusage(RUSAGE_CHILDREN, &children_usage) == 0 &&
              self_usage.ru_utime.tv_sec * 1000000 + self_usage.ru_utime.tv_usec + self_usage.ru_stime.tv_sec * 1000000 +
                      self_usage.ru_stime.tv_usec >= 75000 &&
              children_usage.ru_utime.tv_sec * 1000000 + children_usage.ru_utime.tv_usec +
                      children_usage.ru_stime.tv_sec * 1000000 + children_usage.ru_stime.tv_usec >= 75000 &&
              ticks != (clock_t)-1 && per_second == 100 &&
              process_times.tms_utime + process_times.tms_stime >= 8 &&
              process_times.tms_cutime + process_times.tms_cstime >= 8 && getrusage(7, &self_usage) == -1 &&
              errno == EINVAL,
          "getrusage and times count the time spun, and the waited child's; RUSAGE 7 is EINVAL");

    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    struct process_stat child_stat = {0};
    char state = wait_for_state(child, 'S');
    check(state == 'S' && read_stat(child, &child_stat) && child_stat.ppid == getpid() &&
              strcmp(child_stat.comm, "proc_system") == 0,
          "a child waiting in pause is S, its parent this process");
    char child_line[64];
    snprintf(child_line, sizeof child_line, "%d", child);
    DIR *proc = opendir("/proc");
    int seen_self = 0, seen_child = 0, seen_meminfo = 0;
    for (struct dirent *entry; proc != NULL && (entry = readdir(proc)) != NULL;) {
        seen_self += strcmp(entry->d_name, "self") == 0;
        seen_child += strcmp(entry->d_name, child_line) == 0 && entry->d_type == DT_DIR;
        seen_meminfo += strcmp(entry->d_name, "meminfo") == 0;
    }
    if (proc != NULL)
        closedir(proc);
    check(seen_self == 1 && seen_child == 1 && seen_meminfo == 1,
          "opendir(/proc) lists self, meminfo and the child's directory");
    kill(child, SIGTERM);
    state = wait_for_state(child, 'Z');
    check(state == 'Z', "the child, ended and not yet waited for, is a zombie (Z)");
    int status;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    check(waitpid(child, &status, 0) == child && open(path, O_RDONLY) == -1 && errno == ENOENT,
          "once waited for, its /proc directory is gone (ENOENT)");

    char cwd[256];
    check(getcwd(cwd, sizeof cwd) != NULL && chdir("/proc") == 0 && contents("self/stat", text, sizeof text) > 0 &&
              atoi(text) == getpid() && contents("meminfo", text, sizeof text) > 0 && chdir(cwd) == 0,
          "paths relative to /proc (cd /proc; cat self/stat, meminfo), as top reads them");
    int directory = open("/proc", O_RDONLY | O_DIRECTORY);
    int relative = directory >= 0 ? openat(directory, "self/status", O_RDONLY) : -1;
    check(relative >= 0 && read(relative, text, 5) == 5 && memcmp(text, "Name:", 5) == 0 &&
              lseek(relative, 0, SEEK_SET) == 0 && read(relative, text, 4) == 4 && memcmp(text, "Name", 4) == 0,
          "openat(a /proc descriptor, self/status) reads, and lseek goes back");
    if (relative >= 0)
        close(relative);
    errno = 0;
    int missing = directory >= 0 ? openat(directory, "nosuch", O_RDONLY) : 0;
    int missing_errno = errno;
    errno = 0;
    int slashed = open("/proc/meminfo/", O_RDONLY);
    int slashed_errno = errno;
    check(missing == -1 && missing_errno == ENOENT && slashed == -1 && slashed_errno == ENOTDIR &&
              open("/proc/self/stat/", O_RDONLY) == -1 && errno == ENOTDIR,
          "a name /proc lacks, from a /proc descriptor, is ENOENT; meminfo/ and stat/ are ENOTDIR");
    if (directory >= 0)
        close(directory);

    struct stat file;
    check(stat("/proc/meminfo", &file) == 0 && S_ISREG(file.st_mode) && file.st_size == 0 &&
              (file.st_mode & 0222) == 0 && stat("/proc/self/stat", &file) == 0 && S_ISREG(file.st_mode),
          "/proc's files are read-only regular files of size 0");
    // (Linux lets root open it and fails the write; Tern refuses the open with EACCES.)
    int writer = open("/proc/meminfo", O_WRONLY);
    check((writer == -1 ? errno == EACCES : write(writer, "MemTotal: 1 kB\n", 15) == -1) &&
              contents("/proc/meminfo", text, sizeof text) > 0 && field(text, "MemTotal") == total,
          "nothing writes /proc/meminfo");
    if (writer >= 0)
        close(writer);
    check(open("/proc/999999/stat", O_RDONLY) == -1 && errno == ENOENT, "/proc of no process is ENOENT");

    struct statfs proc_fs, root_fs, root_fd_fs;
    int root = open("/", O_RDONLY | O_DIRECTORY);
    check(statfs("/proc", &proc_fs) == 0 && proc_fs.f_type == 0x9fa0, "statfs(/proc) is proc's (PROC_SUPER_MAGIC)");
    check(statfs("/", &root_fs) == 0 && root_fs.f_bsize > 0 && root_fs.f_blocks > 0 &&
              root_fs.f_bfree <= root_fs.f_blocks && root >= 0 && fstatfs(root, &root_fd_fs) == 0 &&
              root_fd_fs.f_type == root_fs.f_type && root_fd_fs.f_blocks == root_fs.f_blocks,
          "statfs(/) and fstatfs of it: blocks, free at most all, the same from both");
    check(statfs("/no/such/path", &root_fs) == -1 && errno == ENOENT && fstatfs(-1, &root_fs) == -1 && errno == EBADF,
          "statfs of no path is ENOENT, fstatfs of no descriptor EBADF");
    if (root >= 0)
        close(root);

    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    check(sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_ISSET(0, &cpus) && CPU_COUNT(&cpus) >= 1 &&
              sched_setaffinity(0, sizeof cpus, &cpus) == 0 &&
              contents("/sys/devices/system/cpu/online", text, sizeof text) > 0 && text[0] == '0',
          "sched_getaffinity names CPU 0, setting the same mask works, /sys/devices/system/cpu/online lists it");

    printf("1..%d\n", checks);
    return failures;
}
