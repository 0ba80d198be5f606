// SPDX-License-Identifier: MIT
// What /proc's files say (meminfo, uptime, loadavg, stat, a process's stat, status, cmdline,
// ...), in the formats of Linux's proc(5) that ps, top, free and uptime parse, and the system
// calls that give the same figures (sysinfo, statfs). The memory is the Linux personality's
// own: its pool of frames (the memory all Linux processes may have together) is MemTotal.
// Processor time is the kernel's tick accounting: a process's threads' time is its user
// time (its system calls run in this server and count there), the ticks no thread ran are
// idle, and everything else (the kernel, this server, the other servers) is system time.
#include <l4/kip.h>
#include <l4/tern/processor_time.h>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <stdarg.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"

using namespace linux_abi;

namespace {

// Formatted text appended to a buffer, cut at its end.
class Text {
public:
    Text(char *out, size_t size) : out_(out), size_(size) {}

    __attribute__((format(printf, 2, 3))) void add(const char *format, ...)
    {
        if (length_ + 1 >= size_)
            return;
        va_list arguments;
        va_start(arguments, format);
        int n = vsnprintf(out_ + length_, size_ - length_, format, arguments);
        va_end(arguments);
        if (n > 0)
            length_ = length_ + static_cast<size_t>(n) < size_ ? length_ + static_cast<size_t>(n) : size_ - 1;
    }
    // The next n bytes were written at end() by the caller.
    void grow(size_t n) { length_ += n < size_ - length_ ? n : size_ - length_; }
    size_t length() const { return length_; }
    char *end() { return out_ + length_; }
    size_t room() const { return size_ - length_; }

private:
    char *out_;
    size_t size_;
    size_t length_ = 0;
};

constexpr uint64_t load_one = 1 << 11;  // Linux's FIXED_1
// Linux's EXP_1, EXP_5, EXP_15: 2^11 / e^(5 s / 1, 5, 15 minutes).
constexpr uint64_t load_decay[3] = {1884, 2014, 2037};
constexpr uint64_t load_interval_us = 5000000;
constexpr uint64_t ticks_per_second = 100;  // USER_HZ: the unit of /proc's times
constexpr uint64_t console_tty = 5 << 8 | 1;  // (5, 1), /dev/console

// Load average n as "N.NN".
void add_load(Text &text, uint64_t load)
{
    load += load_one / 200;  // rounded to hundredths, as Linux's LOAD_INT/LOAD_FRAC
    text.add("%lu.%02lu", load >> 11, ((load & (load_one - 1)) * 100) >> 11);
}

// runnable: how many of its threads are not blocked in a call.
char state_letter(const Process &process, const Process &caller, unsigned runnable)
{
    if (process.state == Process::State::zombie)
        return 'Z';
    if (process.stopped)
        return 'T';
    return &process == &caller || runnable != 0 ? 'R' : 'S';
}

const char *state_name(char letter)
{
    switch (letter) {
    case 'R':
        return "running";
    case 'S':
        return "sleeping";
    case 'T':
        return "stopped";
    default:
        return "zombie";
    }
}

struct Process_sizes {
    uint64_t virtual_bytes = 0, code_pages = 0, data_pages = 0;
};

Process_sizes sizes_of(const Process &process)
{
    Process_sizes sizes;
    for (unsigned i = 0; i < process.memory.area_count(); ++i) {
        const Process_memory::Area &area = process.memory.area(i);
        uint64_t bytes = area.end - area.start;
        sizes.virtual_bytes += bytes;
        if ((area.prot & prot_exec) != 0)
            sizes.code_pages += bytes / Process_memory::page_size;
        else if ((area.prot & prot_write) != 0)
            sizes.data_pages += bytes / Process_memory::page_size;
    }
    return sizes;
}

// The process's strings at [start, end) (arguments or environment), as much as fits.
void add_strings(Text &text, Process &process, uint64_t start, uint64_t end)
{
    if (process.state != Process::State::running || end <= start)
        return;
    size_t n = end - start < text.room() ? end - start : text.room();
    if (process.memory.copy_in(text.end(), start, n) == Process_memory::Error::none)
        text.grow(n);
}

}  // namespace

