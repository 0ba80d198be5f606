// SPDX-License-Identifier: MIT
// The file-system calls: paths resolve in the personality's Vfs from the process's current
// directory or a directory descriptor; open files are Open_file descriptions of an inode,
// a device (null, zero, urandom, the console) or a pipe. uid 0 everywhere: permissions
// are stored, not yet enforced (docs/linux.md).
#include <l4/kip.h>
#include <stdio.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"
#include "task.hpp"

using namespace linux_abi;

namespace {

// The last '/' of path, or nullptr.
char *last_slash(char *path)
{
    char *slash = nullptr;
    for (char *c = path; *c != '\0'; ++c)
        if (*c == '/')
            slash = c;
    return slash;
}

constexpr int64_t at_fdcwd = -100;
constexpr uint64_t at_symlink_nofollow = 0x100, at_removedir = 0x200, at_symlink_follow = 0x400,
                   at_empty_path = 0x1000;
constexpr uint64_t o_accmode = 3, o_creat = 0100, o_excl = 0200, o_noctty = 0400, o_trunc = 01000,
                   o_append = 02000, o_nonblock = 04000, o_directory = 0200000, o_nofollow = 0400000,
                   o_cloexec = 02000000, o_largefile = 0100000, o_path = 010000000;

int64_t result_of(Errno e) { return e == Errno::none ? 0 : error(e); }

// Linux's struct stat on x86-64.
struct Linux_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    uint64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    int64_t reserved[3];
};
static_assert(sizeof(Linux_stat) == 144);

Linux_stat to_linux(const Vfs::Stat &stat)
{
    Linux_stat out = {};
    out.dev = 0x800;  // one file system
    out.ino = stat.ino;
    out.nlink = stat.nlink;
    out.mode = stat.mode;
    out.uid = stat.uid;
    out.gid = stat.gid;
    out.rdev = stat.rdev;
    out.size = static_cast<int64_t>(stat.size);
    out.blksize = 4096;
    out.blocks = static_cast<int64_t>(stat.blocks);
    out.atime = stat.atime / 1000000000;
    out.atime_ns = stat.atime % 1000000000;
    out.mtime = stat.mtime / 1000000000;
    out.mtime_ns = stat.mtime % 1000000000;
    out.ctime = stat.ctime / 1000000000;
    out.ctime_ns = stat.ctime % 1000000000;
    return out;
}

}  // namespace

uint64_t Linux_server::now_ns() const
{
    return epoch_seconds_ * 1000000000 + L4_SystemClock().raw * 1000;
}

int64_t Linux_server::path_in(Process &process, uint64_t address, char *buffer)
{
    for (size_t i = 0; i < Vfs::max_path; ++i) {
        Process_memory::Error copied = process.memory.copy_in(buffer + i, address + i, 1);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        if (buffer[i] == '\0')
            return static_cast<int64_t>(i);
    }
    return error(Errno::nametoolong);
}

// The path at path_address, copied into path, and the directory it starts from (dirfd, as
// start_of): its length, or the error of whichever fails first (the path's, then dirfd's).
int64_t Linux_server::path_at(Process &process, uint64_t dirfd, uint64_t path_address, char *path, uint32_t &start)
{
    int64_t length = path_in(process, path_address, path);
    if (length < 0)
        return length;
    if (int64_t r = start_of(process, dirfd, start); r < 0)
        return r;
    return length;
}

int64_t Linux_server::start_of(Process &process, uint64_t dirfd, uint32_t &start)
{
    if (static_cast<int32_t>(dirfd) == at_fdcwd) {
        start = process.cwd;
        return 0;
    }
    Open_file *file = file_of(process, dirfd);
    if (file == nullptr)
        return error(Errno::badf);
    if (file->kind != Open_file::Kind::inode)
        return error(Errno::notdir);
    Vfs::Stat stat;
    if (vfs_.stat(file->inode, stat) != Errno::none || (stat.mode & Vfs::type_mask) != Vfs::type_directory)
        return error(Errno::notdir);
    start = file->inode;
    return 0;
}

// A new descriptor for ino, opened with flags: the device files become their kinds.
int64_t Linux_server::open_inode(Process &process, uint32_t ino, uint64_t flags, int64_t &fd)
{
    Vfs::Stat stat;
    Errno got = vfs_.stat(ino, stat);
    if (got != Errno::none)
        return error(got);
    uint32_t type = stat.mode & Vfs::type_mask;
    if ((flags & o_directory) != 0 && type != Vfs::type_directory)
        return error(Errno::notdir);
    if (type == Vfs::type_directory && (flags & o_accmode) != 0)
        return error(Errno::isdir);
    if (type == Vfs::type_symlink)
        return error(Errno::loop);  // O_NOFOLLOW met a link (O_PATH is not supported)
    Open_file::Kind kind = Open_file::Kind::inode;
    if (type == Vfs::type_char_device) {
        uint32_t major = static_cast<uint32_t>((stat.rdev >> 8) & 0xfff), minor = static_cast<uint32_t>(stat.rdev & 0xff);
        if (major == 1 && minor == 3)
            kind = Open_file::Kind::null;
        else if (major == 1 && minor == 5)
            kind = Open_file::Kind::zero;
        else if (major == 1 && (minor == 8 || minor == 9))
            kind = Open_file::Kind::urandom;
        else if (major == 5 && minor == 1)
            kind = Open_file::Kind::console;
        else if (major == 5 && minor == 0 && controls_terminal(process))
            kind = Open_file::Kind::console;  // /dev/tty: the controlling terminal
        else
            return error(Errno::nxio);  // /dev/tty without a controlling terminal, other devices
    } else if (type != Vfs::type_regular && type != Vfs::type_directory) {
        return error(Errno::nxio);  // fifos and sockets in the file system: not yet
    }
    if (kind == Open_file::Kind::inode && (flags & o_trunc) != 0 && (flags & o_accmode) != 0 &&
        type == Vfs::type_regular) {
        Errno truncated = vfs_.truncate(ino, 0, now_ns());
        if (truncated != Errno::none)
            return error(truncated);
    }
    Open_file *file = new_file(kind, static_cast<uint32_t>(flags & (o_accmode | o_append | o_nonblock)));
    if (file == nullptr)
        return error(Errno::nfile);
    if (kind == Open_file::Kind::inode) {
        if (vfs_.hold(ino) != Errno::none) {
            file->references = 0;
            return error(Errno::noent);
        }
        file->inode = ino;
    }
    int installed = install(process, file, 0, (flags & o_cloexec) != 0);
    if (installed < 0) {
        drop_file(file);
        return installed;
    }
    fd = installed;
    return 0;
}

