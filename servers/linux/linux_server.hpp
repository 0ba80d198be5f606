// SPDX-License-Identifier: MIT
// The Linux personality server: pager and exception handler of every Linux process. A
// process's page fault arrives as a page-fault IPC and is answered with a map item of the
// server frame that backs the page; its `syscall` arrives as exception IPC (vector 256,
// SpaceControl's reflection) and is answered with its registers, the result in rax. A
// call that must wait (wait4, a read with no input yet) is answered later. docs/linux.md.
#ifndef LINUX_LINUX_SERVER_HPP
#define LINUX_LINUX_SERVER_HPP

#include <l4/tern/net.h>
#include <l4/tern/server.hpp>

#include "frame_pool.hpp"
#include "console_input.hpp"
#include "page_cache.hpp"
#include "host_channel.hpp"
#include "pipe.hpp"
#include "linux_registers.hpp"
#include "process.hpp"
#include "thread.hpp"
#include "vfs.hpp"

// The file system's pages come from the frame pool, under the same quota as the processes'.
class Frame_vfs_pages final : public Vfs_pages {
public:
    explicit Frame_vfs_pages(Frame_pool &frames) : frames_(frames) {}
    void *allocate() override
    {
        void *page = frames_.allocate();
        pages_ += page != nullptr;
        return page;
    }
    void release(void *page) override
    {
        frames_.release(page);
        --pages_;
    }
    uint64_t pages() const { return pages_; }  // the files' pages (/proc/meminfo: Shmem)

private:
    Frame_pool &frames_;
    uint64_t pages_ = 0;
};

// fpu_trampoline.S: the page every process runs to save and restore its FPU registers.
extern "C" const uint8_t linux_fpu_trampoline[];

// Writes what a Linux process shows on the console (its output, the terminal's echo): as the
// server's own messages, but not kept in the console's log (dmesg shows those only).
void terminal_output(const char *bytes, size_t n);

// A copy to or from a process that failed, as the system call's error.
inline int64_t memory_error(Process_memory::Error e)
{
    return linux_abi::error(e == Process_memory::Error::no_memory ? linux_abi::Errno::nomem : linux_abi::Errno::fault);
}

// An AF_UNIX socket's name: the path bind was given and the socket file it made there.
// The listener and every socket connected through it name it; the last one frees it.
struct Unix_name {
    unsigned users = 0;  // 0: free
    uint32_t inode = 0;  // the socket file (Vfs), held while the name is in use
    uint8_t length = 0;
    char path[108];      // sun_path, not NUL-terminated
};

class Linux_server final : public tern::Server {
public:
    static constexpr unsigned max_processes = 32;
    static constexpr unsigned max_threads = 96;   // of all processes
    static constexpr unsigned max_threads_per_process = 16;  // root's threads of a space
    static constexpr unsigned max_open_files = 256;
    static constexpr unsigned max_pipes = 64;
    // A system call's result that means: blocked, retried later (never a valid result).
    static constexpr int64_t blocked = INT64_MIN;
    // A system call's result that means: the registers are set already (rt_sigreturn).
    static constexpr int64_t registers_set = INT64_MIN + 1;
    // A system call's result that means: run the call again after the signals it raised
    // (a background job's SIGTTIN), or EINTR if a handler runs first (Linux's -ERESTARTSYS).
    static constexpr int64_t restart = INT64_MIN + 2;
    static constexpr unsigned max_arguments = 32;

