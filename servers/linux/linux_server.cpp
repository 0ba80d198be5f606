// SPDX-License-Identifier: MIT
#include "linux_server.hpp"

#include <new>

#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/tern/console.hpp>
#include <l4/tern/names.h>
#include <l4/tern/protocol.h>
#include <l4/tern/system.h>
#include <l4/tern/system.hpp>
#include <l4/thread.h>
#include <stdio.h>
#include <string.h>

#include "cmos_clock.hpp"
#include "helper_thread.hpp"
#include "initial_stack.hpp"
#include "linux_abi.hpp"
#include "linux_elf.hpp"
#include "process_layout.hpp"
#include "task.hpp"

using namespace linux_abi;
using namespace process_layout;

namespace {

// The server's own space: the frame pool's window, and where boot modules are mapped.
constexpr uint64_t pool_window = 0x0000100000000000;
constexpr uint64_t pool_quota = uint64_t{128} << 20;
constexpr uint64_t module_window = 0x0000200000000000;
constexpr unsigned module_window_log2 = 28;

uint32_t prot_of(const Linux_elf::Load &load)
{
    return (load.readable ? prot_read : 0) | (load.writable ? prot_write : 0) | (load.executable ? prot_exec : 0);
}

// wait4's status word of an exit.
int exited(int code) { return (code & 0xff) << 8; }

bool block_from_sigma0(uint64_t address, unsigned log2)
{
    return !L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, log2, L4_FpageLog2(address, static_cast<int>(log2))));
}

void unmap_from_processes(void *frame)
{
    L4_Fpage_t page = L4_FpageLog2(reinterpret_cast<L4_Word_t>(frame), 12);
    L4_Set_Rights(&page, L4_FullyAccessible);
    L4_UnmapFpage(page);  // the process's mapping; the server keeps its own
}

// fork's write protection, batched: one Unmap takes up to 64 fpages (X.2), instead of a
// system call a page. The processes keep reading the pages; their next write faults.
L4_Fpage_t protect_batch[64];
unsigned protect_count = 0;

void finish_write_protection()
{
    if (protect_count > 0)
        L4_UnmapFpages(protect_count, protect_batch);
    protect_count = 0;
}

void write_protect_in_processes(void *frame)
{
    L4_Fpage_t page = L4_FpageLog2(reinterpret_cast<L4_Word_t>(frame), 12);
    L4_Set_Rights(&page, L4_Writable);
    protect_batch[protect_count++] = page;
    if (protect_count == sizeof protect_batch / sizeof protect_batch[0])
        finish_write_protection();
}

// Maps boot module name at module_window; false when root has no such module.
bool map_module(const char *name, const uint8_t *&image, uint64_t &size)
{
    L4_Word_t page = 0, pages_mapped = 0, offset = 0;
    size = 0;
    do {
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Set_MsgLabel(&msg, TERN_SYSTEM_MODULE);
        L4_MsgAppendWord(&msg, page);
        L4_Word_t words[TERN_NAME_WORDS] = {};
        size_t length = strlen(name);
        if (length > TERN_NAME_MAX)
            return false;
        memcpy(words, name, length);
        for (unsigned i = 0; i <= length / 8; ++i)
            L4_MsgAppendWord(&msg, words[i]);
        L4_MsgLoad(&msg);
        L4_Accept(L4_MapGrantItems(L4_FpageLog2(module_window, module_window_log2)));
        L4_MsgTag_t tag = L4_Call(tern_root_thread());
        L4_Accept(L4_UntypedWordsAcceptor);
        if (L4_IpcFailed(tag) || L4_Label(tag) != TERN_OK || L4_UntypedWords(tag) != 3)
            return false;
        L4_StoreMR(1, &size);
        L4_StoreMR(2, &offset);
        L4_StoreMR(3, &pages_mapped);
        if (pages_mapped == 0 || size + offset > (uint64_t{1} << module_window_log2))
            return false;
        page += pages_mapped;
    } while (page * 4096 < offset + size);
    image = reinterpret_cast<const uint8_t *>(module_window + offset);
    return true;
}

// Splits text into words (in place), at most max; returns how many. A word may be quoted
// with ' or " (no escapes), so the configuration can say sh -c 'a | b'.
unsigned split_words(char *text, const char **words, unsigned max)
{
    unsigned count = 0;
    char *at = text;
    while (count < max) {
        while (*at == ' ')
            ++at;
        if (*at == '\0')
            break;
        char quote = *at == '\'' || *at == '"' ? *at++ : '\0';
        words[count++] = at;
        while (*at != '\0' && (quote != '\0' ? *at != quote : *at != ' '))
            ++at;
        if (*at != '\0')
            *at++ = '\0';
    }
    return count;
}

}  // namespace