int64_t Linux_server::sys_openat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t flags,
                                 uint64_t mode)
{
    flags &= 0xffffffff;
    if ((flags & o_path) != 0 || (flags & o_accmode) == 3)
        return error(Errno::inval);
    static char path[Vfs::max_path];
    int64_t length = path_in(process, path_address, path);
    if (length < 0)
        return length;
    if (int64_t opened; proc_open(process, dirfd, path, flags, opened))
        return opened;
    uint32_t start;
    int64_t checked = start_of(process, dirfd, start);
    if (checked < 0)
        return checked;
    uint32_t ino = 0;
    if ((flags & o_creat) != 0) {
        bool created = false;
        Errno made = vfs_.create(start, path, static_cast<size_t>(length),
                                 static_cast<uint32_t>(mode) & 07777 & ~process.umask, (flags & o_excl) != 0, 0, 0,
                                 now_ns(), ino, created);
        if (made != Errno::none)
            return error(made);
    } else {
        Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), (flags & o_nofollow) == 0, ino);
        if (found != Errno::none)
            return error(found);
    }
    int64_t fd = -1;
    int64_t opened = open_inode(process, ino, flags, fd);
    return opened < 0 ? opened : fd;
}

int64_t Linux_server::inode_read(Process &process, Open_file &file, uint64_t buffer, uint64_t count,
                                 uint64_t *offset)
{
    uint64_t &at = offset != nullptr ? *offset : file.offset;
    static uint8_t chunk[4096];
    uint64_t done = 0;
    while (done < count) {
        size_t want = count - done < sizeof chunk ? count - done : sizeof chunk, got = 0;
        Errno read = vfs_.read(file.inode, at, chunk, want, got);
        if (read != Errno::none)
            return done > 0 ? static_cast<int64_t>(done) : error(read);
        if (got == 0)
            break;
        Process_memory::Error copied = process.memory.copy_out(buffer + done, chunk, got);
        if (copied != Process_memory::Error::none)
            return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
        at += got;
        done += got;
        if (got < want)
            break;
    }
    return static_cast<int64_t>(done);
}

int64_t Linux_server::inode_write(Process &process, Open_file &file, uint64_t buffer, uint64_t count,
                                  uint64_t *offset)
{
    uint64_t &at = offset != nullptr ? *offset : file.offset;
    if (offset == nullptr && (file.flags & o_append) != 0) {
        Vfs::Stat stat;
        if (vfs_.stat(file.inode, stat) == Errno::none)
            at = stat.size;
    }
    static uint8_t chunk[4096];
    uint64_t done = 0;
    while (done < count) {
        size_t want = count - done < sizeof chunk ? count - done : sizeof chunk, put = 0;
        Process_memory::Error copied = process.memory.copy_in(chunk, buffer + done, want);
        if (copied != Process_memory::Error::none)
            return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
        Errno written = vfs_.write(file.inode, at, chunk, want, now_ns(), put);
        at += put;
        done += put;
        if (written != Errno::none)
            return done > 0 ? static_cast<int64_t>(done) : error(written);
        if (put < want)
            break;
    }
    return static_cast<int64_t>(done);
}

int64_t Linux_server::sys_lseek(Process &process, uint64_t fd, int64_t offset, uint64_t whence)
{
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    if (file->kind == Open_file::Kind::pipe_read || file->kind == Open_file::Kind::pipe_write ||
        file->kind == Open_file::Kind::unix_socket)
        return error(Errno::spipe);
    if (file->kind == Open_file::Kind::proc_directory) {
        if (whence != 0 /* SEEK_SET */ || offset < 0)
            return error(Errno::inval);
        file->offset = static_cast<uint64_t>(offset);  // a place among its entries (rewinddir: 0)
        return offset;
    }
    if (file->kind != Open_file::Kind::inode)
        return 0;  // the devices: Linux allows and ignores it
    Vfs::Stat stat;
    if (vfs_.stat(file->inode, stat) != Errno::none)
        return error(Errno::badf);
    int64_t base;
    switch (whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<int64_t>(file->offset); break;
    case 2: base = static_cast<int64_t>(stat.size); break;
    default: return error(Errno::inval);
    }
    if ((stat.mode & Vfs::type_mask) == Vfs::type_directory && !(whence == 0 && offset == 0))
        return error(Errno::inval);  // a directory is read from its start only (getdents' cookies)
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
        return error(Errno::inval);
    file->offset = static_cast<uint64_t>(base + offset);
    return base + offset;
}