    // Reads the server's arguments ("[exit] [host] [trace] [epoch=SECONDS] rootfs=MODULE
    // [command=PATH | PROGRAM ARGUMENTS...]"), fills the file system from the cpio module
    // and starts the program (a path in it, or the one the command file names) as the
    // first process. False, with a message, when it cannot.
    bool start(const char *arguments);
    // Serves for ever, as tern::Server::serve does, but reads and answers a system call in
    // the MRs themselves.
    [[noreturn]] void run();
    // Checks the sleepers' deadlines (serve's receive timeout).
    void idle() override;
    // thread's wait ends at us on the system clock (a timeout, a sleep).
    void wake_at(Thread &thread, uint64_t us);
    // Retries the waiting calls (the sleepers whose time came among them) and finds the next wake.
    void wake_sleepers();

protected:
    tern::Reply handle(L4_ThreadId_t from, const tern::Message &request, tern::Message &reply) override;

private:
    Thread *thread_of(L4_ThreadId_t l4);
    // A new process with one thread (not yet started), or nullptr when either table is full.
    Process *new_process(int parent);
    Thread *new_thread(Process &process, int tid);
    // The process's first thread that has not exited (the leader while it lives), or nullptr.
    Thread *first_thread(const Process &process);
    void free_thread(Thread &thread);
    bool has_thread(const Process &process, int tid) const;
    bool load_program(Thread &thread, const uint8_t *image, uint64_t size, const char *const *argv,
                      unsigned argc, const char *const *envp, unsigned envc);
    // The command file of ./tern linux (tools/linux_run.py): cwd, stdin, arguments, environment.
    bool read_command(const char *path, char *text, size_t capacity, const char **argv, unsigned &argc,
                      const char **envp, unsigned &envc, const char *&cwd, const char *&stdin_path);
    // Makes the process's space with thread as its first thread, started at ip and sp.
    bool start_process(Process &process, Thread &thread, uint64_t ip, uint64_t sp);
    // Starts thread in its process's space (root's SPACE_THREAD) at ip and sp.
    bool start_thread(Thread &thread, uint64_t ip, uint64_t sp);
    bool send_start_message(Thread &thread, uint64_t ip, uint64_t sp);
    // A thread's exit (exit, not exit_group): clear_child_tid is zeroed and woken, its L4
    // thread goes; the last thread's exit ends the process with status.
    void exit_thread(Thread &thread, int status);
    // Every thread of process but keep goes (execve, the end of the process).
    void end_other_threads(Process &process, const Thread *keep);
    // Ends a process: its space goes, its memory returns to the pool, its files close, and
    // it stays a zombie with status (wait4's encoding) until its parent reaps it.
    void terminate(Process &process, int status);
    void free_process(Process &process);
    void hang_up(int ended_pid, const int *groups, unsigned count);
    void drop_space(Process &process);
    // Retries the blocked system calls whose cause may have gone, answering those that end:
    // after a change of inet sockets only (sockets_only), just the calls waiting for sockets
    // and polls (inet_waiter_stays leaves those whose socket did not change); after any
    // other change, all of them.
    void wake_blocked(bool sockets_only = false);
    void answer(Thread &thread, const Linux_registers &registers);

    Open_file *new_file(Open_file::Kind kind, uint32_t flags);
    void drop_file(Open_file *file);
    int install(Process &process, Open_file *file, unsigned lowest, bool close_on_exec);
    Open_file *file_of(Process &process, uint64_t fd);
    void close_fd(Process &process, unsigned fd);

    tern::Reply page_fault(Thread &thread, const tern::Message &request, tern::Message &reply);
    // A thread's exception message (a reflected syscall, most often): Reply::now when
    // registers, changed, are its answer.
    tern::Reply exception(Thread &thread, Linux_registers &registers);
    // One system call: the result for rax. reply_now false: answered later.
    int64_t system_call(Thread &thread, Linux_registers &registers, bool &reply_now);