bool Linux_server::start(const char *arguments)
{
    frames_.init(pool_window, pool_quota, block_from_sigma0);
    // The FPU trampoline's page must be in the server's space before a map item can give it.
    (void)*static_cast<const volatile uint8_t *>(linux_fpu_trampoline);
    static char text[TERN_ARGS_WORDS * 8];
    strncpy(text, arguments, sizeof text - 1);
    const char *words[max_arguments];
    unsigned count = split_words(text, words, max_arguments);
    const char *rootfs = nullptr, *command = nullptr;
    unsigned first = 0;
    bool epoch_given = false;
    for (; first < count; ++first) {
        if (strcmp(words[first], "exit") == 0) {
            exit_with_first_ = true;
        } else if (strcmp(words[first], "return") == 0) {
            return_with_first_ = true;
        } else if (strcmp(words[first], "terminal") == 0) {
            terminal_ = true;
        } else if (strcmp(words[first], "login") == 0) {
            login_ = true;
        } else if (strcmp(words[first], "trace") == 0) {
            trace_ = true;
        } else if (strcmp(words[first], "host") == 0) {
            exit_with_first_ = true;  // the host waits for the machine to stop
            if (!host_.open()) {
                printf("linux: no ports for COM2 (the host channel): grant ports=0x2f8/8\n");
                return false;
            }
        } else if (strncmp(words[first], "epoch=", 6) == 0) {
            epoch_given = true;
            epoch_seconds_ = 0;
            for (const char *digit = words[first] + 6; *digit >= '0' && *digit <= '9'; ++digit)
                epoch_seconds_ = epoch_seconds_ * 10 + static_cast<uint64_t>(*digit - '0');
        } else if (strncmp(words[first], "rootfs=", 7) == 0) {
            rootfs = words[first] + 7;
        } else if (strncmp(words[first], "command=", 8) == 0) {
            command = words[first] + 8;
        } else {
            break;
        }
    }
    uint16_t code_segment;
    __asm__("mov %%cs, %0" : "=r"(code_segment));
    if ((code_segment & 3) == 0)
        printf("linux: a kernel-mode task (ring 0): the processes' system calls reach it without a ring change\n");
    // Without "epoch=", the wall clock is the CMOS clock's, if the configuration grants its
    // ports (ports=0x70/2), else the epoch itself.
    if (!epoch_given && !Cmos_clock::read(epoch_seconds_))
        epoch_seconds_ = 0;
    uint32_t low, high;
    __asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
    random_state_ = (uint64_t{high} << 32 | low) ^ 0x9e3779b97f4a7c15;
    const uint8_t *archive;
    uint64_t archive_size;
    if (rootfs == nullptr || !map_module(rootfs, archive, archive_size)) {
        printf("linux: no root file system (rootfs=MODULE, a newc cpio boot module)\n");
        return false;
    }
    if (vfs_.init(now_ns()) != Errno::none || vfs_.load_cpio(archive, archive_size, now_ns()) != Errno::none) {
        printf("linux: the root file system %s does not load\n", rootfs);
        return false;
    }
    if (vfs_.resolve(vfs_.root(), "/proc", 5, true, proc_ino_) != Errno::none)
        proc_ino_ = 0;  // no /proc directory to stand in: /proc is still answered, cd into it is not
    static char command_text[8192];
    static const char *argv[256], *envp[256];
    unsigned argc = 0, envc = 0;
    // A login shell starts in root's home, as login(1) would start it.
    const char *cwd = login_ ? "/root" : "/", *stdin_path = nullptr;
    if (command != nullptr) {
        if (!read_command(command, command_text, sizeof command_text, argv, argc, envp, envc, cwd, stdin_path)) {
            printf("linux: the command file %s is unreadable\n", command);
            return false;
        }
    } else {
        for (unsigned i = first; i < count; ++i)
            argv[argc++] = words[i];
        // A program named in the arguments (the shell's linux command) gets a login's
        // usual environment; a command file names its own (./tern linux: exactly that).
        static const char *const usual[] = {"PATH=/bin:/usr/bin:/sbin:/usr/sbin", "HOME=/root", "TERM=vt100",
                                            "USER=root", "LOGNAME=root", "SHELL=/bin/sh"};
        for (const char *variable : usual)
            envp[envc++] = variable;
    }
    if (argc == 0) {
        printf("linux: no program to run\n");
        return false;
    }
    Process *process = new_process(0);
    if (process == nullptr)
        return false;
    const char *base = argv[0];
    for (const char *at = argv[0]; *at != '\0'; ++at)
        if (*at == '/')
            base = at + 1;
    strncpy(process->name, base, sizeof process->name - 1);
    uint32_t cwd_ino;
    if (vfs_.resolve(vfs_.root(), cwd, strlen(cwd), true, cwd_ino) == Errno::none && vfs_.hold(cwd_ino) == Errno::none) {
        vfs_.drop(process->cwd);
        process->cwd = cwd_ino;
    }
    // Standard input: the command's file, or empty; output to the console (or the host).
    int64_t fd = -1;
    uint32_t input_ino;
    if (stdin_path == nullptr || vfs_.resolve(vfs_.root(), stdin_path, strlen(stdin_path), true, input_ino) != Errno::none ||
        open_inode(*process, input_ino, 0, fd) < 0) {
        // The shell's linux command reads the console; otherwise the input is empty.
        bool console = terminal_ && !host_.is_open() && start_console_reader();
        if (console) {
            take_terminal(*process);  // the program leads the console's session
            // Ctrl-C is a byte of the terminal's (SIGINT to the foreground group), not the
            // console server's interrupt of a waiting reader.
            if (tern::console::pass_interrupts(task::console(), true) != tern::Status::ok)
                printf("linux: the console passes no Ctrl-C: it interrupts the server's reader\n");
        }
        Open_file *input = new_file(console ? Open_file::Kind::console : Open_file::Kind::null, console ? 2 : 0);
        if (input == nullptr)
            return false;
        install(*process, input, 0, false);
    }
    Open_file *output = new_file(Open_file::Kind::console, 1), *errors = new_file(Open_file::Kind::console, 1);
    if (output == nullptr || errors == nullptr)
        return false;
    errors->stream = 'E';
    install(*process, output, 1, false);
    install(*process, errors, 2, false);
    // The program: a path, or a name looked up as execvp would, in the usual directories.
    static char path[Vfs::max_path];
    const char *directories[] = {"", "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/"};
    const uint8_t *image = nullptr;
    uint64_t size = 0;
    int64_t failure = error(Errno::noent);
    for (const char *directory : directories) {
        bool has_slash = false;
        for (const char *at = argv[0]; *at != '\0'; ++at)
            has_slash = has_slash || *at == '/';
        if ((directory[0] == '\0') != has_slash)
            continue;
        size_t prefix = strlen(directory);
        if (prefix + strlen(argv[0]) >= sizeof path)
            continue;
        memcpy(path, directory, prefix);
        strncpy(path + prefix, argv[0], sizeof path - prefix - 1);
        if ((image = find_program(*process, path, size, failure)) != nullptr)
            break;
    }
    if (image != nullptr && !program_path(*process, path, process->exe, sizeof process->exe))
        process->exe[0] = '\0';
    // A login shell knows itself by the '-' before its name (it then reads /etc/profile).
    static char login_name[sizeof process->name + 1];
    if (login_) {
        login_name[0] = '-';
        strncpy(login_name + 1, base, sizeof login_name - 2);
        argv[0] = login_name;
    }
    if (image == nullptr || !load_program(*first_thread(*process), image, size, argv, argc, envp, envc)) {
        printf("linux: cannot run %s (error %ld)\n", argv[0], -failure);
        terminate(*process, exited(127));
        return false;
    }
    return true;
}