int64_t Linux_server::sys_pread_pwrite(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count,
                                       int64_t offset, bool write)
{
    Process &process = *thread.process;
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    if (offset < 0)
        return error(Errno::inval);
    if (file->kind == Open_file::Kind::pipe_read || file->kind == Open_file::Kind::pipe_write ||
        file->kind == Open_file::Kind::unix_socket)
        return error(Errno::spipe);
    if (file->kind != Open_file::Kind::inode)
        return write ? sys_write(thread, fd, buffer, count) : sys_read(thread, fd, buffer, count);
    if ((file->flags & o_accmode) == (write ? 0u : 1u))
        return error(Errno::badf);
    uint64_t at = static_cast<uint64_t>(offset);
    return write ? inode_write(process, *file, buffer, count, &at) : inode_read(process, *file, buffer, count, &at);
}

// What stat says of a descriptor that is no inode: a device or a pipe.
int64_t Linux_server::stat_of(Process &process, Open_file *file, uint32_t ino, Vfs::Stat &stat)
{
    (void)process;
    if (file == nullptr || file->kind == Open_file::Kind::inode) {
        Errno got = vfs_.stat(file != nullptr ? file->inode : ino, stat);
        return result_of(got);
    }
    stat = Vfs::Stat{};
    stat.ino = 0x10000 + static_cast<uint64_t>(file - files_);
    stat.nlink = 1;
    uint64_t now = now_ns();
    stat.atime = stat.mtime = stat.ctime = now;
    switch (file->kind) {
    case Open_file::Kind::pipe_read:
    case Open_file::Kind::pipe_write:
        stat.ino = pipe_ino(*file->pipe);  // both ends, as in Linux
        stat.mode = Vfs::type_fifo | 0600;
        break;
    case Open_file::Kind::proc_directory:
        proc_directory_stat(file->proc_pid, file->proc_fds, stat);
        break;
    case Open_file::Kind::inet_socket:
    case Open_file::Kind::unix_socket:
        stat.mode = Vfs::type_socket | 0777;
        break;
    case Open_file::Kind::console:
        stat.mode = Vfs::type_char_device | 0620;
        stat.rdev = Vfs::make_device(5, 1);
        break;
    case Open_file::Kind::null:
        stat.mode = Vfs::type_char_device | 0666;
        stat.rdev = Vfs::make_device(1, 3);
        break;
    case Open_file::Kind::zero:
        stat.mode = Vfs::type_char_device | 0666;
        stat.rdev = Vfs::make_device(1, 5);
        break;
    default:
        stat.mode = Vfs::type_char_device | 0666;
        stat.rdev = Vfs::make_device(1, 9);
        break;
    }
    return 0;
}