Linux_server::Memory_figures Linux_server::memory_figures() const
{
    Memory_figures figures;
    figures.total = frames_.quota();
    uint64_t used = frames_.frames_in_use() * Frame_pool::frame_size;
    figures.free = used < figures.total ? figures.total - used : 0;
    figures.files = vfs_pages_.pages() * Frame_pool::frame_size;
    figures.programs = uint64_t{page_cache_.pages()} * Frame_pool::frame_size;
    return figures;
}

uint64_t Linux_server::thread_time_us(const Thread &thread)
{
    L4_Word_t live = 0;
    if (!L4_IsNilThread(thread.l4))
        (void)tern_time_used(thread.l4, &live);  // (0 if the kernel refuses: not ours)
    return live;
}

uint64_t Linux_server::time_used_us(const Process &process) const
{
    uint64_t used = process.past_time_us;
    for (const Thread &thread : live_threads())
        if (thread.state == Thread::State::running && thread.process == &process)
            used += thread_time_us(thread);
    return used;
}

unsigned Linux_server::runnable_threads(const Process &process) const
{
    unsigned runnable = 0;
    for (const Thread &thread : live_threads())
        runnable += thread.state == Thread::State::running && thread.process == &process &&
                    thread.waiting == Thread::Wait::none && !L4_IsNilThread(thread.l4);
    return runnable;
}

unsigned Linux_server::running_processes() const
{
    unsigned running = 0;
    for (const Process *process : processes_)
        running += process != nullptr && process->state == Process::State::running && !process->stopped &&
                   runnable_threads(*process) != 0;
    return running;
}

// Linux's calc_load: every 5 s, load = load * e + running * (1 - e). Intervals the server
// slept through (nothing ran then but what runs now, which the server would have seen) are
// decayed with the count of now.
void Linux_server::sample_load(uint64_t now_us)
{
    if (next_load_sample_us_ == 0)
        next_load_sample_us_ = now_us + load_interval_us;
    unsigned rounds = 0;
    uint64_t active = uint64_t{running_processes()} * load_one;
    while (now_us >= next_load_sample_us_ && rounds++ < 1000) {
        for (unsigned i = 0; i < 3; ++i)
            load_[i] = (load_[i] * load_decay[i] + active * (load_one - load_decay[i]) + load_one / 2) >> 11;
        next_load_sample_us_ += load_interval_us;
    }
    if (now_us >= next_load_sample_us_)
        next_load_sample_us_ = now_us + load_interval_us;  // (after a very long sleep: all decayed)
}