    int64_t sys_read(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count);
    int64_t sys_write(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count);
    int64_t sys_readv_writev(Thread &thread, uint64_t fd, uint64_t vectors, uint64_t count, bool write);
    int64_t sys_pipe(Process &process, uint64_t fds, uint64_t flags);
    // Pipes, and the AF_UNIX sockets made of them: the process's buffer is count (address,
    // length) pairs; a read ends at end of file, a write fails with EPIPE without readers.
    int64_t new_pipe(Pipe *&pipe);
    void leave_pipe(Pipe *pipe, bool reader);
    int64_t pipe_read(Thread &thread, Pipe &pipe, const uint64_t *vectors, uint64_t count, bool nonblocking,
                      bool peek);
    int64_t pipe_write(Thread &thread, Pipe &pipe, const uint64_t *vectors, uint64_t count, bool nonblocking);
    int64_t copy_vectors(Process &process, uint8_t *chunk, uint64_t n, const uint64_t *vectors, bool out);
    int64_t sys_dup(Process &process, uint64_t fd, uint64_t lowest, bool exact, uint64_t flags);
    int64_t sys_fcntl(Process &process, uint64_t fd, uint64_t command, uint64_t argument);
    int64_t sys_close(Process &process, uint64_t fd);
    int64_t sys_fork(Thread &thread, const Linux_registers &registers);
    // clone: a fork, or a thread of the caller's process (CLONE_VM | CLONE_THREAD...).
    int64_t sys_clone(Thread &thread, const Linux_registers &registers);
    int64_t clone_process(Thread &thread, const Linux_registers &registers);
    int64_t sys_execve(Thread &thread, uint64_t path, uint64_t argv, uint64_t envp);
    // linux_server-threads.cpp: futexes, thread signals.
    int64_t sys_futex(Thread &thread, const Linux_registers &registers);
    // Wakes at most count waiters on the futex at address of process whose bits meet bits;
    // how many woke.
    int64_t wake_futex(Process &process, uint64_t address, uint64_t count, uint32_t bits);
    int64_t sys_tgkill(Process &process, int64_t group, int64_t tid, int64_t signal);
    int64_t sys_rt_sigtimedwait(Thread &thread, uint64_t set, uint64_t info, uint64_t timeout, uint64_t size);
    // The program file at path (of process's view), or nullptr with the errno.
    const uint8_t *find_program(Process &process, const char *path, uint64_t &size, int64_t &error);
    // linux_server-files.cpp
    uint64_t now_ns() const;
    // A path from the process (at most 4095 bytes and its NUL) into buffer; its length.
    int64_t path_in(Process &process, uint64_t address, char *buffer);
    // Where a *at call's relative path starts: the cwd (AT_FDCWD) or a directory fd's inode.
    int64_t start_of(Process &process, uint64_t dirfd, uint32_t &start);
    int64_t path_at(Process &process, uint64_t dirfd, uint64_t path_address, char *path, uint32_t &start);
    int64_t open_inode(Process &process, uint32_t ino, uint64_t flags, int64_t &fd);
    int64_t sys_openat(Process &process, uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode);
    int64_t sys_lseek(Process &process, uint64_t fd, int64_t offset, uint64_t whence);
    int64_t sys_pread_pwrite(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count, int64_t offset,
                             bool write);
    int64_t inode_read(Process &process, Open_file &file, uint64_t buffer, uint64_t count, uint64_t *offset);
    int64_t inode_write(Process &process, Open_file &file, uint64_t buffer, uint64_t count, uint64_t *offset);
    int64_t stat_of(Process &process, Open_file *file, uint32_t ino, Vfs::Stat &stat);
    int64_t sys_newfstatat(Process &process, uint64_t dirfd, uint64_t path, uint64_t buffer, uint64_t flags);
    int64_t sys_fstat(Process &process, uint64_t fd, uint64_t buffer);
    int64_t sys_statx(Process &process, uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mask,
                      uint64_t buffer);
    int64_t sys_getdents64(Process &process, uint64_t fd, uint64_t buffer, uint64_t size);
    int64_t sys_mkdirat(Process &process, uint64_t dirfd, uint64_t path, uint64_t mode);
    int64_t sys_mknodat(Process &process, uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t device);
    int64_t sys_unlinkat(Process &process, uint64_t dirfd, uint64_t path, uint64_t flags);
    int64_t sys_renameat(Process &process, uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd,
                         uint64_t new_path, uint64_t flags);
    int64_t sys_linkat(Process &process, uint64_t old_dirfd, uint64_t old_path, uint64_t new_dirfd,
                       uint64_t new_path, uint64_t flags);
    int64_t sys_symlinkat(Process &process, uint64_t target, uint64_t dirfd, uint64_t path);
    int64_t sys_readlinkat(Process &process, uint64_t dirfd, uint64_t path, uint64_t buffer, uint64_t size);
    int64_t sys_fchmodat(Process &process, uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags);
    int64_t sys_fchownat(Process &process, uint64_t dirfd, uint64_t path, uint64_t uid, uint64_t gid,
                         uint64_t flags);
    int64_t sys_utimensat(Process &process, uint64_t dirfd, uint64_t path, uint64_t times, uint64_t flags);
    int64_t sys_truncate(Process &process, uint64_t path, uint64_t fd, int64_t length);
    int64_t sys_getcwd(Process &process, uint64_t buffer, uint64_t size);
    int64_t sys_chdir(Process &process, uint64_t path, uint64_t fd);
    int64_t sys_faccessat(Process &process, uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags);
    int64_t sys_sendfile(Thread &thread, uint64_t out_fd, uint64_t in_fd, uint64_t offset, uint64_t count);
    int64_t sys_poll(Thread &thread, uint64_t fds, uint64_t count, int64_t timeout_ms);
    int64_t sys_select(Thread &thread, uint64_t count, uint64_t read_set, uint64_t write_set,
                       uint64_t except_set, uint64_t timeout, bool pselect);
    // linux_server-proc.cpp
public:  // (its tables of entries name the kinds)
    struct Proc_node {
        enum class Kind { none, proc_root, process_directory, self_link, exe, cwd, root, fd_directory, fd_link, text };
        // A file whose text is made when it is opened (linux_server-proc_text.cpp).
        enum class Text : uint8_t { meminfo, uptime, loadavg, stat, version, mounts, cpuinfo, filesystems, pci,
                                    process_stat, process_status, process_statm, process_cmdline, process_environ,
                                    process_comm };
        Kind kind = Kind::none;
        Text text = Text::meminfo;
        Process *process = nullptr;  // nullptr for /proc and its files
        unsigned fd = 0;
        unsigned entry = 0;          // its inode number's entry (proc_ino)
    };

private:
    // Whether path (from dirfd, as openat takes it) is /proc or below; then result is 0 and
    // node what it names, or an error (ENOENT, ENOTDIR).
    bool proc_node(Process &caller, uint64_t dirfd, const char *path, Proc_node &node, int64_t &result);
    // path as an absolute path when it is relative to a directory of /proc, else path.
    // from_descriptor: relative to a /proc directory's descriptor (the Vfs cannot answer it).
    const char *proc_absolute(Process &caller, uint64_t dirfd, const char *path, bool &from_descriptor);
    // A link's target, as readlink shows it; false for a directory.
    bool proc_link_target(const Proc_node &node, char *out, size_t size);
    // What a link names when followed: an inode of the Vfs, or an open file that is none.
    bool proc_followed(const Proc_node &node, uint32_t &ino, Open_file *&file);
    void proc_directory_stat(int pid, bool fds, Vfs::Stat &stat);
    void proc_directory_path(const Open_file &file, char *out);
    // The calls on /proc paths: false if path is not one (the Vfs then has it).
    bool proc_readlink(Process &caller, uint64_t dirfd, const char *path, uint64_t buffer, uint64_t size,
                       int64_t &result);
    bool proc_stat(Process &caller, uint64_t dirfd, const char *path, bool follow, Vfs::Stat &stat, int64_t &result);
    bool proc_open(Process &caller, uint64_t dirfd, const char *path, uint64_t flags, int64_t &result);
    int64_t proc_getdents(Process &caller, Open_file &file, uint64_t buffer, uint64_t size);
    int64_t proc_open_text(Process &caller, const Proc_node &node, uint64_t flags);