int64_t Linux_server::sys_newfstatat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t buffer,
                                     uint64_t flags)
{
    if ((flags & ~(at_symlink_nofollow | at_empty_path | 0x800 /* AT_NO_AUTOMOUNT */)) != 0)
        return error(Errno::inval);
    static char path[Vfs::max_path];
    int64_t length = path_in(process, path_address, path);
    if (length < 0)
        return length;
    Vfs::Stat stat;
    if (length == 0) {
        if ((flags & at_empty_path) == 0)
            return error(Errno::noent);
        if (static_cast<int32_t>(dirfd) == at_fdcwd) {
            if (int64_t r = stat_of(process, nullptr, process.cwd, stat); r < 0)
                return r;
        } else {
            Open_file *file = file_of(process, dirfd);
            if (file == nullptr)
                return error(Errno::badf);
            if (int64_t r = stat_of(process, file, 0, stat); r < 0)
                return r;
        }
    } else if (int64_t r; proc_stat(process, dirfd, path, (flags & at_symlink_nofollow) == 0, stat, r)) {
        if (r < 0)
            return r;
    } else {
        uint32_t start, ino;
        if (r = start_of(process, dirfd, start); r < 0)
            return r;
        Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), (flags & at_symlink_nofollow) == 0, ino);
        if (found != Errno::none)
            return error(found);
        if (r = stat_of(process, nullptr, ino, stat); r < 0)
            return r;
    }
    Linux_stat out = to_linux(stat);
    Process_memory::Error copied = process.memory.copy_out(buffer, &out, sizeof out);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::sys_fstat(Process &process, uint64_t fd, uint64_t buffer)
{
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    Vfs::Stat stat;
    if (int64_t r = stat_of(process, file, 0, stat); r < 0)
        return r;
    Linux_stat out = to_linux(stat);
    Process_memory::Error copied = process.memory.copy_out(buffer, &out, sizeof out);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::sys_statx(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t flags,
                                uint64_t mask, uint64_t buffer)
{
    (void)mask;
    static char path[Vfs::max_path];
    int64_t length = path_in(process, path_address, path);
    if (length < 0)
        return length;
    Vfs::Stat stat;
    if (length == 0 && (flags & at_empty_path) != 0) {
        Open_file *file = static_cast<int32_t>(dirfd) == at_fdcwd ? nullptr : file_of(process, dirfd);
        if (static_cast<int32_t>(dirfd) != at_fdcwd && file == nullptr)
            return error(Errno::badf);
        if (int64_t r = stat_of(process, file, process.cwd, stat); r < 0)
            return r;
    } else if (length == 0) {
        return error(Errno::noent);
    } else if (int64_t r; proc_stat(process, dirfd, path, (flags & at_symlink_nofollow) == 0, stat, r)) {
        if (r < 0)
            return r;
    } else {
        uint32_t start, ino;
        if (r = start_of(process, dirfd, start); r < 0)
            return r;
        Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), (flags & at_symlink_nofollow) == 0, ino);
        if (found != Errno::none)
            return error(found);
        if (r = stat_of(process, nullptr, ino, stat); r < 0)
            return r;
    }
    uint8_t out[256] = {};
    auto put32 = [&out](size_t at, uint32_t value) { memcpy(out + at, &value, 4); };
    auto put64 = [&out](size_t at, uint64_t value) { memcpy(out + at, &value, 8); };
    put32(0, 0x7ff);  // STATX_BASIC_STATS: what is filled in
    put32(4, 4096);
    put32(16, stat.nlink);
    put32(20, stat.uid);
    put32(24, stat.gid);
    uint16_t mode16 = static_cast<uint16_t>(stat.mode);
    memcpy(out + 28, &mode16, 2);
    put64(32, stat.ino);
    put64(40, stat.size);
    put64(48, stat.blocks);
    const uint64_t times[4] = {stat.atime, stat.ctime /* btime: not kept */, stat.ctime, stat.mtime};
    for (unsigned i = 0; i < 4; ++i) {
        put64(64 + 16 * i, times[i] / 1000000000);
        put32(72 + 16 * i, static_cast<uint32_t>(times[i] % 1000000000));
    }
    put32(128, static_cast<uint32_t>((stat.rdev >> 8) & 0xfff));
    put32(132, static_cast<uint32_t>(stat.rdev & 0xff));
    put32(136, 8);  // the device: 8:0
    Process_memory::Error copied = process.memory.copy_out(buffer, out, sizeof out);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::sys_getdents64(Process &process, uint64_t fd, uint64_t buffer, uint64_t size)
{
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    if (file->kind == Open_file::Kind::proc_directory)
        return proc_getdents(process, *file, buffer, size);
    if (file->kind != Open_file::Kind::inode)
        return error(Errno::notdir);
    uint64_t used = 0;
    for (;;) {
        Vfs::Dir_entry entry;
        Errno read = vfs_.read_directory(file->inode, file->offset, entry);
        if (read != Errno::none)
            return used > 0 ? static_cast<int64_t>(used) : error(read);
        if (entry.ino == 0)
            break;
        size_t record = (19 + entry.name_length + 1 + 7) & ~size_t{7};
        if (used + record > size) {
            if (used == 0)
                return error(Errno::inval);
            break;
        }
        uint8_t bytes[19 + 256 + 8] = {};
        uint64_t ino = entry.ino, next = entry.next;
        uint16_t length = static_cast<uint16_t>(record);
        memcpy(bytes, &ino, 8);
        memcpy(bytes + 8, &next, 8);
        memcpy(bytes + 16, &length, 2);
        bytes[18] = entry.type;
        memcpy(bytes + 19, entry.name, entry.name_length);
        Process_memory::Error copied = process.memory.copy_out(buffer + used, bytes, record);
        if (copied != Process_memory::Error::none)
            return used > 0 ? static_cast<int64_t>(used) : memory_error(copied);
        used += record;
        file->offset = entry.next;
    }
    return static_cast<int64_t>(used);
}

int64_t Linux_server::sys_mkdirat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t mode)
{
    static char path[Vfs::max_path];
    uint32_t start;
    int64_t length = path_at(process, dirfd, path_address, path, start);
    if (length < 0)
        return length;
    return result_of(vfs_.mkdir(start, path, static_cast<size_t>(length),
                                static_cast<uint32_t>(mode) & 07777 & ~process.umask, 0, 0, now_ns()));
}

int64_t Linux_server::sys_mknodat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t mode,
                                  uint64_t device)
{
    static char path[Vfs::max_path];
    uint32_t start;
    int64_t length = path_at(process, dirfd, path_address, path, start);
    if (length < 0)
        return length;
    uint32_t final_mode = (static_cast<uint32_t>(mode) & Vfs::type_mask) | (static_cast<uint32_t>(mode) & 07777 & ~process.umask);
    return result_of(vfs_.mknod(start, path, static_cast<size_t>(length), final_mode, device, 0, 0, now_ns()));
}

int64_t Linux_server::sys_unlinkat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t flags)
{
    if ((flags & ~at_removedir) != 0)
        return error(Errno::inval);
    static char path[Vfs::max_path];
    uint32_t start;
    int64_t length = path_at(process, dirfd, path_address, path, start);
    if (length < 0)
        return length;
    Errno removed = (flags & at_removedir) != 0 ? vfs_.rmdir(start, path, static_cast<size_t>(length), now_ns())
                                                : vfs_.unlink(start, path, static_cast<size_t>(length), now_ns());
    return result_of(removed);
}

int64_t Linux_server::sys_renameat(Process &process, uint64_t old_dirfd, uint64_t old_address, uint64_t new_dirfd,
                                   uint64_t new_address, uint64_t flags)
{
    if (flags != 0)
        return error(Errno::inval);  // RENAME_NOREPLACE and the others: not yet
    static char old_path[Vfs::max_path], new_path[Vfs::max_path];
    int64_t old_length = path_in(process, old_address, old_path);
    if (old_length < 0)
        return old_length;
    int64_t new_length = path_in(process, new_address, new_path);
    if (new_length < 0)
        return new_length;
    uint32_t old_start, new_start;
    if (int64_t r = start_of(process, old_dirfd, old_start); r < 0)
        return r;
    if (int64_t r = start_of(process, new_dirfd, new_start); r < 0)
        return r;
    return result_of(vfs_.rename(old_start, old_path, static_cast<size_t>(old_length), new_start, new_path,
                                 static_cast<size_t>(new_length), now_ns()));
}