size_t Linux_server::proc_text(Process &caller, const Proc_node &node, char *out, size_t size)
{
    Text text(out, size);
    uint64_t now_us = L4_SystemClock().raw, idle_us = tern_idle_time(0);
    sample_load(now_us);
    Memory_figures memory = memory_figures();
    unsigned processes = 0;
    for (const Process *process : processes_)
        processes += process != nullptr && process->state != Process::State::free;
    switch (node.text) {
    case Proc_node::Text::meminfo:
        text.add("MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                 "Buffers:        %8lu kB\nCached:         %8lu kB\nSwapCached:     %8lu kB\n",
                 memory.total >> 10, memory.free >> 10, memory.free >> 10, 0ul,
                 (memory.files + memory.programs) >> 10, 0ul);
        text.add("SwapTotal:      %8lu kB\nSwapFree:       %8lu kB\nShmem:          %8lu kB\n"
                 "SReclaimable:   %8lu kB\n",
                 0ul, 0ul, memory.files >> 10, 0ul);
        break;
    case Proc_node::Text::uptime:
        text.add("%lu.%02lu %lu.%02lu\n", now_us / 1000000, now_us / 10000 % 100, idle_us / 1000000,
                 idle_us / 10000 % 100);
        break;
    case Proc_node::Text::loadavg:
        for (unsigned i = 0; i < 3; ++i) {
            add_load(text, load_[i]);
            text.add(" ");
        }
        text.add("%u/%u %d\n", running_processes(), processes, next_pid_ - 1);
        break;
    case Proc_node::Text::stat: {
        uint64_t user = ended_time_us_, ticks = now_us / (1000000 / ticks_per_second);
        for (const Process *process : processes_)
            if (process != nullptr && process->state != Process::State::free)
                user += time_used_us(*process);
        user /= 1000000 / ticks_per_second;
        uint64_t idle = idle_us / (1000000 / ticks_per_second);
        uint64_t system = ticks > user + idle ? ticks - user - idle : 0;
        static const char *const lines[] = {"cpu ", "cpu0"};
        for (const char *name : lines)
            text.add("%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, user, system, idle);
        text.add("intr 0\nctxt 0\nbtime %lu\nprocesses %d\nprocs_running %u\nprocs_blocked 0\n", epoch_seconds_,
                 next_pid_ - 1, running_processes());
        break;
    }
    case Proc_node::Text::version:
        text.add("Linux version 6.1.0-tern (tern@tern) (Tern Linux personality) #1 Tern Linux personality\n");
        break;
    case Proc_node::Text::mounts:
        text.add("tmpfs / tmpfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n");
        break;
    case Proc_node::Text::filesystems:
        text.add("nodev\ttmpfs\nnodev\tproc\n");
        break;
    case Proc_node::Text::pci:
        // Linux 2.4's /proc/pci (the format its successor /proc/bus/pci replaced), from the
        // functions the root task found at boot (TERN_SYSTEM_PCI).
        text.add("PCI devices found:\n");
        for (L4_Word_t index = 0;; ++index) {
            tern::Message reply;
            if (tern::system::call(TERN_SYSTEM_PCI, index, &reply) != tern::Status::ok ||
                reply.untyped() != TERN_PCI_WORDS)
                break;
            L4_Word_t location = reply.word(0), ids = reply.word(1), classes = reply.word(2), line = reply.word(3);
            text.add("  Bus %3lu, device %3lu, function %2lu:\n    Class %04lx: PCI device %04lx:%04lx (rev %lu).\n",
                     location >> 8, (location >> 3) & 0x1f, location & 7, (classes >> 8) & 0xffff, ids & 0xffff,
                     ids >> 16, classes >> 24);
            if ((line >> 8 & 0xff) != 0)
                text.add("      IRQ %lu.\n", line & 0xff);
            for (unsigned bar = 0; bar < 6; ++bar) {
                L4_Word_t base = reply.word(4 + 2 * bar), bytes = reply.word(5 + 2 * bar);
                L4_Word_t kind = base & TERN_PCI_BAR_KIND_MASK;
                if (kind == TERN_PCI_BAR_IO)
                    text.add("      I/O at 0x%lx [0x%lx].\n", base & ~L4_Word_t{3}, (base & ~L4_Word_t{3}) + bytes - 1);
                else if (kind != TERN_PCI_BAR_NONE)
                    text.add("      %sMemory at 0x%lx [0x%lx].\n",
                             (base & TERN_PCI_BAR_PREFETCHABLE) != 0 ? "Prefetchable " : "Non-prefetchable ",
                             base & ~L4_Word_t{0xf}, (base & ~L4_Word_t{0xf}) + bytes - 1);
            }
        }
        break;
    case Proc_node::Text::cpuinfo: {
        uint32_t words[12] = {}, eax, ebx, ecx, edx;
        for (uint32_t leaf = 0; leaf < 3; ++leaf) {
            __asm__ __volatile__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0x80000002 + leaf), "c"(0));
            words[leaf * 4] = eax, words[leaf * 4 + 1] = ebx, words[leaf * 4 + 2] = ecx, words[leaf * 4 + 3] = edx;
        }
        char brand[49] = {};
        memcpy(brand, words, 48);
        uint32_t vendor[4] = {};
        __asm__ __volatile__("cpuid" : "=a"(eax), "=b"(vendor[0]), "=c"(vendor[2]), "=d"(vendor[1]) : "a"(0), "c"(0));
        __asm__ __volatile__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
        unsigned family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
        if (family == 0xf)
            family += (eax >> 20) & 0xff;
        if (family >= 6)
            model += ((eax >> 16) & 0xf) << 4;
        text.add("processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
                 "stepping\t: %u\n",
                 reinterpret_cast<const char *>(vendor), family, model, brand, eax & 0xf);
        static const struct {
            uint32_t bit;
            const char *name;
        } edx_flags[] = {{0, "fpu"}, {4, "tsc"}, {5, "msr"}, {6, "pae"}, {8, "cx8"}, {9, "apic"}, {15, "cmov"},
                         {23, "mmx"}, {24, "fxsr"}, {25, "sse"}, {26, "sse2"}};
        text.add("flags\t\t:");
        for (const auto &flag : edx_flags)
            if ((edx >> flag.bit) & 1)
                text.add(" %s", flag.name);
        if (ecx & 1)
            text.add(" pni");
        text.add("\n\n");
        break;
    }
    default:
        break;
    }
    if (node.process == nullptr)
        return text.length();
    Process &process = *node.process;
    char state = state_letter(process, caller, runnable_threads(process));
    bool zombie = process.state == Process::State::zombie;
    Process_sizes sizes = zombie ? Process_sizes{} : sizes_of(process);
    uint64_t resident = zombie ? 0 : process.memory.resident_pages();
    char comm[16] = {};
    strncpy(comm, process.name, sizeof comm - 1);  // Linux's TASK_COMM_LEN
    bool terminal = controls_terminal(process);
    // The first thread's own signals and mask (Linux shows the thread the path names).
    const Thread *first = first_thread(process);
    uint64_t thread_pending = first != nullptr ? first->pending : 0, mask = first != nullptr ? first->blocked : 0;
    uint64_t caught = 0, ignored = 0;
    for (unsigned signal = 1; signal <= Process::signals; ++signal) {
        uint64_t handler = process.actions[signal - 1].handler;
        if (handler == 1)
            ignored |= uint64_t{1} << (signal - 1);  // SIG_IGN
        else if (handler > 1)
            caught |= uint64_t{1} << (signal - 1);
    }
    switch (node.text) {
    case Proc_node::Text::process_stat:
        text.add("%d (%s) %c %d %d %d %lu %d 0 %lu 0 0 0 %lu 0 %lu 0 20 0 %u 0 %lu %lu %lu 18446744073709551615 0 0 0 0 "
                 "0 %lu %lu %lu %lu 0 0 0 17 0 0 0 0 0 0 0 0 %lu %lu %lu %lu %lu %d\n",
                 process.pid, comm, state, process.parent > 0 ? process.parent : 0, process.group, process.session,
                 terminal ? console_tty : 0, terminal ? terminal_group_ : -1, process.faults,
                 time_used_us(process) * ticks_per_second / 1000000,
                 process.children_time_us * ticks_per_second / 1000000, zombie ? 1u : process.threads,
                 process.start_us * ticks_per_second / 1000000, sizes.virtual_bytes, resident,
                 process.pending | thread_pending, mask, ignored, caught, process.heap_start, process.arg_start, process.arg_end,
                 process.arg_end, process.env_end, zombie ? process.exit_status : 0);
        break;
    case Proc_node::Text::process_status:
        text.add("Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
                 "TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%u\nGroups:\t\n",
                 comm, process.umask, state, state_name(state), process.pid, process.pid,
                 process.parent > 0 ? process.parent : 0, Process::max_fds);
        if (!zombie)
            text.add("VmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nVmData:\t%8lu kB\nVmExe:\t%8lu kB\n",
                     sizes.virtual_bytes >> 10, resident * 4, sizes.data_pages * 4, sizes.code_pages * 4);
        text.add("Threads:\t%u\nSigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
                 zombie ? 1u : process.threads, thread_pending, process.pending, mask, ignored, caught);
        break;
    case Proc_node::Text::process_statm:
        text.add("%lu %lu 0 %lu 0 %lu 0\n", sizes.virtual_bytes / Process_memory::page_size, resident,
                 sizes.code_pages, sizes.data_pages);
        break;
    case Proc_node::Text::process_cmdline:
        add_strings(text, process, process.arg_start, process.arg_end);
        break;
    case Proc_node::Text::process_environ:
        add_strings(text, process, process.arg_end, process.env_end);
        break;
    case Proc_node::Text::process_comm:
        text.add("%s\n", comm);
        break;
    default:
        break;
    }
    return text.length();
}