// Lines "key HEX": cwd, stdin, arg (each argument, in order), env (each NAME=VALUE).
bool Linux_server::read_command(const char *path, char *text, size_t capacity, const char **argv, unsigned &argc,
                                const char **envp, unsigned &envc, const char *&cwd, const char *&stdin_path)
{
    uint32_t ino;
    size_t length = 0;
    static char file[8192];
    if (vfs_.resolve(vfs_.root(), path, strlen(path), true, ino) != Errno::none ||
        vfs_.read(ino, 0, file, sizeof file - 1, length) != Errno::none)
        return false;
    file[length] = '\0';
    size_t used = 0;
    for (char *line = file; *line != '\0';) {
        char *end = line;
        while (*end != '\0' && *end != '\n')
            ++end;
        char *space = line;
        while (space < end && *space != ' ')
            ++space;
        char *value = text + used;
        for (char *hex = space + 1; hex + 1 < end + 1 && hex < end; hex += 2) {
            auto digit = [](char c) { return c >= 'a' ? c - 'a' + 10 : c - '0'; };
            if (used + 1 >= capacity)
                return false;
            text[used++] = static_cast<char>(digit(hex[0]) << 4 | digit(hex[1]));
        }
        text[used++] = '\0';
        size_t key = static_cast<size_t>(space - line);
        if (key == 3 && strncmp(line, "cwd", 3) == 0)
            cwd = value;
        else if (key == 5 && strncmp(line, "stdin", 5) == 0)
            stdin_path = value;
        else if (key == 3 && strncmp(line, "arg", 3) == 0 && argc < 255)
            argv[argc++] = value;
        else if (key == 3 && strncmp(line, "env", 3) == 0 && envc < 255)
            envp[envc++] = value;
        line = *end == '\n' ? end + 1 : end;
    }
    return true;
}

void Linux_server::idle() { wake_sleepers(); }

void Linux_server::wake_at(Thread &thread, uint64_t us)
{
    thread.wake_us = us;
    if (next_wake_us_ == 0 || us < next_wake_us_)
        next_wake_us_ = us;
}

void Linux_server::wake_sleepers()
{
    wake_blocked();
    next_wake_us_ = 0;
    uint64_t now = L4_SystemClock().raw;
    for (Process *process : processes_) {
        if (process == nullptr || process->state != Process::State::running || process->alarm_us == 0)
            continue;
        if (now >= process->alarm_us) {
            // Linux's it_real_fn: SIGALRM from the kernel; an interval timer goes on from its
            // last expiry (runs it missed are not made up).
            process->alarm_us = process->alarm_interval_us == 0 ? 0 : now + process->alarm_interval_us;
            send_signal(*process, 14 /* SIGALRM */, 0x80 /* SI_KERNEL */, 0);
        }
        if (process->alarm_us != 0 && (next_wake_us_ == 0 || process->alarm_us < next_wake_us_))
            next_wake_us_ = process->alarm_us;
    }
    // (A stopped process's deadlines wait for SIGCONT: continue_process looks again.)
    for (const Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.waiting != Thread::Wait::none && thread.wake_us != 0 &&
            !thread.process->stopped && (next_wake_us_ == 0 || thread.wake_us < next_wake_us_))
            next_wake_us_ = thread.wake_us;
}

Process *Linux_server::new_process(int parent)
{
    unsigned slot = 0;
    while (slot < max_processes && processes_[slot] != nullptr && processes_[slot]->state != Process::State::free)
        ++slot;
    if (slot == max_processes)
        return nullptr;
    int pid = next_pid_;
    Thread *leader = nullptr;
    for (Thread &thread : threads_)
        if (thread.state == Thread::State::free) {
            leader = &thread;
            break;
        }
    if (leader == nullptr)
        return nullptr;
    if (processes_[slot] == nullptr) {
        // Each slot's process is made once, in static storage: the server's image memory
        // (root's), not the pool, which the processes' pages share.
        alignas(Process) static uint8_t storage[max_processes][sizeof(Process)];
        processes_[slot] = new (storage[slot]) Process(frames_);
        processes_[slot]->memory.unmap_frame = unmap_from_processes;
        processes_[slot]->memory.write_protect = write_protect_in_processes;
        processes_[slot]->memory.write_protect_done = finish_write_protection;
        processes_[slot]->memory.page_cache = &page_cache_;
    }
    Process &process = *processes_[slot];
    process.state = Process::State::running;
    process.pid = pid;
    process.space = L4_nilthread;
    process.threads = 0;
    process.parent = parent;
    process.exit_status = 0;
    process.start_us = L4_SystemClock().raw;
    process.faults = 0;
    process.past_time_us = process.children_time_us = 0;
    process.arg_start = process.arg_end = process.env_end = 0;
    process.heap_start = process.heap_end = 0;
    memset(process.actions, 0, sizeof process.actions);
    memset(process.name, 0, sizeof process.name);
    process.exe[0] = '\0';
    process.stopped = false;
    process.unwaited_change = Process::Change::none;
    for (Open_file *&file : process.fds)
        file = nullptr;
    process.close_on_exec = 0;
    process.pending = 0;
    process.alarm_us = process.alarm_interval_us = 0;
    process.group = process.session = process.pid;  // fork gives the parent's
    process.umask = 022;
    process.cwd = vfs_.hold(vfs_.root()) == Errno::none ? vfs_.root() : 0;
    new_thread(process, pid);
    return &process;
}

Thread *Linux_server::new_thread(Process &process, int tid)
{
    for (Thread &thread : threads_) {
        if (thread.state != Thread::State::free)
            continue;
        thread.state = Thread::State::running;
        thread.tid = tid;
        thread.l4 = L4_nilthread;
        thread.process = &process;
        thread.blocked = thread.pending = 0;
        thread.alt_stack = thread.alt_stack_size = 0;
        thread.clear_child_tid = 0;
        thread.waiting = Thread::Wait::none;
        thread.wake_us = 0;
        thread.interrupting = thread.suspended = thread.in_fpu_trampoline = false;
        thread.starting = thread.parked = thread.call_restarting = thread.call_restartable = false;
        ++process.threads;
        if (&thread - threads_ >= thread_limit_)
            thread_limit_ = static_cast<unsigned>(&thread - threads_) + 1;
        if (tid >= next_pid_)
            next_pid_ = tid + 1;
        return &thread;
    }
    return nullptr;
}