int64_t Linux_server::sys_linkat(Process &process, uint64_t old_dirfd, uint64_t old_address, uint64_t new_dirfd,
                                 uint64_t new_address, uint64_t flags)
{
    if ((flags & ~(at_symlink_follow | at_empty_path)) != 0)
        return error(Errno::inval);
    static char old_path[Vfs::max_path], new_path[Vfs::max_path];
    int64_t old_length = path_in(process, old_address, old_path);
    if (old_length < 0)
        return old_length;
    int64_t new_length = path_in(process, new_address, new_path);
    if (new_length < 0)
        return new_length;
    uint32_t old_start, new_start, ino;
    if (int64_t r = start_of(process, old_dirfd, old_start); r < 0)
        return r;
    if (int64_t r = start_of(process, new_dirfd, new_start); r < 0)
        return r;
    Errno found = vfs_.resolve(old_start, old_path, static_cast<size_t>(old_length), (flags & at_symlink_follow) != 0, ino);
    if (found != Errno::none)
        return error(found);
    return result_of(vfs_.link(ino, new_start, new_path, static_cast<size_t>(new_length), now_ns()));
}

int64_t Linux_server::sys_symlinkat(Process &process, uint64_t target_address, uint64_t dirfd, uint64_t path_address)
{
    static char target[Vfs::max_path], path[Vfs::max_path];
    int64_t target_length = path_in(process, target_address, target);
    if (target_length < 0)
        return target_length;
    if (target_length == 0)
        return error(Errno::noent);
    uint32_t start;
    int64_t length = path_at(process, dirfd, path_address, path, start);
    if (length < 0)
        return length;
    return result_of(vfs_.symlink(target, static_cast<size_t>(target_length), start, path,
                                  static_cast<size_t>(length), 0, 0, now_ns()));
}

int64_t Linux_server::sys_readlinkat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t buffer,
                                     uint64_t size)
{
    if (static_cast<int64_t>(size) <= 0)
        return error(Errno::inval);
    static char path[Vfs::max_path];
    int64_t length = path_in(process, path_address, path);
    if (length < 0)
        return length;
    if (int64_t result; proc_readlink(process, dirfd, path, buffer, size, result))
        return result;
    uint32_t start, ino;
    if (int64_t r = start_of(process, dirfd, start); r < 0)
        return r;
    Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), false, ino);
    if (found != Errno::none)
        return error(found);
    static char target[Vfs::max_path];
    size_t got = 0;
    Errno read = vfs_.readlink(ino, target, size < sizeof target ? size : sizeof target, got);
    if (read != Errno::none)
        return error(read);
    Process_memory::Error copied = process.memory.copy_out(buffer, target, got);
    return copied == Process_memory::Error::none ? static_cast<int64_t>(got) : memory_error(copied);
}

// The inode whose attributes fchmodat, fchownat and utimensat change: dirfd's own when
// path_address is 0 (fchmod, fchown, futimens), else the path from dirfd. 0 with ino set, an
// error, or not_an_inode for a descriptor of a device or pipe (whose change is a no-op).
int64_t Linux_server::attribute_target(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t flags,
                                       uint32_t &ino)
{
    if (path_address == 0) {
        Open_file *file = file_of(process, dirfd);
        if (file == nullptr)
            return error(Errno::badf);
        if (file->kind != Open_file::Kind::inode)
            return not_an_inode;
        ino = file->inode;
        return 0;
    }
    static char path[Vfs::max_path];
    uint32_t start;
    int64_t length = path_at(process, dirfd, path_address, path, start);
    if (length < 0)
        return length;
    Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), (flags & at_symlink_nofollow) == 0, ino);
    return found == Errno::none ? 0 : error(found);
}

int64_t Linux_server::sys_fchmodat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t mode,
                                   uint64_t flags)
{
    uint32_t ino;
    if (int64_t named = attribute_target(process, dirfd, path_address, flags, ino); named != 0)
        return named == not_an_inode ? 0 : named;
    return result_of(vfs_.chmod(ino, static_cast<uint32_t>(mode) & 07777, now_ns()));
}

int64_t Linux_server::sys_fchownat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t uid,
                                   uint64_t gid, uint64_t flags)
{
    uint32_t ino;
    if (int64_t named = attribute_target(process, dirfd, path_address, flags, ino); named != 0)
        return named == not_an_inode ? 0 : named;
    return result_of(vfs_.chown(ino, static_cast<uint32_t>(uid), static_cast<uint32_t>(gid), now_ns()));
}

int64_t Linux_server::sys_utimensat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t times,
                                    uint64_t flags)
{
    constexpr uint64_t utime_now = (1u << 30) - 1, utime_omit = (1u << 30) - 2;
    uint32_t ino;
    if (int64_t named = attribute_target(process, dirfd, path_address, flags, ino); named != 0)
        return named == not_an_inode ? 0 : named;
    uint64_t stamp[2] = {Vfs::time_now, Vfs::time_now};
    if (times != 0) {
        uint64_t spec[4];
        Process_memory::Error copied = process.memory.copy_in(spec, times, sizeof spec);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        for (unsigned i = 0; i < 2; ++i) {
            uint64_t seconds = spec[2 * i], nanoseconds = spec[2 * i + 1];
            if (nanoseconds == utime_now)
                stamp[i] = Vfs::time_now;
            else if (nanoseconds == utime_omit)
                stamp[i] = Vfs::time_omit;
            else if (nanoseconds >= 1000000000 || seconds > (uint64_t{1} << 34))
                return error(Errno::inval);
            else
                stamp[i] = seconds * 1000000000 + nanoseconds;
        }
    }
    return result_of(vfs_.set_times(ino, stamp[0], stamp[1], now_ns()));
}

