// SPDX-License-Identifier: MIT
// /proc/self and /proc/PID, made up when asked, not stored in the Vfs: the process
// directory (exe, cwd, root, fd), its symbolic links, and fd, a directory of one link per
// open descriptor naming what it is open on, as Linux's readlink shows it. Paths are
// matched from their start ("/proc/..."): a relative path from inside /proc is not.
#include <l4/kip.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"

using namespace linux_abi;

namespace {

constexpr uint64_t o_accmode = 3, o_nofollow = 0400000, o_directory = 0200000, o_cloexec = 02000000,
                   o_nonblock = 04000, o_append = 02000;
constexpr uint8_t dt_directory = 4, dt_regular = 8, dt_link = 10;

// The next component of a path from at: its start and length (0 at the end).
const char *component(const char *&at, size_t &length)
{
    while (*at == '/')
        ++at;
    const char *start = at;
    while (*at != '\0' && *at != '/')
        ++at;
    length = static_cast<size_t>(at - start);
    return start;
}

bool is(const char *text, size_t length, const char *word)
{
    return strlen(word) == length && memcmp(text, word, length) == 0;
}

// A decimal number of at most 9 digits, or -1.
int number(const char *text, size_t length)
{
    if (length == 0 || length > 9)
        return -1;
    int value = 0;
    for (size_t i = 0; i < length; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

size_t decimal(uint64_t value, char *out)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (size_t i = 0; i < n; ++i)
        out[i] = digits[n - 1 - i];
    out[n] = '\0';
    return n;
}

// Inode numbers of the made-up files, out of the Vfs's range: per process (pid 0: /proc
// itself), entry 0 its directory, 1 fd, 2 exe, 3 cwd, 4 root, 5 /proc/self, 8 + n descriptor
// n's link, 80 and up the text files.
uint64_t proc_ino(int pid, unsigned entry)
{
    return 0x40000000 + static_cast<uint64_t>(pid) * 128 + entry;
}

using Node = Linux_server::Proc_node;

struct Proc_entry {
    const char *name;
    Node::Kind kind;
    Node::Text text;
    unsigned entry;
};

// /proc's own entries before the processes' directories.
constexpr Proc_entry system_entries[] = {
    {"self", Node::Kind::self_link, Node::Text::meminfo, 5},
    {"meminfo", Node::Kind::text, Node::Text::meminfo, 80},
    {"uptime", Node::Kind::text, Node::Text::uptime, 81},
    {"loadavg", Node::Kind::text, Node::Text::loadavg, 82},
    {"stat", Node::Kind::text, Node::Text::stat, 83},
    {"version", Node::Kind::text, Node::Text::version, 84},
    {"mounts", Node::Kind::text, Node::Text::mounts, 85},
    {"cpuinfo", Node::Kind::text, Node::Text::cpuinfo, 86},
    {"filesystems", Node::Kind::text, Node::Text::filesystems, 87},
    {"pci", Node::Kind::text, Node::Text::pci, 88},
};

// A process's directory.
constexpr Proc_entry process_entries[] = {
    {"exe", Node::Kind::exe, Node::Text::meminfo, 2},
    {"cwd", Node::Kind::cwd, Node::Text::meminfo, 3},
    {"root", Node::Kind::root, Node::Text::meminfo, 4},
    {"fd", Node::Kind::fd_directory, Node::Text::meminfo, 1},
    {"stat", Node::Kind::text, Node::Text::process_stat, 90},
    {"status", Node::Kind::text, Node::Text::process_status, 91},
    {"statm", Node::Kind::text, Node::Text::process_statm, 92},
    {"cmdline", Node::Kind::text, Node::Text::process_cmdline, 93},
    {"environ", Node::Kind::text, Node::Text::process_environ, 94},
    {"comm", Node::Kind::text, Node::Text::process_comm, 95},
    {"mounts", Node::Kind::text, Node::Text::mounts, 96},
};

template <size_t n>
const Proc_entry *find_entry(const Proc_entry (&entries)[n], const char *name, size_t length)
{
    for (const Proc_entry &entry : entries)
        if (is(name, length, entry.name))
            return &entry;
    return nullptr;
}

}  // namespace

const char *Linux_server::proc_absolute(Process &caller, uint64_t dirfd, const char *path, bool &from_descriptor)
{
    from_descriptor = false;
    if (*path == '/' || *path == '\0')
        return path;
    static char absolute[Vfs::max_path + 32];
    if (static_cast<int32_t>(dirfd) == -100 /* AT_FDCWD */) {
        if (proc_ino_ == 0 || caller.cwd != proc_ino_)
            return path;
        strcpy(absolute, "/proc");
    } else {
        Open_file *file = file_of(caller, dirfd);
        if (file != nullptr && file->kind == Open_file::Kind::proc_directory) {
            proc_directory_path(*file, absolute);
            from_descriptor = true;  // nothing else can answer for it: the Vfs has no such directory
        } else if (file != nullptr && file->kind == Open_file::Kind::inode && proc_ino_ != 0 && file->inode == proc_ino_)
            strcpy(absolute, "/proc");
        else
            return path;
    }
    size_t at = strlen(absolute);
    if (at + 1 + strlen(path) >= sizeof absolute)
        return path;  // too long for /proc: the Vfs answers ENOENT or ENAMETOOLONG
    absolute[at] = '/';
    strcpy(absolute + at + 1, path);
    return absolute;
}

bool Linux_server::proc_node(Process &caller, uint64_t dirfd, const char *path, Proc_node &node, int64_t &result)
{
    bool from_descriptor;
    path = proc_absolute(caller, dirfd, path, from_descriptor);
    const char *at = path;
    size_t length;
    if (*path != '/')
        return false;
    const char *name = component(at, length);
    if (!is(name, length, "proc"))
        return false;
    result = 0;
    node = Proc_node{};
    do
        name = component(at, length);
    while (is(name, length, "."));
    if (is(name, length, "..")) {
        if (from_descriptor)
            result = error(Errno::noent);  // (not followed up from a /proc descriptor: a known gap)
        return from_descriptor;  // the root's, the Vfs's to answer
    }
    if (length == 0) {
        node.kind = Proc_node::Kind::proc_root;
        return true;
    }
    int pid = is(name, length, "self") ? caller.pid : number(name, length);
    if (pid < 0) {
        const Proc_entry *entry = find_entry(system_entries, name, length);
        if (entry == nullptr) {
            if (from_descriptor)
                result = error(Errno::noent);
            return from_descriptor;  // else a name the Vfs may hold
        }
        node.kind = entry->kind;
        node.text = entry->text;
        node.entry = entry->entry;
        if (*at == '/')
            result = error(Errno::notdir);  // a file, not a directory ("meminfo/")
        return true;
    }
    node.kind = is(name, length, "self") ? Proc_node::Kind::self_link : Proc_node::Kind::process_directory;
    node.entry = node.kind == Proc_node::Kind::self_link ? 5 : 0;
    for (Process *candidate : processes_)
        if (candidate != nullptr && candidate->state != Process::State::free && candidate->pid == pid)
            node.process = candidate;
    if (node.process == nullptr) {
        result = error(Errno::noent);
        return true;
    }
    name = component(at, length);
    if (length == 0) {
        if (at[-1] == '/')
            node.kind = Proc_node::Kind::process_directory;  // "/proc/self/": the link followed
        return true;
    }
    const Proc_entry *entry = find_entry(process_entries, name, length);
    if (entry == nullptr) {
        result = error(Errno::noent);
        return true;
    }
    node.kind = entry->kind;
    node.text = entry->text;
    node.entry = entry->entry;
    if (node.process->state == Process::State::zombie && entry->kind != Proc_node::Kind::text) {
        result = error(Errno::noent);  // a zombie has no files, directory or program left
        return true;
    }
    if (node.kind == Proc_node::Kind::text && *at == '/') {
        result = error(Errno::notdir);  // "stat/"
        return true;
    }
    name = component(at, length);
    if (length == 0)
        return true;
    int fd = node.kind == Proc_node::Kind::fd_directory ? number(name, length) : -1;
    if (node.kind != Proc_node::Kind::fd_directory) {
        result = error(Errno::notdir);  // (the links are not followed on the way)
    } else if (fd < 0 || fd >= static_cast<int>(Process::max_fds) || node.process->fds[fd] == nullptr) {
        result = error(Errno::noent);
    } else {
        node.kind = Proc_node::Kind::fd_link;
        node.fd = static_cast<unsigned>(fd);
        node.entry = 8 + node.fd;
        name = component(at, length);
        if (length != 0)
            result = error(Errno::notdir);
    }
    return true;
}

Errno Linux_server::inode_path(uint32_t ino, char *out, size_t size) const
{
    Vfs::Stat stat;
    if (vfs_.stat(ino, stat) != Errno::none)
        return Errno::noent;
    if ((stat.mode & Vfs::type_mask) == Vfs::type_directory)
        return directory_path(ino, out, size);
    // A file keeps no name: look for it, depth first from the root (readlink of an fd is
    // rare, the tree small). The first name found is the one shown, as Linux shows one.
    struct Level {
        uint32_t dir;
        uint64_t cookie;
    };
    static Level levels[32];
    unsigned depth = 0;
    levels[0] = {vfs_.root(), 0};
    for (;;) {
        Vfs::Dir_entry entry;
        Level &level = levels[depth];
        if (vfs_.read_directory(level.dir, level.cookie, entry) != Errno::none || entry.ino == 0) {
            if (depth == 0)
                return Errno::noent;  // unlinked
            --depth;
            continue;
        }
        level.cookie = entry.next;
        if (is(entry.name, entry.name_length, ".") || is(entry.name, entry.name_length, ".."))
            continue;
        if (entry.ino == ino) {
            if (directory_path(level.dir, out, size) != Errno::none)
                return Errno::noent;
            size_t at = strlen(out);
            if (at > 1)
                out[at++] = '/';
            if (at + entry.name_length + 1 > size)
                return Errno::nametoolong;
            memcpy(out + at, entry.name, entry.name_length);
            out[at + entry.name_length] = '\0';
            return Errno::none;
        }
        if (entry.type == dt_directory && depth + 1 < sizeof levels / sizeof levels[0])
            levels[++depth] = {entry.ino, 0};
    }
}

bool Linux_server::proc_link_target(const Proc_node &node, char *out, size_t size)
{
    Process &process = *node.process;
    switch (node.kind) {
    case Proc_node::Kind::self_link:
        decimal(static_cast<uint64_t>(process.pid), out);
        return true;
    case Proc_node::Kind::exe:
        if (process.exe[0] == '\0' || strlen(process.exe) >= size)
            return false;
        strcpy(out, process.exe);
        return true;
    case Proc_node::Kind::cwd:
        return directory_path(process.cwd, out, size) == Errno::none;
    case Proc_node::Kind::root:
        strcpy(out, "/");
        return true;
    case Proc_node::Kind::fd_link: {
        const Open_file &file = *process.fds[node.fd];
        const char *device = nullptr;
        switch (file.kind) {
        case Open_file::Kind::inode:
            if (inode_path(file.inode, out, size) != Errno::none)
                strcpy(out, "(deleted)");
            return true;
        case Open_file::Kind::pipe_read:
        case Open_file::Kind::pipe_write: {
            size_t n = strlen("pipe:[");
            memcpy(out, "pipe:[", n);
            n += decimal(pipe_ino(*file.pipe), out + n);
            strcpy(out + n, "]");
            return true;
        }
        case Open_file::Kind::console:
            device = "/dev/console";
            break;
        case Open_file::Kind::null:
            device = "/dev/null";
            break;
        case Open_file::Kind::zero:
            device = "/dev/zero";
            break;
        case Open_file::Kind::urandom:
            device = "/dev/urandom";
            break;
        case Open_file::Kind::proc_directory:
            proc_directory_path(file, out);
            return true;
        default:
            return false;
        }
        strcpy(out, device);
        return true;
    }
    default:
        return false;  // a directory
    }
}

void Linux_server::proc_directory_path(const Open_file &file, char *out)
{
    if (file.proc_pid == 0) {
        strcpy(out, "/proc");
        return;
    }
    size_t n = strlen("/proc/");
    memcpy(out, "/proc/", n);
    n += decimal(static_cast<uint64_t>(file.proc_pid), out + n);
    strcpy(out + n, file.proc_fds ? "/fd" : "");
}

uint64_t Linux_server::pipe_ino(const Pipe &pipe) const
{
    return 0x20000 + static_cast<uint64_t>(&pipe - pipes_);
}

bool Linux_server::proc_readlink(Process &caller, uint64_t dirfd, const char *path, uint64_t buffer, uint64_t size,
                                 int64_t &result)
{
    Proc_node node;
    if (!proc_node(caller, dirfd, path, node, result))
        return false;
    if (result < 0)
        return true;
    static char target[Vfs::max_path];
    if (node.kind == Proc_node::Kind::process_directory || node.kind == Proc_node::Kind::fd_directory ||
        node.kind == Proc_node::Kind::proc_root || node.kind == Proc_node::Kind::text) {
        result = error(Errno::inval);  // not a link
        return true;
    }
    if (!proc_link_target(node, target, sizeof target)) {
        result = error(Errno::noent);
        return true;
    }
    size_t n = strlen(target) < size ? strlen(target) : size;
    Process_memory::Error copied = caller.memory.copy_out(buffer, target, n);
    result = copied == Process_memory::Error::none ? static_cast<int64_t>(n)
             : copied == Process_memory::Error::no_memory ? error(Errno::nomem)
                                                          : error(Errno::fault);
    return true;
}

void Linux_server::proc_directory_stat(int pid, bool fds, Vfs::Stat &stat)
{
    stat = Vfs::Stat{};
    stat.ino = proc_ino(pid, fds ? 1 : 0);
    stat.mode = Vfs::type_directory | (fds ? 0500 : 0555);
    stat.nlink = 2;
    stat.atime = stat.mtime = stat.ctime = now_ns();
}

// What a followed link of /proc names: its inode (0 for a file that is no inode).
bool Linux_server::proc_followed(const Proc_node &node, uint32_t &ino, Open_file *&file)
{
    Process &process = *node.process;
    ino = 0;
    file = nullptr;
    switch (node.kind) {
    case Proc_node::Kind::exe:
        return process.exe[0] != '\0' && vfs_.resolve(vfs_.root(), process.exe, strlen(process.exe), true, ino) ==
                                             Errno::none;
    case Proc_node::Kind::cwd:
        ino = process.cwd;
        return true;
    case Proc_node::Kind::root:
        ino = vfs_.root();
        return true;
    case Proc_node::Kind::fd_link:
        file = process.fds[node.fd];
        ino = file->kind == Open_file::Kind::inode ? file->inode : 0;
        return true;
    default:
        return false;
    }
}

bool Linux_server::proc_stat(Process &caller, uint64_t dirfd, const char *path, bool follow, Vfs::Stat &stat,
                             int64_t &result)
{
    Proc_node node;
    if (!proc_node(caller, dirfd, path, node, result))
        return false;
    if (result < 0)
        return true;
    if (node.kind == Proc_node::Kind::proc_root) {
        proc_directory_stat(0, false, stat);
        return true;
    }
    if (node.kind == Proc_node::Kind::text) {
        // As Linux shows them: read-only regular files of no size (their text is made when read).
        stat = Vfs::Stat{};
        stat.ino = proc_ino(node.process != nullptr ? node.process->pid : 0, node.entry);
        stat.mode = Vfs::type_regular | (node.text == Proc_node::Text::process_environ ? 0400 : 0444);
        stat.nlink = 1;
        stat.atime = stat.mtime = stat.ctime = now_ns();
        return true;
    }
    bool directory = node.kind == Proc_node::Kind::process_directory || node.kind == Proc_node::Kind::fd_directory ||
                     (node.kind == Proc_node::Kind::self_link && follow);
    if (directory) {
        proc_directory_stat(node.process->pid, node.kind == Proc_node::Kind::fd_directory, stat);
        return true;
    }
    if (!follow) {
        static char target[Vfs::max_path];
        stat = Vfs::Stat{};
        stat.ino = proc_ino(node.kind == Proc_node::Kind::self_link ? 0 : node.process->pid, node.entry);
        // Linux: the process's links are lrwxrwxrwx, the descriptors' lrwx------.
        stat.mode = Vfs::type_symlink | (node.kind == Proc_node::Kind::fd_link ? 0700 : 0777);
        stat.nlink = 1;
        stat.size = proc_link_target(node, target, sizeof target) ? strlen(target) : 0;
        stat.atime = stat.mtime = stat.ctime = now_ns();
        return true;
    }
    uint32_t ino;
    Open_file *file;
    if (!proc_followed(node, ino, file)) {
        result = error(Errno::noent);
        return true;
    }
    result = stat_of(caller, file, ino, stat);
    return true;
}

bool Linux_server::proc_open(Process &caller, uint64_t dirfd, const char *path, uint64_t flags, int64_t &result)
{
    Proc_node node;
    if (!proc_node(caller, dirfd, path, node, result))
        return false;
    if (result < 0)
        return true;
    if (node.kind == Proc_node::Kind::text) {
        result = proc_open_text(caller, node, flags);
        return true;
    }
    bool link = node.kind != Proc_node::Kind::process_directory && node.kind != Proc_node::Kind::fd_directory &&
                node.kind != Proc_node::Kind::proc_root;
    if (link && (flags & o_nofollow) != 0) {
        result = error(Errno::loop);
        return true;
    }
    if (!link || node.kind == Proc_node::Kind::self_link) {
        if ((flags & o_accmode) != 0) {
            result = error(Errno::isdir);
            return true;
        }
        Open_file *file = new_file(Open_file::Kind::proc_directory, 0);
        if (file == nullptr) {
            result = error(Errno::nfile);
            return true;
        }
        file->proc_pid = node.process != nullptr ? node.process->pid : 0;
        file->proc_fds = node.kind == Proc_node::Kind::fd_directory;
        int installed = install(caller, file, 0, (flags & o_cloexec) != 0);
        if (installed < 0)
            drop_file(file);
        result = installed;
        return true;
    }
    uint32_t ino;
    Open_file *target;
    if (!proc_followed(node, ino, target)) {
        result = error(Errno::noent);
        return true;
    }
    if (ino != 0) {  // a file of the Vfs: opened anew, as Linux reopens it
        int64_t fd = -1;
        result = open_inode(caller, ino, flags, fd);
        if (result == 0)
            result = fd;
        return true;
    }
    // A pipe or device: a new description of the same thing, with the access asked for.
    Open_file::Kind kind = target->kind;
    if (kind == Open_file::Kind::pipe_read || kind == Open_file::Kind::pipe_write)
        kind = (flags & o_accmode) == 1 ? Open_file::Kind::pipe_write : Open_file::Kind::pipe_read;
    if (kind == Open_file::Kind::inet_socket || kind == Open_file::Kind::unix_socket) {
        result = error(Errno::nxio);  // a socket is not opened again by name, as in Linux
        return true;
    }
    if (kind == Open_file::Kind::proc_directory && (flags & o_accmode) != 0) {
        result = error(Errno::isdir);
        return true;
    }
    if (kind != Open_file::Kind::proc_directory && (flags & o_directory) != 0) {
        result = error(Errno::notdir);  // a pipe or device is no directory
        return true;
    }
    Open_file *file = new_file(kind, static_cast<uint32_t>(flags & (o_accmode | o_append | o_nonblock)));
    if (file == nullptr) {
        result = error(Errno::nfile);
        return true;
    }
    file->pipe = target->pipe;
    file->stream = target->stream;
    file->proc_pid = target->proc_pid;
    file->proc_fds = target->proc_fds;
    if (kind == Open_file::Kind::pipe_read)
        file->pipe->readers += 1;
    else if (kind == Open_file::Kind::pipe_write)
        file->pipe->writers += 1;
    int installed = install(caller, file, 0, (flags & o_cloexec) != 0);
    if (installed < 0)
        drop_file(file);
    result = installed;
    return true;
}

int64_t Linux_server::proc_open_text(Process &caller, const Proc_node &node, uint64_t flags)
{
    if ((flags & o_accmode) != 0)
        return error(Errno::acces);
    if ((flags & o_directory) != 0)
        return error(Errno::notdir);
    if (node.text == Proc_node::Text::process_environ && node.process != &caller)
        return error(Errno::acces);  // another's environment: Linux asks for ptrace rights
    // The text as it is now, in a file of no name that goes with the last descriptor: reads,
    // lseek and mmap then work as on any file, and a reader sees one consistent snapshot.
    static char text[16384];
    size_t length = proc_text(caller, node, text, sizeof text);
    uint32_t ino;
    if (Errno made = vfs_.make_detached(0444, now_ns(), ino); made != Errno::none)
        return error(made);
    size_t done = 0;
    Errno written = vfs_.write(ino, 0, text, length, now_ns(), done);
    int64_t fd = -1;
    int64_t opened = written == Errno::none ? open_inode(caller, ino, flags, fd) : error(written);
    vfs_.drop(ino);  // the descriptor holds it now, if it opened
    return opened < 0 ? opened : fd;
}

int64_t Linux_server::proc_getdents(Process &caller, Open_file &file, uint64_t buffer, uint64_t size)
{
    Process *process = nullptr;
    bool root = file.proc_pid == 0;
    for (Process *candidate : processes_)
        if (candidate != nullptr && candidate->state != Process::State::free && candidate->pid == file.proc_pid)
            process = candidate;
    if (process == nullptr && !root)
        return error(Errno::noent);  // the process ended
    // Cookies: 0 ".", 1 "..", then 2 + the entry's index (a descriptor's number in fd; in
    // /proc, its own entries and then a process's slot).
    constexpr unsigned system_count = sizeof system_entries / sizeof system_entries[0];
    constexpr unsigned process_count = sizeof process_entries / sizeof process_entries[0];
    unsigned entries = root ? system_count + max_processes : file.proc_fds ? Process::max_fds : process_count;
    uint64_t used = 0;
    for (uint64_t cookie = file.offset; cookie < 2 + entries; ++cookie) {
        char name[16];
        uint8_t type = dt_link;
        uint64_t ino;
        uint64_t index = cookie - 2;
        if (cookie < 2) {
            strcpy(name, cookie == 0 ? "." : "..");
            type = dt_directory;
            ino = cookie == 0 ? proc_ino(file.proc_pid, file.proc_fds ? 1 : 0) : proc_ino(root ? 0 : file.proc_pid, 0);
        } else if (root && index < system_count) {
            strcpy(name, system_entries[index].name);
            type = system_entries[index].kind == Proc_node::Kind::text ? dt_regular : dt_link;
            ino = proc_ino(0, system_entries[index].entry);
        } else if (root) {
            const Process *listed = processes_[index - system_count];
            if (listed == nullptr || listed->state == Process::State::free)
                continue;
            decimal(static_cast<uint64_t>(listed->pid), name);
            type = dt_directory;
            ino = proc_ino(listed->pid, 0);
        } else if (file.proc_fds) {
            if (process->fds[index] == nullptr)
                continue;
            decimal(index, name);
            ino = proc_ino(file.proc_pid, 8 + static_cast<unsigned>(index));
        } else {
            const Proc_entry &entry = process_entries[index];
            strcpy(name, entry.name);
            type = entry.kind == Proc_node::Kind::fd_directory ? dt_directory
                   : entry.kind == Proc_node::Kind::text       ? dt_regular
                                                               : dt_link;
            ino = proc_ino(file.proc_pid, entry.entry);
        }
        size_t name_length = strlen(name);
        size_t record = (19 + name_length + 1 + 7) & ~size_t{7};
        if (used + record > size)
            return used > 0 ? static_cast<int64_t>(used) : error(Errno::inval);
        uint8_t bytes[19 + 16 + 8] = {};
        uint64_t next = cookie + 1;
        uint16_t length = static_cast<uint16_t>(record);
        memcpy(bytes, &ino, 8);
        memcpy(bytes + 8, &next, 8);
        memcpy(bytes + 16, &length, 2);
        bytes[18] = type;
        memcpy(bytes + 19, name, name_length);
        Process_memory::Error copied = caller.memory.copy_out(buffer + used, bytes, record);
        if (copied != Process_memory::Error::none)
            return used > 0 ? static_cast<int64_t>(used) : error(Errno::fault);
        used += record;
        file.offset = next;
    }
    return static_cast<int64_t>(used);
}