void Linux_server::free_thread(Thread &thread)
{
    if (thread.state != Thread::State::running)
        return;
    if (!L4_IsNilThread(thread.l4) && thread_by_number_[L4_ThreadNo(thread.l4) % 512] == &thread)
        thread_by_number_[L4_ThreadNo(thread.l4) % 512] = nullptr;
    thread.state = Thread::State::free;
    thread.l4 = L4_nilthread;
    thread.waiting = Thread::Wait::none;
    --thread.process->threads;
    while (thread_limit_ > 0 && threads_[thread_limit_ - 1].state == Thread::State::free)
        --thread_limit_;
}

Thread *Linux_server::first_thread(const Process &process)
{
    for (Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.process == &process)
            return &thread;
    return nullptr;
}

bool Linux_server::has_thread(const Process &process, int tid) const
{
    for (const Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.process == &process && thread.tid == tid)
            return true;
    return false;
}

Thread *Linux_server::thread_of(L4_ThreadId_t l4)
{
    // The table's entry, if it is this thread (the common case), else a search.
    Thread *likely = thread_by_number_[L4_ThreadNo(l4) % 512];
    if (likely != nullptr && L4_IsThreadEqual(likely->l4, l4))
        return likely;
    for (Thread &thread : live_threads())
        if (thread.state == Thread::State::running && L4_IsThreadEqual(thread.l4, l4) && !L4_IsNilThread(l4) &&
            thread.process->state == Process::State::running)
            return &thread;
    return nullptr;
}

bool Linux_server::load_program(Thread &thread, const uint8_t *image, uint64_t size, const char *const *argv,
                                unsigned argc, const char *const *envp, unsigned envc)
{
    Process &process = *thread.process;
    Linux_elf elf;
    Linux_elf::Error parsed = elf.parse(image, size, Process_memory::user_limit);
    if (parsed != Linux_elf::Error::none) {
        printf("linux: %s: %s\n", process.name, Linux_elf::describe(parsed));
        return false;
    }
    process.image = image;
    process.image_size = size;
    Process_memory &memory = process.memory;
    for (size_t i = 0; i < elf.load_count(); ++i) {
        const Linux_elf::Load &load = elf.load(i);
        uint64_t start = page_down(load.virtual_address), lead = load.virtual_address - start;
        Process_memory::Error added =
            memory.add(start, page_up(load.virtual_address + load.memory_size), prot_of(load),
                       image + load.file_offset - lead, start, lead + load.file_size);
        if (added != Process_memory::Error::none) {
            printf("linux: %s: load %zu shares a page with another (not supported yet)\n", process.name, i);
            return false;
        }
    }
    process.heap_start = process.heap_end = elf.break_start();
    uint32_t stack_prot = prot_read | prot_write | (elf.executable_stack() ? prot_exec : 0);
    if (memory.add(stack_top - stack_size, stack_top, stack_prot) != Process_memory::Error::none) {
        printf("linux: %s: no room for the stack\n", process.name);
        return false;
    }

    const Initial_stack::Aux aux[] = {
        {static_cast<uint64_t>(Auxv::phdr), elf.program_headers_address()},
        {static_cast<uint64_t>(Auxv::phent), elf.program_header_size()},
        {static_cast<uint64_t>(Auxv::phnum), elf.program_header_count()},
        {static_cast<uint64_t>(Auxv::pagesz), page_size},
        {static_cast<uint64_t>(Auxv::base), 0},
        {static_cast<uint64_t>(Auxv::flags), 0},
        {static_cast<uint64_t>(Auxv::entry), elf.entry()},
        {static_cast<uint64_t>(Auxv::uid), 0},
        {static_cast<uint64_t>(Auxv::euid), 0},
        {static_cast<uint64_t>(Auxv::gid), 0},
        {static_cast<uint64_t>(Auxv::egid), 0},
        {static_cast<uint64_t>(Auxv::secure), 0},
        {static_cast<uint64_t>(Auxv::hwcap), 0x178bfbff},  // what QEMU's default CPU reports in CPUID.1:EDX
        {static_cast<uint64_t>(Auxv::clktck), 100},
    };
    Initial_stack::Program program = {};
    program.arguments = {argv, argc};
    program.environment = {envp, envc};
    program.execfn = argv[0];
    program.platform = "x86_64";
    for (unsigned i = 0; i < 16; i += 8) {
        uint64_t word = random_word();
        memcpy(program.random + i, &word, 8);
    }
    program.aux = aux;
    program.aux_count = sizeof aux / sizeof aux[0];
    static uint8_t buffer[4 * 4096];  // the stack's top pages, built here and copied out
    memset(buffer, 0, sizeof buffer);
    Initial_stack stack(buffer, sizeof buffer, stack_top);
    Initial_stack::Error built = stack.build(program);
    if (built != Initial_stack::Error::none) {
        printf("linux: %s: initial stack: %s\n", process.name, Initial_stack::describe(built));
        return false;
    }
    if (memory.copy_out(stack_top - sizeof buffer, buffer, sizeof buffer) != Process_memory::Error::none) {
        printf("linux: %s: no memory for the stack\n", process.name);
        return false;
    }
    // The strings lie together: the arguments from argv[0]'s, the environment from envp[0]'s
    // (or AT_EXECFN's, when there is none) to AT_EXECFN's.
    uint64_t first_argument = 0, first_variable = 0;
    if (const uint8_t *pointer = stack.at(stack.argv_address(), 8); pointer != nullptr && argc != 0)
        memcpy(&first_argument, pointer, 8);
    if (const uint8_t *pointer = stack.at(stack.argv_address() + 8 * (argc + 1), 8); pointer != nullptr && envc != 0)
        memcpy(&first_variable, pointer, 8);
    process.env_end = stack.execfn_address();
    process.arg_end = envc != 0 ? first_variable : process.env_end;
    process.arg_start = argc != 0 ? first_argument : process.arg_end;
    return start_process(process, thread, elf.entry(), stack.stack_pointer());
}