int64_t Linux_server::sys_truncate(Process &process, uint64_t path_address, uint64_t fd, int64_t length_wanted)
{
    if (length_wanted < 0)
        return error(Errno::inval);
    uint32_t ino;
    if (path_address == 0) {
        Open_file *file = file_of(process, fd);
        if (file == nullptr || file->kind != Open_file::Kind::inode || (file->flags & o_accmode) == 0)
            return file == nullptr ? error(Errno::badf) : error(Errno::inval);
        ino = file->inode;
    } else {
        static char path[Vfs::max_path];
        int64_t length = path_in(process, path_address, path);
        if (length < 0)
            return length;
        Errno found = vfs_.resolve(process.cwd, path, static_cast<size_t>(length), true, ino);
        if (found != Errno::none)
            return error(found);
    }
    return result_of(vfs_.truncate(ino, static_cast<uint64_t>(length_wanted), now_ns()));
}

// getcwd walks up from the current directory, naming each step in its parent.
Errno Linux_server::directory_path(uint32_t dir, char *path, size_t size) const
{
    // Built from the end, each directory's name in its parent, up to the root.
    static char reversed[Vfs::max_path];
    size_t at = sizeof reversed - 1;
    reversed[at] = '\0';
    for (uint32_t ino = dir; ino != vfs_.root();) {
        uint32_t parent;
        const char *name;
        size_t length;
        if (vfs_.parent_of(ino, parent) != Errno::none || vfs_.name_in(parent, ino, name, length) != Errno::none)
            return Errno::noent;  // the directory was removed
        if (length + 1 > at)
            return Errno::nametoolong;
        at -= length;
        memcpy(reversed + at, name, length);
        reversed[--at] = '/';
        ino = parent;
    }
    if (at == sizeof reversed - 1)
        reversed[--at] = '/';
    size_t length = sizeof reversed - at;  // with the NUL
    if (length > size)
        return Errno::range;
    memcpy(path, reversed + at, length);
    return Errno::none;
}

int64_t Linux_server::sys_getcwd(Process &process, uint64_t buffer, uint64_t size)
{
    static char path[Vfs::max_path];
    Errno found = directory_path(process.cwd, path, size < sizeof path ? size : sizeof path);
    if (found != Errno::none)
        return error(found);
    size_t length = strlen(path) + 1;
    Process_memory::Error copied = process.memory.copy_out(buffer, path, length);
    return copied == Process_memory::Error::none ? static_cast<int64_t>(length) : memory_error(copied);
}

bool Linux_server::program_path(const Process &process, const char *path, char *out, size_t size)
{
    // The last component's symbolic links followed (the directories on the way are
    // followed by resolve), then the directory's absolute path and the file's name.
    static char current[Vfs::max_path], target[Vfs::max_path];
    strncpy(current, path, sizeof current - 1);
    current[sizeof current - 1] = '\0';
    for (unsigned depth = 0;; ++depth) {
        uint32_t ino;
        Vfs::Stat stat;
        if (depth == 8 || vfs_.resolve(process.cwd, current, strlen(current), false, ino) != Errno::none ||
            vfs_.stat(ino, stat) != Errno::none)
            return false;
        if ((stat.mode & Vfs::type_mask) != Vfs::type_symlink)
            break;
        size_t length = 0;
        if (vfs_.readlink(ino, target, sizeof target - 1, length) != Errno::none)
            return false;
        target[length] = '\0';
        char *slash = last_slash(current);
        size_t keep = target[0] == '/' || slash == nullptr ? 0 : static_cast<size_t>(slash - current) + 1;
        if (keep + length + 1 > sizeof current)
            return false;
        memcpy(current + keep, target, length + 1);
    }
    char *slash = last_slash(current);
    const char *name = slash != nullptr ? slash + 1 : current;
    uint32_t dir = process.cwd;
    if (slash == current) {
        dir = vfs_.root();  // "/name"
    } else if (slash != nullptr) {
        *slash = '\0';
        if (vfs_.resolve(process.cwd, current, strlen(current), true, dir) != Errno::none)
            return false;
    }
    if (directory_path(dir, out, size) != Errno::none)
        return false;
    size_t at = strlen(out);
    if (at > 1)
        out[at++] = '/';
    if (at + strlen(name) + 1 > size)
        return false;
    strcpy(out + at, name);
    return true;
}

int64_t Linux_server::sys_chdir(Process &process, uint64_t path_address, uint64_t fd)
{
    uint32_t ino;
    if (path_address == 0) {
        Open_file *file = file_of(process, fd);
        if (file == nullptr)
            return error(Errno::badf);
        if (file->kind != Open_file::Kind::inode)
            return error(Errno::notdir);
        ino = file->inode;
    } else {
        static char path[Vfs::max_path];
        int64_t length = path_in(process, path_address, path);
        if (length < 0)
            return length;
        if (length == 0)
            return error(Errno::noent);
        Errno found = vfs_.resolve(process.cwd, path, static_cast<size_t>(length), true, ino);
        if (found != Errno::none)
            return error(found);
    }
    Vfs::Stat stat;
    if (vfs_.stat(ino, stat) != Errno::none || (stat.mode & Vfs::type_mask) != Vfs::type_directory)
        return error(Errno::notdir);
    if (vfs_.hold(ino) != Errno::none)
        return error(Errno::noent);
    vfs_.drop(process.cwd);
    process.cwd = ino;
    return 0;
}