    // linux_server-proc_text.cpp: what /proc's files say, and the calls that say the same.
    // The text of node (a Kind::text) into out, at most size bytes; its length.
    size_t proc_text(Process &caller, const Proc_node &node, char *out, size_t size);
    struct Memory_figures {
        uint64_t total, free, files, programs;  // bytes: the pool, unused, the files' pages, program pages
    };
    Memory_figures memory_figures() const;
    unsigned running_processes() const;
    // The processor time of the process's threads since it was made (the kernel's tick
    // accounting, which Schedule gives the threads' scheduler, this server).
    uint64_t time_used_us(const Process &process) const;
    static uint64_t thread_time_us(const Thread &thread);
    unsigned runnable_threads(const Process &process) const;
    void sample_load(uint64_t now_us);  // Linux's exponentially decaying load averages, every 5 s
    int64_t sys_sysinfo(Process &process, uint64_t buffer);
    int64_t sys_getrusage(Process &process, int32_t who, uint64_t buffer);
    int64_t sys_times(Process &process, uint64_t buffer);
    int64_t sys_statfs(Process &process, uint64_t path, uint64_t fd, uint64_t buffer);
    // An absolute path of ino (a file's first name found from the root); ENOENT if unlinked.
    linux_abi::Errno inode_path(uint32_t ino, char *out, size_t size) const;
    uint64_t pipe_ino(const Pipe &pipe) const;

    // linux_server-terminal.cpp
    int64_t sys_ioctl(Thread &thread, uint64_t fd, uint64_t request, uint64_t argument);
    int64_t terminal_ioctl(Thread &thread, linux_abi::Ioctl command, uint64_t argument);
    int64_t set_foreground_group(Process &process, uint64_t argument);
    // The console is a terminal when the server reads it for the processes.
    bool is_terminal(const Open_file &file) const;
    // The console is process's controlling terminal: process is in the terminal's session.
    bool controls_terminal(const Process &process) const;
    // leader's session gets the terminal, leader's group is its foreground.
    void take_terminal(const Process &leader);
    bool session_exists(int session) const;
    // A process of the terminal's session outside its foreground group may not read it (nor
    // change it): its group gets signal (SIGTTIN, SIGTTOU) and the call runs again once
    // it is continued (restart); EIO if the signal is ignored or blocked, or nobody could
    // continue the group (orphaned), as in Linux; 0 when the process may go on.
    int64_t background_check(Thread &thread, int signal);
    // Sends each signal in signals (bit n-1 for signal n) to every process of group.
    void signal_group(int group, uint32_t signals);
    // nanosleep and clock_nanosleep (flags: TIMER_ABSTIME). A signal ends the sleep with
    // EINTR, the time left written to rem (write_time_left).
    int64_t sys_nanosleep(Thread &thread, uint64_t clock, uint64_t flags, uint64_t request);
    // ITIMER_REAL only; which is ITIMER_REAL for alarm.
    int64_t sys_alarm(Process &process, uint64_t seconds);
    int64_t sys_itimer(Process &process, uint64_t which, uint64_t new_value, uint64_t old_value, bool set);
    void arm_alarm(Process &process, uint64_t at_us, uint64_t interval_us);
    // False if rem is a bad pointer (the call then ends with EFAULT, as in Linux).
    bool write_time_left(Thread &thread, const Linux_registers &registers);
    // Whether fd would not block for events (POLLIN 1, POLLOUT 4): the events that are ready.
    uint32_t ready_events(Process &process, uint64_t fd, uint32_t events);