// Root makes the space (syscalls reflected, this thread its pager); the start message sets
// ip and sp and names this thread its exception handler (docs/kernel.md).
bool Linux_server::start_process(Process &process, Thread &thread, uint64_t ip, uint64_t sp)
{
    tern::Message request(TERN_SYSTEM_SPACE_NEW);
    request.add(TERN_SYSTEM_SPACE_REFLECT);
    request.add(L4_Myself().raw);
    request.add_string(process.name, TERN_NAME_WORDS);
    tern::Status status = request.call(tern_root_thread());
    if (status != tern::Status::ok || request.untyped() != 3) {
        printf("linux: root made no space for %s (status %lu)\n", process.name, tern::raw(status));
        return false;
    }
    process.space.raw = request.word(0);
    thread.l4 = process.space;
    return send_start_message(thread, ip, sp);
}

// A further thread: root makes it in the process's space, paged and scheduled by this thread.
bool Linux_server::start_thread(Thread &thread, uint64_t ip, uint64_t sp)
{
    tern::Message request(TERN_SYSTEM_SPACE_THREAD);
    request.add(thread.process->space.raw);
    request.add(L4_Myself().raw);
    if (request.call(tern_root_thread()) != tern::Status::ok || request.untyped() != 1)
        return false;  // (the space has no thread number left: EAGAIN)
    thread.l4.raw = request.word(0);
    if (send_start_message(thread, ip, sp))
        return true;
    tern::Message remove(TERN_SYSTEM_SPACE_THREAD_DELETE);
    remove.add(thread.l4.raw);
    remove.add(L4_Word_t{0});
    (void)remove.call(tern_root_thread());
    return false;
}

bool Linux_server::send_start_message(Thread &thread, uint64_t ip, uint64_t sp)
{
    thread_by_number_[L4_ThreadNo(thread.l4) % 512] = &thread;
    L4_Msg_t start;
    L4_MsgClear(&start);
    L4_MsgAppendWord(&start, ip);
    L4_MsgAppendWord(&start, sp);
    L4_MsgAppendWord(&start, L4_Myself().raw);
    L4_MsgLoad(&start);
    if (L4_IpcFailed(L4_Send_Timeout(thread.l4, L4_TimePeriod(100000)))) {
        printf("linux: %s did not take its start message (ErrorCode %lu)\n", thread.process->name, L4_ErrorCode());
        return false;
    }
    if (trace_)
        printf("linux: [%d] thread %d (%lx) starts at %#lx, stack %#lx\n", thread.process->pid, thread.tid,
               thread.l4.raw, ip, sp);
    return true;
}

// The process's space and threads go (root deletes them), and the memory they had; the
// Thread of each stays (execve's caller runs the new program in a new space).
void Linux_server::drop_space(Process &process)
{
    process.past_time_us = time_used_us(process);
    if (!L4_IsNilThread(process.space)) {
        tern::Message request(TERN_SYSTEM_SPACE_DELETE);
        request.add(process.space.raw);
        (void)request.call(tern_root_thread());
    }
    process.space = L4_nilthread;
    for (Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.process == &process) {
            if (!L4_IsNilThread(thread.l4) && thread_by_number_[L4_ThreadNo(thread.l4) % 512] == &thread)
                thread_by_number_[L4_ThreadNo(thread.l4) % 512] = nullptr;
            thread.l4 = L4_nilthread;
        }
    process.memory.clear();
}

void Linux_server::end_other_threads(Process &process, const Thread *keep)
{
    for (Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.process == &process && &thread != keep) {
            process.past_time_us += thread_time_us(thread);  // (0 for a thread without its L4 thread)
            if (!L4_IsNilThread(thread.l4) && !L4_IsThreadEqual(thread.l4, process.space)) {
                tern::Message request(TERN_SYSTEM_SPACE_THREAD_DELETE);
                request.add(thread.l4.raw);
                request.add(L4_Word_t{0});
                (void)request.call(tern_root_thread());
            }
            free_thread(thread);
        }
}