int64_t Linux_server::sys_faccessat(Process &process, uint64_t dirfd, uint64_t path_address, uint64_t mode,
                                    uint64_t flags)
{
    if ((mode & ~uint64_t{7}) != 0 || (flags & ~(at_symlink_nofollow | at_empty_path | 0x200 /* AT_EACCESS */)) != 0)
        return error(Errno::inval);
    static char path[Vfs::max_path];
    int64_t length = path_in(process, path_address, path);
    uint32_t start, ino;
    if (length < 0)
        return length;
    Vfs::Stat stat;
    if (int64_t r; proc_stat(process, dirfd, path, (flags & at_symlink_nofollow) == 0, stat, r)) {
        if (r < 0)
            return r;
    } else {
        if (r = start_of(process, dirfd, start); r < 0)
            return r;
        Errno found = vfs_.resolve(start, path, static_cast<size_t>(length), (flags & at_symlink_nofollow) == 0, ino);
        if (found != Errno::none)
            return error(found);
        if (vfs_.stat(ino, stat) != Errno::none)
            return error(Errno::noent);
    }
    // Root may read and write anything; it may execute what has an execute bit, or a directory.
    if ((mode & 1) != 0 && (stat.mode & 0111) == 0 && (stat.mode & Vfs::type_mask) != Vfs::type_directory)
        return error(Errno::acces);
    return 0;
}

int64_t Linux_server::sys_sendfile(Thread &thread, uint64_t out_fd, uint64_t in_fd, uint64_t offset_address,
                                   uint64_t count)
{
    Process &process = *thread.process;
    Open_file *in = file_of(process, in_fd);
    Open_file *out = file_of(process, out_fd);
    if (in == nullptr || out == nullptr)
        return error(Errno::badf);
    if (in->kind != Open_file::Kind::inode)
        return error(Errno::inval);
    uint64_t offset = in->offset;
    if (offset_address != 0 &&
        process.memory.copy_in(&offset, offset_address, sizeof offset) != Process_memory::Error::none)
        return error(Errno::fault);
    if (out->kind == Open_file::Kind::inet_socket) {
        // Straight from the file into the network server's window: one copy, one request.
        int64_t sent = socket_sendfile(thread, *out, in->inode, offset, count);
        if (sent > 0 && offset_address != 0)
            (void)process.memory.copy_out(offset_address, &offset, sizeof offset);
        else if (sent > 0)
            in->offset = offset;
        return sent;
    }
    // Through a buffer in the process's own stack would need one; the server copies itself.
    static uint8_t chunk[4096];
    uint64_t done = 0;
    while (done < count) {
        size_t want = count - done < sizeof chunk ? count - done : sizeof chunk, got = 0;
        if (vfs_.read(in->inode, offset, chunk, want, got) != Errno::none || got == 0)
            break;
        size_t put = got;
        if (out->kind == Open_file::Kind::inode) {
            if (vfs_.write(out->inode, out->offset, chunk, got, now_ns(), put) != Errno::none && put == 0)
                break;
            out->offset += put;
        } else if (out->kind == Open_file::Kind::console) {
            if (host_.is_open())
                host_.write(out->stream, chunk, got);
            else
                terminal_output(reinterpret_cast<const char *>(chunk), got);
        } else if (out->kind == Open_file::Kind::pipe_write) {
            if (out->pipe->readers == 0 || out->pipe->room() == 0)
                break;  // a short transfer; the caller writes the rest itself
            put = out->pipe->put(chunk, got);
            wake_blocked();
        } else if (out->kind != Open_file::Kind::null) {
            return done > 0 ? static_cast<int64_t>(done) : error(Errno::inval);
        }
        offset += put;
        done += put;
        if (put < want)
            break;
    }
    if (offset_address != 0)
        (void)process.memory.copy_out(offset_address, &offset, sizeof offset);
    else
        in->offset = offset;
    return static_cast<int64_t>(done);
}

uint32_t Linux_server::ready_events(Process &process, uint64_t fd, uint32_t events)
{
    constexpr uint32_t pollin = 1, pollout = 4, pollhup = 0x10, pollnval = 0x20, pollerr = 8;
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return pollnval;
    switch (file->kind) {
    case Open_file::Kind::pipe_read: {
        uint32_t ready = file->pipe->used() > 0 ? pollin : 0;
        return (ready & events) | (file->pipe->writers == 0 ? pollhup : 0);
    }
    case Open_file::Kind::pipe_write:
        if (file->pipe->readers == 0)
            return pollerr;
        return file->pipe->room() > 0 ? events & pollout : 0;
    case Open_file::Kind::inet_socket: {
        uint32_t ready = socket_events(*file);  // poll's bits, as the network server reports them
        return ready & (events | pollerr | pollhup);
    }
    case Open_file::Kind::unix_socket:
        return unix_events(*file) & (events | pollhup);
    case Open_file::Kind::console:
        if (console_reader_active_ && !console_input_.readable())
            return events & pollout;  // typed lines not finished yet
        return events & (pollin | pollout);
    default:
        return events & (pollin | pollout);  // files and devices never block
    }
}