    int64_t sys_wait4(Thread &thread, int64_t pid, uint64_t status, uint64_t options, uint64_t usage);
    int64_t sys_brk(Process &process, uint64_t address);
    int64_t sys_mmap(Process &process, const Linux_registers &registers);
    int64_t map_file(Process &process, Open_file &file, uint64_t address, uint64_t length, uint32_t prot,
                     uint64_t offset);
    int64_t sys_munmap(Process &process, uint64_t address, uint64_t length);
    int64_t sys_mprotect(Process &process, uint64_t address, uint64_t length, uint64_t prot);
    int64_t sys_arch_prctl(Process &process, Linux_registers &registers);
    int64_t sys_uname(Process &process, uint64_t buffer);
    bool console_read_ready(Thread &thread, uint64_t count);
    int64_t sys_affinity(Process &process, int64_t pid, uint64_t size, uint64_t mask, bool set);
    // linux_server-log.cpp
    int64_t sys_syslog(Process &process, int64_t action, uint64_t buffer, int64_t length);
    size_t log_text(char *out, size_t size);
    int64_t sys_prlimit(Process &process, uint64_t resource, uint64_t new_limit, uint64_t old_limit);
    static constexpr int64_t not_an_inode = 1;
    int64_t attribute_target(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t flags, uint32_t &ino);
    int64_t sys_clock_gettime(Process &process, uint64_t clock, uint64_t buffer);
    int64_t sys_gettimeofday(Process &process, uint64_t buffer, uint64_t zone);
    int64_t sys_time(Process &process, uint64_t location);
    int64_t sys_prctl(Process &process, uint64_t option, uint64_t argument);
    uint64_t wall_clock_us() const;
    int64_t sys_getrandom(Process &process, uint64_t buffer, uint64_t count);
    int64_t sys_rt_sigaction(Process &process, uint64_t signal, uint64_t action, uint64_t old_action,
                             uint64_t size);
    int64_t sys_rt_sigprocmask(Thread &thread, uint64_t how, uint64_t set, uint64_t old_set, uint64_t size);
    int64_t unknown_call(Process &process, uint64_t number);