void Linux_server::terminate(Process &process, int status)
{
    drop_space(process);
    end_other_threads(process, nullptr);
    for (unsigned fd = 0; fd < Process::max_fds; ++fd)
        close_fd(process, fd);
    if (process.cwd != 0)
        vfs_.drop(process.cwd);
    process.cwd = 0;
    process.exit_status = status;
    process.state = Process::State::zombie;
    // The groups this exit may orphan (Linux's kill_orphaned_pgrp): its own, if its parent was
    // of another group of its session (then it was a link to outside the group), and each
    // child's of another group of its session.
    int groups[max_processes + 1];
    unsigned group_count = 0;
    for (const Process *parent : processes_)
        if (parent != nullptr && parent->state == Process::State::running && parent->pid == process.parent &&
            parent->group != process.group && parent->session == process.session)
            groups[group_count++] = process.group;
    // Its children are orphans now: they are reaped as they end (no init adopts them yet).
    for (Process *child : processes_)
        if (child != nullptr && child->state != Process::State::free && child->parent == process.pid) {
            child->parent = -1;
            if (child->group != process.group && child->session == process.session)
                groups[group_count++] = child->group;
            if (child->state == Process::State::zombie)
                free_process(*child);
        }
    int pid = process.pid;
    if (process.parent == 0) {
        int code = (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
        if (terminal_)
            (void)tern::console::pass_interrupts(task::console(), false);  // Ctrl-C is the console's again
        if (return_with_first_)
            task::exit(code);  // the runner reports it; root ends the spaces still left
        printf("linux: %s (pid %d) ended, exit status %d\n", process.name, process.pid, code);
        if (host_.is_open())
            host_.exit(code);
        free_process(process);  // nobody reaps the first process
        if (exit_with_first_) {
            tern::Message request(TERN_SYSTEM_SHUTDOWN);
            request.add(static_cast<L4_Word_t>(code));
            (void)request.call(tern_root_thread());
        }
    } else if (process.parent < 0) {
        free_process(process);
    } else {
        for (Process *parent : processes_)
            if (parent != nullptr && parent->state == Process::State::running && parent->pid == process.parent) {
                const Process::Signal_action &action = parent->actions[17 - 1];
                // Linux's do_notify_parent: a parent that ignores SIGCHLD, or asks SA_NOCLDWAIT,
                // leaves no zombie to reap (busybox httpd's children); an ignored signal is not sent.
                bool reap_now = action.handler == 1 /* SIG_IGN */ || (action.flags & 2 /* SA_NOCLDWAIT */) != 0;
                bool killed = (status & 0x7f) != 0;
                if (action.handler != 1)
                    send_signal(*parent, 17 /* SIGCHLD */, killed ? 2 /* CLD_KILLED */ : 1 /* CLD_EXITED */,
                                process.pid, killed ? status & 0x7f : (status >> 8) & 0xff);
                if (reap_now)
                    free_process(process);  // (its times are not the parent's: nobody waited for it)
                break;
            }
    }
    // Last, for the signals may end other processes (and so reap this one).
    hang_up(pid, groups, group_count);
    wake_blocked();  // a parent in wait4, or the other end of a pipe
}

// What an exit does to the terminal and to job control, as in Linux: the session leader's
// exit hangs up its terminal (SIGHUP and SIGCONT to the foreground group, the terminal no
// longer the session's); each of groups (those the exit may orphan) that it left orphaned
// with a stopped member gets SIGHUP and SIGCONT (POSIX), for nobody is left to continue it.
void Linux_server::hang_up(int ended_pid, const int *groups, unsigned count)
{
    constexpr uint32_t hangup = (uint32_t{1} << (1 - 1)) | (uint32_t{1} << (18 - 1));  // SIGHUP, SIGCONT
    if (terminal_session_ != 0 && ended_pid == terminal_session_) {
        if (terminal_group_ != 0)
            signal_group(terminal_group_, hangup);
        terminal_session_ = terminal_group_ = 0;
    }
    for (unsigned i = 0; i < count; ++i) {
        bool seen = false, stopped = false;
        for (unsigned j = 0; j < i; ++j)
            seen = seen || groups[j] == groups[i];
        for (const Process *member : processes_)
            stopped = stopped || (member != nullptr && member->state == Process::State::running &&
                                  member->group == groups[i] && member->stopped);
        if (!seen && stopped && group_orphaned(groups[i]))
            signal_group(groups[i], hangup);
    }
}

void Linux_server::free_process(Process &process)
{
    end_other_threads(process, nullptr);  // (a fork that failed leaves its child's thread)
    ended_time_us_ += time_used_us(process);
    process.state = Process::State::free;
    process.pid = 0;
}

void Linux_server::answer(Thread &thread, const Linux_registers &registers)
{
    tern::Message reply(L4_Word_t{0});
    registers.write(reply);
    (void)reply.send_now(thread.l4);
}

void Linux_server::wake_blocked(bool sockets_only)
{
    // Not reentrant: a retried call that wakes others (a pipe write) only asks for another
    // round of the loop already running.
    if (waking_) {
        wake_again_ = true;
        wake_all_again_ = wake_all_again_ || !sockets_only;
        return;
    }
    waking_ = true;
    bool all = !sockets_only;
    for (bool progress = true; progress || wake_again_;) {
        all = all || wake_all_again_;
        progress = wake_again_ = wake_all_again_ = false;
        for (Thread &thread : live_threads()) {
            if (thread.state != Thread::State::running || thread.waiting == Thread::Wait::none ||
                thread.process->state != Process::State::running || thread.process->stopped ||
                inet_waiter_stays(thread) ||
                (!all && thread.waiting != Thread::Wait::socket && thread.waiting != Thread::Wait::poll))
                continue;
            Linux_registers registers = thread.saved;
            int64_t result;
            bool reply_now = true;
            if (thread.waiting == Thread::Wait::futex) {
                // Only its deadline ends a futex wait here: the word is not read again.
                if (thread.wake_us == 0 || L4_SystemClock().raw < thread.wake_us)
                    continue;
                thread.wake_us = 0;
                result = error(Errno::timedout);
            } else {
                result = system_call(thread, registers, reply_now);
            }
            if (result == blocked || !reply_now || thread.state != Thread::State::running ||
                thread.process->state != Process::State::running)
                continue;
            thread.waiting = Thread::Wait::none;
            if (result == restart)
                set_to_restart(thread, registers);
            else if (result != registers_set)
                registers.set_result(result);
            if (deliver_signals(thread, registers))
                answer(thread, registers);
            progress = true;
        }
    }
    waking_ = false;
}

Open_file *Linux_server::new_file(Open_file::Kind kind, uint32_t flags)
{
    for (Open_file &file : files_)
        if (file.references == 0) {
            file = Open_file();
            file.kind = kind;
            file.flags = flags;
            file.references = 1;
            return &file;
        }
    return nullptr;
}

void Linux_server::drop_file(Open_file *file)
{
    if (--file->references != 0)
        return;
    if (file->kind == Open_file::Kind::pipe_read || file->kind == Open_file::Kind::pipe_write)
        leave_pipe(file->pipe, file->kind == Open_file::Kind::pipe_read);
    if (file->kind == Open_file::Kind::inode)
        vfs_.drop(file->inode);
    if (file->kind == Open_file::Kind::inet_socket)
        close_socket(*file);
    if (file->kind == Open_file::Kind::unix_socket)
        close_unix_socket(*file);
    file->kind = Open_file::Kind::none;
}

// Puts file at the lowest free descriptor from lowest on; -EMFILE when none.
int Linux_server::install(Process &process, Open_file *file, unsigned lowest, bool close_on_exec)
{
    for (unsigned fd = lowest; fd < Process::max_fds; ++fd)
        if (process.fds[fd] == nullptr) {
            process.fds[fd] = file;
            if (close_on_exec)
                process.close_on_exec |= uint64_t{1} << fd;
            else
                process.close_on_exec &= ~(uint64_t{1} << fd);
            return static_cast<int>(fd);
        }
    return -static_cast<int>(Errno::mfile);
}

// Linux's descriptors are unsigned ints: the upper half of the register does not count.
Open_file *Linux_server::file_of(Process &process, uint64_t fd)
{
    fd &= 0xffffffff;
    return fd < Process::max_fds ? process.fds[fd] : nullptr;
}

void Linux_server::close_fd(Process &process, unsigned fd)
{
    if (process.fds[fd] == nullptr)
        return;
    Open_file *file = process.fds[fd];
    process.fds[fd] = nullptr;
    process.close_on_exec &= ~(uint64_t{1} << fd);
    drop_file(file);
}

namespace {

// The console reader thread (Linux_server::start_console_reader): it reads what is typed
// and calls the server's main thread with it, so the main thread never waits for the console.
constexpr L4_Word_t console_input_label = 0x4c49;  // "LI", a request of the server's own thread
constexpr unsigned reader_stack_words = 1024;
L4_Word_t reader_stack[reader_stack_words] __attribute__((aligned(16)));
Helper_thread reader_thread;

void console_reader()
{
    task::start_thread();
    reader_thread.record();
    char bytes[TERN_CONSOLE_MAX_BYTES];
    for (;;) {
        unsigned n = tern::console::read(task::console(), bytes, sizeof bytes);
        if (n == 0) {
            L4_Sleep(L4_TimePeriod(100000));  // the console refused: do not spin
            continue;
        }
        tern::Message request(console_input_label);
        request.add(n);
        request.add_bytes(bytes, n);
        (void)request.call(Helper_thread::main);
    }
}

}  // namespace

void terminal_output(const char *bytes, size_t n)
{
    L4_ThreadId_t console = task::console();
    while (n > 0) {
        unsigned chunk = n > TERN_CONSOLE_MAX_BYTES ? TERN_CONSOLE_MAX_BYTES : static_cast<unsigned>(n);
        if (L4_IsNilThread(console) || tern::console::write(console, bytes, chunk, false) != tern::Status::ok) {
            task::write(bytes, n);  // (the kernel's debug console, as task::write falls back)
            return;
        }
        bytes += chunk;
        n -= chunk;
    }
}

bool Linux_server::start_console_reader()
{
    Helper_thread::main = L4_Myself();
    // Starts with the stack pointer 8 below a 16-byte boundary, as after a call.
    if (tern::system::start_thread(console_reader, &reader_stack[reader_stack_words - 1]) != tern::Status::ok) {
        printf("linux: no second thread for console input: standard input is empty\n");
        return false;
    }
    console_reader_active_ = true;
    return true;
}

void Linux_server::take_console_input(const tern::Message &request)
{
    static char bytes[TERN_CONSOLE_MAX_BYTES];
    L4_Word_t n = request.word(0);
    if (request.untyped() < 1 || n > sizeof bytes || !request.bytes(1, static_cast<unsigned>(n), bytes))
        return;
    size_t before = console_input_.available();
    uint32_t raised = console_input_.take(bytes, n, terminal_output);
    if (console_input_.available() > before)
        console_input_at_us_ = L4_SystemClock().raw;
    if (raised != 0 && terminal_session_ != 0)
        signal_group(terminal_group_, raised);  // ^C, ^\, ^Z
    if (console_input_.readable())
        wake_blocked();
}

tern::Reply Linux_server::handle(L4_ThreadId_t from, const tern::Message &request, tern::Message &reply)
{
    if (console_reader_active_ && reader_thread.is(from) &&
        request.label() == console_input_label) {
        take_console_input(request);
        reply = tern::Message(tern::Status::ok);
        return tern::Reply::now;
    }
    if (int at = net_events_at(from, request); at >= 0) {
        take_net_events(request, static_cast<unsigned>(at));  // the calls waiting for them run again
        if (at > 0)
            return tern::Reply::later;  // (a notice: the network server waits for no answer)
        reply = tern::Message(tern::Status::ok);
        return tern::Reply::now;
    }
    Thread *thread = thread_of(from);
    if (thread == nullptr) {
        reply = tern::Message(tern::Status::unknown);
        return tern::Reply::now;  // not a process of ours: an error, and on
    }
    L4_Word_t label = request.label() & ~L4_Word_t{0xf};
    if (label == TERN_LABEL_PAGE_FAULT)
        return page_fault(*thread, request, reply);
    // (An exception message of the kernel's shape is run()'s; this is any other.)
    printf("linux: %s sent label %#lx: ended\n", thread->process->name, request.label());
    terminate(*thread->process, 9);  // SIGKILL: a Linux process cannot send IPC
    return tern::Reply::later;
}

tern::Reply Linux_server::page_fault(Thread &thread, const tern::Message &request, tern::Message &reply)
{
    Process &process = *thread.process;
    uint64_t address = request.word(0);
    uint32_t access = 0;
    ++process.faults;
    L4_Word_t rwx = request.label() & 7;  // X.2: r 4, w 2, x 1
    access |= (rwx & 4) != 0 ? prot_read : 0;
    access |= (rwx & 2) != 0 ? prot_write : 0;
    access |= (rwx & 1) != 0 ? prot_exec : 0;
    if (page_down(address) == fpu_trampoline_address && (access & prot_write) == 0) {
        // The FPU trampoline: the server's own page, read and execute only.
        L4_Fpage_t page = L4_FpageLog2(reinterpret_cast<L4_Word_t>(linux_fpu_trampoline), 12);
        L4_Set_Rights(&page, L4_Readable | L4_eXecutable);
        reply = tern::Message(L4_Word_t{0});
        reply.add_map_item(L4_MapItem(page, fpu_trampoline_address));
        return tern::Reply::now;
    }
    Process_memory::Error error;
    bool shared = false;
    uint8_t *frame = process.memory.page(address, access, error, &shared);
    if (frame == nullptr) {
        // SEGV_MAPERR outside every area, SEGV_ACCERR where the area forbids the access.
        int code = error == Process_memory::Error::no_area ? 1 : 2;
        if (error != Process_memory::Error::no_memory && fault_handled(thread, 11, code, address)) {
            // The handler needs every register, which only an exception message carries:
            // the thread goes on, at the interrupt address, as the empty answer resumes it.
            interrupt(thread);
            reply = tern::Message(L4_Word_t{0});
            return tern::Reply::now;
        }
        printf("linux: %s (pid %d): segmentation fault at %#lx, ip %#lx\n", process.name, thread.tid, address,
               request.word(1));
        terminate(process, 11);  // SIGSEGV
        return tern::Reply::later;
    }
    const Process_memory::Area *area = process.memory.find(address);
    L4_Fpage_t page = L4_FpageLog2(reinterpret_cast<L4_Word_t>(frame), 12);
    L4_Word_t rights = ((area->prot & prot_read) != 0 ? L4_Readable : 0) |
                       ((area->prot & prot_write) != 0 && !shared ? L4_Writable : 0) |
                       ((area->prot & prot_exec) != 0 ? L4_eXecutable : 0);
    L4_Set_Rights(&page, rights);
    reply = tern::Message(L4_Word_t{0});
    reply.add_map_item(L4_MapItem(page, page_down(address)));
    return tern::Reply::now;
}

void Linux_server::run()
{
    L4_ThreadId_t to = L4_nilthread, from = L4_nilthread;
    for (;;) {
        // Changes that came on the network server's replies (during the last request, a
        // sleeper's wake, a poll's timeout): their waiters run again before this waits.
        after_request(to);
        // A sleeper's time may come while messages keep arriving: look at the clock each
        // round while anyone sleeps, and wait no longer than the earliest wake.
        L4_Time_t receive_timeout = L4_Never;
        if (next_wake_us_ != 0) {
            uint64_t now = L4_SystemClock().raw;
            if (now >= next_wake_us_) {
                if (!L4_IsNilThread(to))
                    (void)L4_Send_Timeout(to, L4_ZeroTime);  // the reply loaded for to
                to = L4_nilthread;
                wake_sleepers();
                after_request(to);  // (to is nil: the reply went above)
                now = L4_SystemClock().raw;
            }
            if (next_wake_us_ != 0)
                receive_timeout = now >= next_wake_us_ ? L4_ZeroTime : L4_TimePeriod(next_wake_us_ - now);
        }
        for (uint64_t word : inet_pending_)
            if (word != 0)
                receive_timeout = L4_ZeroTime;  // (more than after_request's rounds: back soon)
        L4_Accept(L4_UntypedWordsAcceptor);
        L4_MsgTag_t tag = L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, receive_timeout), &from);
        to = L4_nilthread;
        if (L4_IpcFailed(tag)) {
            idle();
            continue;
        }
        // The common case, a system call, is read from the MRs and answered in them: no
        // Message copies on the way (docs/performance.md).
        Thread *thread = nullptr;
        if ((L4_Label(tag) & ~L4_Word_t{0xf}) == TERN_LABEL_EXCEPTION && L4_UntypedWords(tag) == TERN_EXCEPTION_WORDS &&
            L4_TypedWords(tag) == 0 && (thread = thread_of(from)) != nullptr) {
            Linux_registers registers;
            registers.store_from_mrs();
            if (exception(*thread, registers) == tern::Reply::now) {
                registers.load_reply();
                to = from;
            }
            continue;
        }
        tern::Message reply;
        if (handle(from, tern::Message::received(tag), reply) == tern::Reply::now) {
            reply.load();
            to = from;
        }
    }
}