int64_t Linux_server::sys_poll(Thread &thread, uint64_t fds, uint64_t count, int64_t timeout_ms)
{
    Process &process = *thread.process;
    if (count > Process::max_fds * 4)
        return error(Errno::inval);
    int64_t ready = 0;
    for (uint64_t i = 0; i < count; ++i) {
        struct {
            int32_t fd;
            uint16_t events, revents;
        } entry;
        Process_memory::Error copied = process.memory.copy_in(&entry, fds + 8 * i, sizeof entry);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        entry.revents = entry.fd < 0 ? 0 : static_cast<uint16_t>(ready_events(process, static_cast<uint32_t>(entry.fd), entry.events));
        if (entry.revents != 0)
            ++ready;
        (void)process.memory.copy_out(fds + 8 * i + 6, &entry.revents, 2);
    }
    if (ready > 0 || timeout_ms == 0)
        return ready;
    uint64_t now = L4_SystemClock().raw;
    if (thread.wake_us == 0 && timeout_ms > 0)
        wake_at(thread, now + static_cast<uint64_t>(timeout_ms) * 1000);
    if (thread.wake_us != 0 && now >= thread.wake_us) {
        thread.wake_us = 0;
        return 0;
    }
    if (thread.wake_us != 0)
        wake_at(thread, thread.wake_us);  // (a deadline kept through a restart)
    thread.waiting = Thread::Wait::poll;
    return blocked;
}

int64_t Linux_server::sys_select(Thread &thread, uint64_t count, uint64_t read_set, uint64_t write_set,
                                 uint64_t except_set, uint64_t timeout, bool pselect)
{
    Process &process = *thread.process;
    if (count > 1024)
        return error(Errno::inval);
    uint64_t sets[3][16] = {}, out[3][16] = {};
    const uint64_t addresses[3] = {read_set, write_set, except_set};
    size_t bytes = (count + 63) / 64 * 8;
    for (unsigned s = 0; s < 3; ++s)
        if (addresses[s] != 0 && process.memory.copy_in(sets[s], addresses[s], bytes) != Process_memory::Error::none)
            return error(Errno::fault);
    int64_t ready = 0;
    for (uint64_t fd = 0; fd < count; ++fd) {
        bool wanted_read = (sets[0][fd / 64] >> (fd % 64) & 1) != 0, wanted_write = (sets[1][fd / 64] >> (fd % 64) & 1) != 0;
        if (!wanted_read && !wanted_write)
            continue;
        uint32_t events = ready_events(process, fd, (wanted_read ? 1u : 0u) | (wanted_write ? 4u : 0u));
        if ((events & 0x20) != 0)
            return error(Errno::badf);
        if (wanted_read && (events & (1 | 0x10 | 8)) != 0) {
            out[0][fd / 64] |= uint64_t{1} << (fd % 64);
            ++ready;
        }
        if (wanted_write && (events & (4 | 8)) != 0) {
            out[1][fd / 64] |= uint64_t{1} << (fd % 64);
            ++ready;
        }
    }
    int64_t timeout_ms = -1;
    if (timeout != 0) {
        uint64_t spec[2];
        if (process.memory.copy_in(spec, timeout, sizeof spec) != Process_memory::Error::none)
            return error(Errno::fault);
        timeout_ms = static_cast<int64_t>(spec[0] * 1000 + spec[1] / (pselect ? 1000000 : 1000));
    }
    if (ready == 0 && timeout_ms != 0) {
        uint64_t now = L4_SystemClock().raw;
        if (thread.wake_us == 0 && timeout_ms > 0)
            wake_at(thread, now + static_cast<uint64_t>(timeout_ms) * 1000);
        if (thread.wake_us == 0 || now < thread.wake_us) {
            if (thread.wake_us != 0)
                wake_at(thread, thread.wake_us);  // (a deadline kept through a restart)
            thread.waiting = Thread::Wait::poll;
            return blocked;
        }
    }
    thread.wake_us = 0;
    for (unsigned s = 0; s < 3; ++s)
        if (addresses[s] != 0)
            (void)process.memory.copy_out(addresses[s], out[s], bytes);
    return ready;
}

int64_t Linux_server::sys_nanosleep(Thread &thread, uint64_t clock, uint64_t flags, uint64_t request)
{
    Process &process = *thread.process;
    constexpr uint64_t timer_abstime = 1, longest_us = uint64_t{1} << 62;  // (about 146,000 years)
    uint64_t now = L4_SystemClock().raw;
    if (thread.wake_us == 0) {
        if (clock != 0 /* REALTIME */ && clock != 1 /* MONOTONIC */ && clock != 7 /* BOOTTIME */)
            return error(Errno::inval);
        uint64_t spec[2];
        Process_memory::Error copied = process.memory.copy_in(spec, request, sizeof spec);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        if (spec[1] >= 1000000000 || static_cast<int64_t>(spec[0]) < 0)
            return error(Errno::inval);
        uint64_t us = spec[0] >= longest_us / 1000000 ? longest_us : spec[0] * 1000000 + spec[1] / 1000;
        if ((flags & timer_abstime) != 0) {
            // A time on the clock named: the system clock counts from boot, CLOCK_REALTIME
            // from the epoch the server was given.
            uint64_t since_epoch = clock == 0 ? epoch_seconds_ * 1000000 : 0;
            us = us > since_epoch + now ? us - since_epoch - now : 0;
        }
        if (us == 0)
            return 0;
        wake_at(thread, now + us);
    }
    if (now >= thread.wake_us) {
        thread.wake_us = 0;
        return 0;
    }
    wake_at(thread, thread.wake_us);  // (again for a deadline kept through a restart)
    thread.waiting = Thread::Wait::sleep;
    return blocked;
}