    // linux_server-signals.cpp
    // Makes signal pending for the process (one of its threads that does not block it takes
    // it: Linux's complete_signal) and acts on it now if it can (signal_thread).
    void send_signal(Process &target, int signal, int code, int sender, int status = 0);
    // The same for one thread (tgkill): only it takes the signal.
    void send_thread_signal(Thread &target, int signal, int code, int sender);
    // Acts on a signal just made pending for thread: it interrupts a call the thread is
    // blocked in, or the thread itself when it runs in user mode.
    void signal_thread(Thread &target, int signal);
    // Whether thread may take signal now (not blocked, not exiting).
    static bool takes_signal(const Thread &thread, int signal);
    static bool ignored(const Process &process, const Thread *thread, int signal);
    // The thread that takes a signal sent to process (Linux's complete_signal): the first
    // thread (its id the pid) if it does not block it, else the first other; nullptr if all do.
    Thread *signal_taker(Process &process, int signal);
    // The signals pending for process and its threads reach threads that take them (after
    // a stop, after the thread that would have taken them exited): signal_thread for each.
    void complete_signals(Process &process);
    // The signals thread could take now: its own and its process's, less those it blocks.
    static uint64_t deliverable(const Thread &thread)
    {
        return (thread.pending | thread.process->pending) & (~thread.blocked | Process::unblockable_signals);
    }
    // Delivers thread's pending, unblocked signals into registers (about to be replied):
    // a handler's frame, or the default action. False when no answer goes now (the
    // process ended or stopped).
    // (Inline: after nearly every call nothing is pending, and that costs a test.)
    bool deliver_signals(Thread &thread, Linux_registers &registers)
    {
        // Whatever the server answers next sets the ip: all of the registers when an
        // interrupt (ExchangeRegisters) moved the waiting thread's ip meanwhile, which a
        // reply of rax alone would leave there.
        if (thread.interrupting)
            registers.set_all_on_reply();
        thread.interrupting = false;
        if (thread.in_fpu_trampoline)
            return true;  // after the trampoline's call, with the registers it goes on with
        if (deliverable(thread) == 0 && !thread.process->stopped)
            return true;
        return deliver_pending_signals(thread, registers);
    }
    bool deliver_pending_signals(Thread &thread, Linux_registers &registers);
    // Job control: a stop signal's default action stops every thread of the process (no
    // answers; the parent hears of it); SIGCONT's answers each with the registers it stopped with.
    void stop_process(Thread &thread, int signal, const Linux_registers &registers);
    void park(Thread &thread, const Linux_registers &registers);
    void set_to_restart(Thread &thread, Linux_registers &registers);
    void continue_process(Process &process);
    bool group_orphaned(int group) const;
    // A fault's signal (SIGSEGV, SIGFPE, SIGILL, SIGTRAP) for thread: true, and pending for
    // it, when its handler will run; false when its default action (or a mask or SIG_IGN,
    // which Linux overrides for a fault) ends the process.
    bool fault_handled(Thread &thread, int signal, int code, uint64_t address);
    // SIGCHLD with code (CLD_STOPPED, CLD_CONTINUED) unless the parent asked SA_NOCLDSTOP,
    // and a parent waiting in wait4 looks again.
    void tell_parent(Process &child, int code, int signal);
    // The absolute path of directory dir into path (size bytes with the NUL).
    linux_abi::Errno directory_path(uint32_t dir, char *path, size_t size) const;
    // The absolute path of the program file path names from the process's directory, its
    // last component's symbolic links followed, as /proc/self/exe reads; false if unknown.
    bool program_path(const Process &process, const char *path, char *out, size_t size);
    // The FPU trampoline's page in every process, above what a process may map.
    static constexpr uint64_t fpu_trampoline_address = Process_memory::user_limit;
    // Sends the thread through the trampoline's entry at offset (its rsp the FXSAVE area
    // at image), to go on with next.
    static void enter_fpu_trampoline(Thread &thread, Linux_registers &registers, uint64_t offset, uint64_t image,
                                     const Linux_registers &next);
    // The trampoline's closing call: the registers kept for it, or ENOSYS for a thread
    // that jumped there by itself.
    int64_t fpu_trampoline_done(Thread &thread, Linux_registers &registers);
    void interrupt(Thread &thread);
    bool is_interrupt(Thread &thread, Linux_registers &registers);
    int64_t sys_rt_sigreturn(Thread &thread, Linux_registers &registers);
    int64_t sys_sigaltstack(Thread &thread, uint64_t stack, uint64_t old_stack);
    int64_t sys_rt_sigsuspend(Thread &thread, uint64_t mask, uint64_t size);
    int64_t sys_pause(Thread &thread);
    int64_t sys_kill(Process &process, int64_t pid, int64_t signal);
    int64_t sys_setpgid(Process &process, int64_t pid, int64_t group);

    uint64_t random_word();