// getrusage: RUSAGE_SELF (0) the process's processor time, RUSAGE_CHILDREN (-1) that of its
// children it waited for (and theirs), RUSAGE_THREAD (1) as SELF (one thread a process). All
// of it is user time (the system calls run in this server); the other fields are not kept.
int64_t Linux_server::sys_getrusage(Process &process, int32_t who, uint64_t buffer)
{
    if (who != 0 && who != -1 && who != 1)
        return error(Errno::inval);
    uint64_t us = who == -1 ? process.children_time_us : time_used_us(process);
    uint64_t usage[18] = {us / 1000000, us % 1000000};  // struct rusage: ru_utime first
    if (who != -1)
        usage[8] = process.faults;  // ru_minflt
    Process_memory::Error copied = process.memory.copy_out(buffer, usage, sizeof usage);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

// times: the process's and its waited children's times in clock ticks (USER_HZ), and the
// ticks since boot; a null buffer only asks for those.
int64_t Linux_server::sys_times(Process &process, uint64_t buffer)
{
    constexpr uint64_t tick_us = 1000000 / ticks_per_second;
    if (buffer != 0) {
        uint64_t times[4] = {time_used_us(process) / tick_us, 0, process.children_time_us / tick_us, 0};
        Process_memory::Error copied = process.memory.copy_out(buffer, times, sizeof times);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    return static_cast<int64_t>(L4_SystemClock().raw / tick_us);
}

// struct sysinfo (x86-64): uptime, loads[3], totalram, freeram, sharedram, bufferram,
// totalswap, freeswap, procs (16 bits), totalhigh, freehigh, mem_unit (32 bits).
int64_t Linux_server::sys_sysinfo(Process &process, uint64_t buffer)
{
    struct {
        int64_t uptime;
        uint64_t loads[3];
        uint64_t total_ram, free_ram, shared_ram, buffer_ram, total_swap, free_swap;
        uint16_t procs, pad;
        uint32_t pad2;
        uint64_t total_high, free_high;
        uint32_t mem_unit;
        char reserved[4];
    } info = {};
    static_assert(sizeof info == 112);
    uint64_t now_us = L4_SystemClock().raw;
    sample_load(now_us);
    Memory_figures memory = memory_figures();
    info.uptime = static_cast<int64_t>(now_us / 1000000);
    for (unsigned i = 0; i < 3; ++i)
        info.loads[i] = load_[i] << 5;  // sysinfo's fixed point is 1 << 16
    info.total_ram = memory.total;
    info.free_ram = memory.free;
    info.shared_ram = memory.files;
    for (const Process *other : processes_)
        info.procs += other != nullptr && other->state != Process::State::free;
    info.mem_unit = 1;
    Process_memory::Error copied = process.memory.copy_out(buffer, &info, sizeof info);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

// statfs(path) when fd is -1, else fstatfs(fd): the root file system is a tmpfs of the pool
// (its blocks are the pool's frames; the archive's files are read in place); /proc has none.
int64_t Linux_server::sys_statfs(Process &process, uint64_t path_address, uint64_t fd, uint64_t buffer)
{
    bool proc = false;
    if (static_cast<int64_t>(fd) >= 0) {
        Open_file *file = file_of(process, fd);
        if (file == nullptr)
            return error(Errno::badf);
        proc = file->kind == Open_file::Kind::proc_directory;
    } else {
        static char path[Vfs::max_path];
        int64_t length = path_in(process, path_address, path);
        if (length < 0)
            return length;
        Proc_node node;
        int64_t result = 0;
        proc = proc_node(process, static_cast<uint64_t>(-100), path, node, result);
        if (proc && result < 0)
            return result;
        uint32_t ino;
        if (!proc) {
            Errno found = vfs_.resolve(process.cwd, path, static_cast<size_t>(length), true, ino);
            if (found != Errno::none)
                return error(found);
            proc = ino == proc_ino_;
        }
    }
    struct {
        int64_t type, block_size;
        uint64_t blocks, free_blocks, available_blocks, files, free_files;
        int32_t fsid[2];
        int64_t name_length, fragment_size, flags, spare[4];
    } info = {};
    static_assert(sizeof info == 120);
    Memory_figures memory = memory_figures();
    info.type = proc ? 0x9fa0 /* PROC_SUPER_MAGIC */ : 0x01021994 /* TMPFS_MAGIC */;
    info.block_size = info.fragment_size = static_cast<int64_t>(Frame_pool::frame_size);
    info.name_length = 255;
    if (!proc) {
        info.blocks = memory.total / Frame_pool::frame_size;
        info.free_blocks = info.available_blocks = memory.free / Frame_pool::frame_size;
        info.files = Vfs::max_inodes;
        info.free_files = Vfs::max_inodes - vfs_.inodes_in_use();
    }
    info.flags = proc ? 0x0e /* ST_NOSUID | ST_NODEV | ST_NOEXEC */ : 0;
    Process_memory::Error copied = process.memory.copy_out(buffer, &info, sizeof info);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}