void Linux_server::after_request(L4_ThreadId_t &to)
{
    // Sockets that changed during this request's calls to the network server (their
    // replies said so): the reply goes first, then their waiters run again.
    // Their calls may bring more (each change is a step of lwIP's, so this ends); the cap
    // only bounds one pass of the loop, which comes here again before it waits.
    for (unsigned round = 0; round < 16; ++round) {
        bool pending = false;
        for (uint64_t word : inet_pending_)
            pending = pending || word != 0;
        if (!pending)
            return;
        if (!L4_IsNilThread(to))
            (void)L4_Send_Timeout(to, L4_ZeroTime);  // the reply loaded for to
        to = L4_nilthread;
        (void)take_pending_net_events();
    }
}

tern::Reply Linux_server::exception(Thread &thread, Linux_registers &registers)
{
    Process &process = *thread.process;
    if (thread.starting) {
        // A new thread's first instruction, its creator's syscall (sys_fork, sys_clone), or
        // the interrupt of a signal sent before it ran: either way the reply gives it the
        // registers made for it, 0 in rax.
        thread.starting = false;
        thread.interrupting = false;
        registers = thread.saved;
        if (!deliver_signals(thread, registers))
            return tern::Reply::later;
        return tern::Reply::now;
    }
    if (is_interrupt(thread, registers)) {
        // Stopped by the server for a signal (interrupt): deliver it and go on.
        if (!deliver_signals(thread, registers))
            return tern::Reply::later;
        return tern::Reply::now;
    }
    if (registers.vector() != TERN_VECTOR_SYSCALL) {
        // A CPU exception: the signal Linux would send, with its default action for now.
        uint64_t vector = registers.vector();
        int signal = vector == 0 || vector == 16 || vector == 19 ? 8 /* SIGFPE */
                     : vector == 6                              ? 4 /* SIGILL */
                     : vector == 3 || vector == 1               ? 5 /* SIGTRAP */
                                                                : 11 /* SIGSEGV */;
        // si_code: FPE_INTDIV, ILL_ILLOPN, TRAP_BRKPT, SI_KERNEL (a #GP has no address).
        int code = signal == 8 ? 1 : signal == 4 ? 2 : signal == 5 ? 1 : 0x80;
        if (fault_handled(thread, signal, code, signal == 11 ? 0 : registers.ip()))
            return deliver_signals(thread, registers) ? tern::Reply::now : tern::Reply::later;
        printf("linux: %s (pid %d): exception %lu at ip %#lx: signal %d\n", process.name, thread.tid, vector,
               registers.ip(), signal);
        terminate(process, signal);
        return tern::Reply::later;
    }
    bool reply_now = true;
    // A new call: the timeout of one that ended early does not apply, but a call that runs
    // again after a stop keeps its deadline.
    if (!thread.call_restarting)
        thread.wake_us = 0;
    thread.call_restarting = false;
    int64_t result = system_call(thread, registers, reply_now);
    if (trace_)
        printf("linux: [%d] %lu(%#lx, %#lx, %#lx, %#lx) = %ld%s\n", thread.tid, registers.number(), registers.arg(0),
               registers.arg(1), registers.arg(2), registers.arg(3), result, result == blocked ? " (blocked)" : "");
    if (result == blocked) {
        thread.saved = registers;
        return tern::Reply::later;
    }
    if (!reply_now || thread.state != Thread::State::running || process.state != Process::State::running)
        return tern::Reply::later;
    if (result == restart)
        set_to_restart(thread, registers);
    else if (result != registers_set)
        registers.set_result(result);
    if (!deliver_signals(thread, registers))
        return tern::Reply::later;
    return tern::Reply::now;
}

void Linux_server::set_to_restart(Thread &thread, Linux_registers &registers)
{
    registers.set_ip(registers.ip() - 2);  // rax still holds the call's number
    thread.call_restarting = true;
    thread.call_restartable = true;
}

uint64_t Linux_server::random_word()
{
    // splitmix64: not cryptographic (docs/linux.md, getrandom).
    uint64_t z = (random_state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}