    Frame_pool frames_;
    Page_cache page_cache_{frames_};  // programs' read-only pages, shared by every process
    Frame_vfs_pages vfs_pages_{frames_};
    Vfs vfs_{vfs_pages_};
    Host_channel host_;              // "host": ./tern linux's run (output on COM2)
    // Console input (the shell's linux command): a second thread reads the console and
    // hands the bytes to this one; the processes read the lines they make.
    Console_input console_input_;
    bool console_reader_active_ = false;
    int terminal_session_ = 0;         // the session whose controlling terminal the console is, or 0
    int terminal_group_ = 0;           // its foreground process group
    // A VT100's 24 by 80 until set: a serial line knows no size (Linux's ttyS0 says 0 by 0),
    // and full-screen programs (vi, less, top) would otherwise ask the far end and wait.
    linux_abi::Window_size window_size_ = {24, 80, 0, 0};
    bool start_console_reader();
    void take_console_input(const tern::Message &request);
    // AF_INET sockets (linux_server-sockets.cpp): the network server, attached at the first
    // socket() call; the server's notices (TERN_NET_CHANGED, when this thread waits) and
    // the event thread's messages (else) wake the calls that wait for sockets.
    bool net_attached_ = false;
    bool attach_net();
    // The AF_INET sockets the last events named (bit s: socket s); only their waiters run again.
    uint64_t inet_changed_[TERN_NET_MAX_SOCKETS / 64] = {};
    // Changes the network server put on its replies to our calls (MR5-6), taken after the
    // reply to the system call that made those calls is sent (run()).
    uint64_t inet_pending_[TERN_NET_MAX_SOCKETS / 64] = {};
    // Stream sockets whose last RECV emptied them, with no change heard of since: a read
    // waits for the change without asking the server (which could only say EAGAIN).
    uint64_t inet_drained_[TERN_NET_MAX_SOCKETS / 64] = {};
    bool inet_drained(uint32_t socket) const
    {
        return socket < TERN_NET_MAX_SOCKETS && (inet_drained_[socket / 64] >> (socket % 64) & 1) != 0;
    }
    void set_inet_drained(uint32_t socket, bool drained);
    // A socket number closed or new: nothing of its drained or push state is kept.
    void forget_inet_socket(uint32_t socket);
    // The socket whose pushed bytes (on the window's last page) are all it had, as the
    // notice that pushed them said, with no change of it heard of since (-1: none): once a
    // read took them all, it is drained.
    int64_t inet_push_complete_ = -1;
    bool take_pending_net_events();
    // Sockets changed (bit s: socket s), with inet_pending_'s; push_complete >= 0: a notice
    // said the bytes it pushed were all that socket had.
    void sockets_changed(const uint64_t (&changed)[TERN_NET_MAX_SOCKETS / 64], int64_t push_complete);
    // After a request: what inet_pending_ holds (the reply to `to` is sent first).
    void after_request(L4_ThreadId_t &to);
    int64_t wait_for_socket(Thread &thread, uint32_t socket);
    bool inet_waiter_stays(const Thread &thread) const;
    // Sockets changed: first word at request.word(first), as many as TERN_NET_MAX_SOCKETS / 64.
    void take_net_events(const tern::Message &request, unsigned first);
    // The event thread's message (0), the server's notice (1), or neither (-1): where the
    // socket words start.
    int net_events_at(L4_ThreadId_t from, const tern::Message &request) const;
    // A call to the network server: MR1 as the result (a negated errno), MR2 in *second.
    int64_t net_call(tern::Message &request, L4_Word_t *second = nullptr);
    Open_file *socket_of(Process &process, uint64_t fd, int64_t &failure);
    int64_t read_address(Process &process, uint64_t address, uint64_t length, uint32_t &ip, uint16_t &port,
                         bool &unspecified);
    int64_t write_address(Process &process, uint64_t address, uint64_t length_address, uint32_t ip, uint16_t port);
    // A socket address of whole bytes to the process (address 0: none wanted).
    int64_t copy_out_address(Process &process, uint64_t address, uint64_t length_address, const void *bytes,
                             uint32_t whole);
    int64_t socket_send(Thread &thread, Open_file &file, uint64_t buffer, uint64_t count, uint64_t flags, uint32_t ip,
                        uint16_t port, const uint64_t *vectors, uint64_t vector_count);
    int64_t socket_receive(Thread &thread, Open_file &file, uint64_t buffer, uint64_t count, uint64_t flags,
                           uint64_t address, uint64_t length_address, const uint64_t *vectors, uint64_t vector_count,
                           uint64_t *message_flags);
    void close_socket(Open_file &file);
    // sendfile to an AF_INET socket: up to a window of the file at offset, which advances.
    int64_t socket_sendfile(Thread &thread, Open_file &out, uint32_t inode, uint64_t &offset, uint64_t count);
    uint32_t socket_events(Open_file &file);
    int64_t socket_available(Open_file &file);
    int64_t sys_socket(Process &process, uint64_t domain, uint64_t type, uint64_t protocol);
    int64_t sys_bind_connect(Thread &thread, uint64_t fd, uint64_t address, uint64_t length, bool connect);
    int64_t sys_listen(Process &process, uint64_t fd, uint64_t backlog);
    int64_t sys_accept(Thread &thread, uint64_t fd, uint64_t address, uint64_t length_address, uint64_t flags);
    int64_t sys_sendto(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags, uint64_t address,
                       uint64_t length);
    int64_t sys_recvfrom(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t flags,
                         uint64_t address, uint64_t length_address);
    int64_t sys_sendmsg_recvmsg(Thread &thread, uint64_t fd, uint64_t header, uint64_t flags, bool send);
    int64_t sys_shutdown(Process &process, uint64_t fd, uint64_t how);
    int64_t sys_socket_name(Process &process, uint64_t fd, uint64_t address, uint64_t length_address, bool peer);
    int64_t sys_socket_option(Process &process, uint64_t fd, uint64_t level, uint64_t name, uint64_t value,
                              uint64_t length, bool set);
    // AF_UNIX stream sockets (linux_server-unix_sockets.cpp), this server's alone: a connected
    // pair is two pipes; a bound name is a socket file in the Vfs and an entry of unix_names_.
    static constexpr unsigned max_unix_names = 32;
    Unix_name unix_names_[max_unix_names];
    void release_name(Unix_name *name);
    int64_t connect_pair(Open_file &a, Open_file &b);
    int64_t unix_socket(Process &process, uint64_t type, uint64_t protocol);
    int64_t sys_socketpair(Process &process, uint64_t domain, uint64_t type, uint64_t protocol, uint64_t fds);
    int64_t unix_path(Process &process, uint64_t address, uint64_t length, char *path, uint32_t &start);
    int64_t unix_bind(Process &process, Open_file &file, uint64_t address, uint64_t length);
    int64_t unix_connect(Thread &thread, Open_file &file, uint64_t address, uint64_t length);
    int64_t unix_listen(Open_file &file);
    int64_t unix_accept(Thread &thread, Open_file &listener, uint64_t address, uint64_t length_address,
                        uint64_t flags);
    int64_t unix_send(Thread &thread, Open_file &file, const uint64_t *vectors, uint64_t count, uint64_t flags,
                      bool addressed);
    int64_t unix_receive(Thread &thread, Open_file &file, const uint64_t *vectors, uint64_t count, uint64_t flags,
                         uint64_t address, uint64_t length_address);
    int64_t unix_shutdown(Open_file &file, uint64_t how);
    // sockaddr_un of name (only the family if it is nullptr, or nothing with unnamed_empty).
    int64_t write_unix_address(Process &process, uint64_t address, uint64_t length_address, const Unix_name *name,
                               bool unnamed_empty = false);
    int64_t unix_option(const Open_file &file, uint64_t level, uint64_t name, bool set, L4_Word_t &value);
    uint32_t unix_events(const Open_file &file) const;
    void close_unix_socket(Open_file &file);
    Open_file files_[max_open_files];
    Pipe pipes_[max_pipes];
    Process *processes_[max_processes] = {};
    Thread threads_[max_threads];
    // threads_[0, thread_limit_) holds every thread in use (new_thread takes the lowest free
    // slot): the loops over threads look no further.
    unsigned thread_limit_ = 0;
    template <typename T> struct Range {
        T *first, *last;
        T *begin() const { return first; }
        T *end() const { return last; }
    };
    Range<Thread> live_threads() { return {threads_, threads_ + thread_limit_}; }
    Range<const Thread> live_threads() const { return {threads_, threads_ + thread_limit_}; }
    // thread_of's shortcut: a thread by its L4 thread number's low bits (checked, then searched).
    Thread *thread_by_number_[512] = {};
    uint64_t futex_order_ = 0;        // counts futex waits (Thread::futex_order)
    int next_pid_ = 1;
    bool exit_with_first_ = false;   // "exit": the machine stops when process 1 ends
    bool return_with_first_ = false; // "return": the server's task ends with process 1's status
    bool terminal_ = false;          // "terminal": the console is process 1's controlling terminal
    bool login_ = false;             // "login": process 1 is a login shell ("-sh", in /root)
    bool trace_ = false;             // "trace": every system call is printed (as strace would)
    uint64_t load_[3] = {};           // 1, 5 and 15 minute load averages, fixed point (1 << 11 is 1.0)
    uint64_t next_load_sample_us_ = 0;
    uint64_t ended_time_us_ = 0;      // the processor time of the processes that are gone
    uint64_t console_input_at_us_ = 0;  // when typed bytes last became readable (VTIME)
    L4_Word_t kernel_log_cleared_ = 0, console_log_cleared_ = 0;  // syslog's clear: the logs' positions
    uint32_t proc_ino_ = 0;           // the Vfs's /proc directory (a process's cwd may be it)
    uint64_t epoch_seconds_ = 0;     // CLOCK_REALTIME at boot ("epoch=")
    uint64_t random_state_ = 0;
    // The earliest wake_us of a waiting process, 0 if none; early is harmless (one more round).
    uint64_t next_wake_us_ = 0;
    bool waking_ = false, wake_again_ = false;  // wake_blocked's loop runs, and must run again
    bool wake_all_again_ = false;               // ... for every waiter, not only sockets'
    uint64_t reported_unknown_[8] = {};  // bit n: unknown call n already logged
};

#endif
