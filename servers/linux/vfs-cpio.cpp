// SPDX-License-Identifier: MIT
// Filling the file system from a newc cpio archive, as Linux unpacks an initramfs
// (init/initramfs.c): members in archive order, parents made as needed.
#include "vfs.hpp"

using Errno = linux_abi::Errno;

namespace {

constexpr uint64_t nanoseconds_per_second = 1000000000;

bool is_dot(const char *name, size_t length) { return length == 1 && name[0] == '.'; }
bool is_dotdot(const char *name, size_t length) { return length == 2 && name[0] == '.' && name[1] == '.'; }

}  // namespace

Errno Vfs::load_cpio(const uint8_t *archive, size_t size, uint64_t now)
{
    if (inode(root_ino) == nullptr)
        return Errno::inval;
    Cpio_archive reader(archive, size);
    for (;;) {
        Cpio_archive::Entry member;
        const Cpio_archive::Error status = reader.next(member);
        if (status == Cpio_archive::Error::end)
            return Errno::none;
        if (status != Cpio_archive::Error::none)
            return Errno::inval;
        if (Errno error = load_member(member, now); error != Errno::none)
            return error;
    }
}

Errno Vfs::load_member(const Cpio_archive::Entry &member, uint64_t now)
{
    const uint32_t type = member.mode & type_mask;
    const uint32_t permissions = member.mode & permission_mask;
    const uint64_t mtime = member.mtime * nanoseconds_per_second;

    // Walk the name's directories ("./bin/sh", "bin/sh" and "/bin/sh" alike), making the
    // missing ones and following symbolic links to directories.
    const char *rest = member.name;
    size_t left = member.name_length;
    uint32_t dir = root_ino;
    const char *name = nullptr;  // the last component; none for "." or "/"
    size_t length = 0;
    for (;;) {
        while (left > 0 && *rest == '/') {
            ++rest;
            --left;
        }
        if (left == 0)
            break;
        size_t n = 0;
        while (n < left && rest[n] != '/')
            ++n;
        const char *component = rest;
        rest += n;
        left -= n;
        while (left > 0 && *rest == '/') {
            ++rest;
            --left;
        }
        if (n > max_name)
            return Errno::nametoolong;
        if (left == 0) {
            name = component;
            length = n;
            break;
        }
        if (is_dot(component, n))
            continue;
        uint32_t next;
        if (is_dotdot(component, n)) {
            next = live(dir).parent;
        } else {
            next = lookup(live(dir), component, n);
            if (next == 0) {
                if (Errno error = make_node(dir, component, n, type_directory | 0755, 0, 0, 0, now, nullptr, 0, false,
                                            next);
                    error != Errno::none)
                    return error;
            } else if ((live(next).mode & type_mask) == type_symlink) {
                Walk walked;
                if (Errno error = walk(dir, component, n, Walk_mode::follow, walked); error != Errno::none)
                    return error;
                next = walked.ino;
            }
        }
        if (!is_directory(live(next)))
            return Errno::notdir;
        dir = next;
    }

    // What the member names already: a directory takes the member's attributes; anything
    // else is replaced (as initramfs's clean_path does).
    const bool names_dir = name == nullptr || is_dot(name, length) || is_dotdot(name, length);
    const uint32_t existing = name == nullptr || is_dot(name, length) ? dir
                              : is_dotdot(name, length)                 ? live(dir).parent
                                                                        : lookup(live(dir), name, length);
    if (existing != 0) {
        Inode &node = live(existing);
        if (type == type_directory && is_directory(node)) {
            node.mode = type_directory | permissions;
            node.uid = member.uid;
            node.gid = member.gid;
            node.atime = node.mtime = mtime;
            node.ctime = now;
            return Errno::none;
        }
        if (names_dir)
            return Errno::exist;
        if (is_directory(node) && node.size != 0)
            return Errno::notempty;
        Dir_page *page;
        Dir_slot *slot = find_slot(live(dir), name, length, &page);
        unlink_entry(dir, *slot, *page, now);
    } else if (names_dir) {
        return Errno::noent;
    }

    const char *target = nullptr;
    uint64_t rdev = 0;
    switch (type) {
    case type_regular:
        if (member.data_size > max_file_size)
            return Errno::fbig;
        break;
    case type_symlink:
        if (member.data_size == 0)
            return Errno::noent;
        if (member.data_size >= max_path)
            return Errno::nametoolong;
        for (size_t i = 0; i < member.data_size; ++i)
            if (member.data[i] == 0)
                return Errno::inval;
        target = reinterpret_cast<const char *>(member.data);
        break;
    case type_char_device:
    case type_block_device:
        rdev = make_device(member.rdev_major, member.rdev_minor);
        break;
    case type_directory:
    case type_fifo:
    case type_socket:
        break;
    default:
        return Errno::inval;
    }
    uint32_t ino;
    if (Errno error = make_node(dir, name, length, type | permissions, rdev, member.uid, member.gid, now, target,
                                member.data_size, true, ino);
        error != Errno::none)
        return error;
    Inode &node = live(ino);
    if (type == type_regular && member.data_size != 0) {
        // Read in place until written (write copies a page when it first changes it).
        node.backing = member.data;
        node.backing_size = node.size = member.data_size;
    }
    node.atime = node.mtime = mtime;
    return Errno::none;
}
