// SPDX-License-Identifier: MIT
// Path resolution, and the calls that change names (create, mkdir, mknod, symlink, link,
// unlink, rmdir, rename), with Linux's errors and their order (fs/namei.c).
#include "vfs.hpp"

using Errno = linux_abi::Errno;

namespace {

// Text still to resolve: the path, or the target of a symbolic link met on the way (which
// lives in the archive, an inode or a page, none of which a lookup changes).
struct Frame {
    const char *text;
    size_t length;
};

void skip_slashes(Frame &frame)
{
    while (frame.length > 0 && *frame.text == '/') {
        ++frame.text;
        --frame.length;
    }
}

bool is_dot(const char *name, size_t length) { return length == 1 && name[0] == '.'; }
bool is_dotdot(const char *name, size_t length) { return length == 2 && name[0] == '.' && name[1] == '.'; }

// A path ends at its first NUL, if it has one within length.
size_t text_length(const char *text, size_t length)
{
    size_t n = 0;
    while (n < length && text[n] != 0)
        ++n;
    return n;
}

}  // namespace

// Walks path from start (or the root), one component at a time. A symbolic link met before
// the last component is always followed, the last one when mode says so or a slash follows
// it; its target continues the walk from the directory holding the link (or the root).
//
// The targets being resolved form a stack of frames, each the rest of a text. A link that
// ends its frame replaces the frame instead of pushing a new one, so every frame below the
// top still has components, and the last component is the last of the bottom frame. Each
// push follows a link, so at most max_symlinks + 1 frames exist.
//
// In the parent modes the walk stops at the last component and tells the directory, the
// name and what it names (0 if nothing); parent_follow follows a last symbolic link first.
Errno Vfs::walk(uint32_t start, const char *path, size_t length, Walk_mode mode, Walk &result) const
{
    if (path == nullptr)
        return Errno::noent;
    length = text_length(path, length);
    if (length == 0)
        return Errno::noent;
    if (length >= max_path)
        return Errno::nametoolong;
    const bool parent = mode == Walk_mode::parent || mode == Walk_mode::parent_follow;
    const bool follow_last = mode == Walk_mode::follow || mode == Walk_mode::parent_follow;

    uint32_t current = root_ino;
    if (inode(root_ino) == nullptr)
        return Errno::noent;  // init() has not made the root
    if (path[0] != '/') {
        const Inode *node = inode(start);
        if (node == nullptr)
            return Errno::badf;
        if (!is_directory(*node))
            return Errno::notdir;
        current = start;
    }

    Frame stack[max_symlinks + 1];
    unsigned depth = 1;
    stack[0] = Frame{path, length};
    unsigned links = 0;
    bool must_be_directory = false;
    for (;;) {
        Frame &frame = stack[depth - 1];
        skip_slashes(frame);
        if (frame.length == 0) {
            if (depth > 1) {
                --depth;
                continue;
            }
            // Nothing but slashes (the path "/", or a link to "/" last): current itself.
            result = Walk{current, current, Last::root, nullptr, 0, true};
            return Errno::none;
        }

        const char *name = frame.text;
        size_t name_length = 0;
        while (name_length < frame.length && name[name_length] != '/')
            ++name_length;
        frame.text += name_length;
        frame.length -= name_length;
        const bool slash = frame.length > 0;
        skip_slashes(frame);
        const bool last = frame.length == 0 && depth == 1;
        if (last && slash)
            must_be_directory = true;
        if (name_length > max_name)
            return Errno::nametoolong;

        const Inode &dir = live(current);
        if (!is_directory(dir))
            return Errno::notdir;
        const bool dot = is_dot(name, name_length), dotdot = is_dotdot(name, name_length);
        // A removed directory is empty, and has no parent.
        const bool removed = dir.nlink == 0;

        uint32_t next;
        if (dot)
            next = current;
        else if (dotdot)
            next = removed ? 0 : dir.parent;
        else
            next = removed ? 0 : lookup(dir, name, name_length);

        if (last && parent) {
            result = Walk{current, next, dot ? Last::dot : dotdot ? Last::dotdot : Last::normal, name, name_length,
                          must_be_directory};
            const Inode *node = inode(next);
            const bool symlink = node != nullptr && (node->mode & type_mask) == type_symlink;
            if (!(symlink && mode == Walk_mode::parent_follow && result.last == Last::normal))
                return Errno::none;
        } else if (next == 0) {
            return Errno::noent;
        }

        const Inode &node = live(next);
        if ((node.mode & type_mask) == type_symlink && (!last || follow_last || must_be_directory)) {
            if (++links > max_symlinks)
                return Errno::loop;
            if (node.size == 0)
                return Errno::noent;
            const Frame target{symlink_text(node), node.size};
            if (target.text[0] == '/')
                current = root_ino;
            if (frame.length == 0)
                frame = target;
            else
                stack[depth++] = target;
            continue;
        }
        if (last) {
            if (must_be_directory && !is_directory(node))
                return Errno::notdir;
            result = Walk{current, next, dot ? Last::dot : dotdot ? Last::dotdot : Last::normal, name, name_length,
                          must_be_directory};
            return Errno::none;
        }
        current = next;
    }
}

Errno Vfs::resolve(uint32_t start, const char *path, size_t length, bool follow, uint32_t &ino) const
{
    Walk walked;
    if (Errno error = walk(start, path, length, follow ? Walk_mode::follow : Walk_mode::no_follow, walked);
        error != Errno::none)
        return error;
    ino = walked.ino;
    return Errno::none;
}

Errno Vfs::resolve_parent(uint32_t start, const char *path, size_t length, Walk &result) const
{
    return walk(start, path, length, Walk_mode::parent, result);
}

// Whether the last component of a parent walk may be made (filename_create): not ".",
// ".." or "/", not there already, in a directory not removed, and with a trailing slash
// only for a directory.
Errno Vfs::check_new_name(const Walk &walked, bool directory) const
{
    if (walked.last != Last::normal)
        return Errno::exist;
    if (live(walked.dir).nlink == 0)
        return Errno::noent;
    if (walked.ino != 0)
        return Errno::exist;
    if (walked.trailing_slash && !directory)
        return Errno::noent;
    return Errno::none;
}

Errno Vfs::create(uint32_t start, const char *path, size_t length, uint32_t permissions, bool exclusive,
                  uint32_t uid, uint32_t gid, uint64_t now, uint32_t &ino, bool &created)
{
    created = false;
    Walk walked;
    if (Errno error = walk(start, path, length, exclusive ? Walk_mode::parent : Walk_mode::parent_follow, walked);
        error != Errno::none)
        return error;
    if (walked.trailing_slash)
        return Errno::isdir;
    if (walked.last != Last::normal)
        return exclusive ? Errno::exist : Errno::isdir;
    if (walked.ino != 0) {
        if (exclusive)
            return Errno::exist;
        if (is_directory(live(walked.ino)))
            return Errno::isdir;
        ino = walked.ino;
        return Errno::none;
    }
    if (Errno error = make_node(walked.dir, walked.name, walked.name_length, type_regular | (permissions & permission_mask),
                                0, uid, gid, now, nullptr, 0, false, ino);
        error != Errno::none)
        return error;
    touch_directory(walked.dir, now);
    created = true;
    return Errno::none;
}

Errno Vfs::mkdir(uint32_t start, const char *path, size_t length, uint32_t permissions, uint32_t uid, uint32_t gid,
                 uint64_t now)
{
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    if (Errno error = check_new_name(walked, true); error != Errno::none)
        return error;
    uint32_t ino;
    if (Errno error = make_node(walked.dir, walked.name, walked.name_length,
                                type_directory | (permissions & permission_mask), 0, uid, gid, now, nullptr, 0, false,
                                ino);
        error != Errno::none)
        return error;
    touch_directory(walked.dir, now);
    return Errno::none;
}

Errno Vfs::mknod(uint32_t start, const char *path, size_t length, uint32_t mode, uint64_t rdev, uint32_t uid,
                 uint32_t gid, uint64_t now)
{
    uint32_t type = mode & type_mask;
    if (type == 0)
        type = type_regular;
    if (type == type_directory)
        return Errno::perm;
    if (type != type_regular && type != type_char_device && type != type_block_device && type != type_fifo &&
        type != type_socket)
        return Errno::inval;
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    if (Errno error = check_new_name(walked, false); error != Errno::none)
        return error;
    uint32_t ino;
    if (Errno error = make_node(walked.dir, walked.name, walked.name_length, type | (mode & permission_mask), rdev,
                                uid, gid, now, nullptr, 0, false, ino);
        error != Errno::none)
        return error;
    touch_directory(walked.dir, now);
    return Errno::none;
}

Errno Vfs::symlink(const char *target, size_t target_length, uint32_t start, const char *path, size_t length,
                   uint32_t uid, uint32_t gid, uint64_t now)
{
    if (target == nullptr)
        return Errno::noent;
    target_length = text_length(target, target_length);
    if (target_length == 0)
        return Errno::noent;
    if (target_length >= max_path)
        return Errno::nametoolong;
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    if (Errno error = check_new_name(walked, false); error != Errno::none)
        return error;
    uint32_t ino;
    if (Errno error = make_node(walked.dir, walked.name, walked.name_length, type_symlink | 0777, 0, uid, gid, now,
                                target, target_length, false, ino);
        error != Errno::none)
        return error;
    touch_directory(walked.dir, now);
    return Errno::none;
}

Errno Vfs::link(uint32_t ino, uint32_t start, const char *path, size_t length, uint64_t now)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    if (Errno error = check_new_name(walked, false); error != Errno::none)
        return error;
    if (is_directory(*node))
        return Errno::perm;
    if (node->nlink == 0)
        return Errno::noent;
    if (node->nlink >= max_links)
        return Errno::mlink;
    Inode &dir = live(walked.dir);
    Dir_slot *slot;
    Dir_page *page;
    if (Errno error = reserve_slot(dir, slot, page); error != Errno::none)
        return error;
    fill_slot(dir, *slot, *page, walked.name, walked.name_length, ino);
    ++node->nlink;
    node->ctime = now;
    touch_directory(walked.dir, now);
    return Errno::none;
}

Errno Vfs::unlink(uint32_t start, const char *path, size_t length, uint64_t now)
{
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    if (walked.last != Last::normal)
        return Errno::isdir;
    if (walked.ino == 0)
        return Errno::noent;
    const bool directory = is_directory(live(walked.ino));
    if (walked.trailing_slash && !directory)
        return Errno::notdir;
    if (directory)
        return Errno::isdir;
    Dir_page *page;
    Dir_slot *slot = find_slot(live(walked.dir), walked.name, walked.name_length, &page);
    unlink_entry(walked.dir, *slot, *page, now);
    return Errno::none;
}

Errno Vfs::rmdir(uint32_t start, const char *path, size_t length, uint64_t now)
{
    Walk walked;
    if (Errno error = walk(start, path, length, Walk_mode::parent, walked); error != Errno::none)
        return error;
    switch (walked.last) {
    case Last::dot: return Errno::inval;
    case Last::dotdot: return Errno::notempty;
    case Last::root: return Errno::busy;
    case Last::normal: break;
    }
    if (walked.ino == 0)
        return Errno::noent;
    const Inode &node = live(walked.ino);
    if (!is_directory(node))
        return Errno::notdir;
    if (node.size != 0)
        return Errno::notempty;
    Dir_page *page;
    Dir_slot *slot = find_slot(live(walked.dir), walked.name, walked.name_length, &page);
    unlink_entry(walked.dir, *slot, *page, now);
    return Errno::none;
}

// Linux's rename(2) without flags: checks in the order of do_renameat2 and vfs_rename, then
// one fallible step (a slot for a new name), then the changes.
Errno Vfs::rename(uint32_t old_start, const char *old_path, size_t old_length, uint32_t new_start,
                  const char *new_path, size_t new_length, uint64_t now)
{
    Walk from, to;
    if (Errno error = walk(old_start, old_path, old_length, Walk_mode::parent, from); error != Errno::none)
        return error;
    if (Errno error = walk(new_start, new_path, new_length, Walk_mode::parent, to); error != Errno::none)
        return error;
    if (from.last != Last::normal || to.last != Last::normal)
        return Errno::busy;
    if (from.ino == 0)
        return Errno::noent;
    Inode &moved = live(from.ino);
    const bool directory = is_directory(moved);
    if (!directory && (from.trailing_slash || to.trailing_slash))
        return Errno::notdir;
    // A directory cannot move into itself or below, nor replace a directory above it.
    if (directory && is_within(to.dir, from.ino))
        return Errno::inval;
    if (to.ino != 0 && is_within(from.dir, to.ino))
        return Errno::notempty;
    if (from.ino == to.ino)
        return Errno::none;  // two names of one inode: nothing to do

    Inode &new_dir = live(to.dir);
    Inode *replaced = inode(to.ino);
    Dir_slot *slot = nullptr;
    Dir_page *page = nullptr;
    if (replaced != nullptr) {
        if (directory && !is_directory(*replaced))
            return Errno::notdir;
        if (!directory && is_directory(*replaced))
            return Errno::isdir;
        if (is_directory(*replaced) && replaced->size != 0)
            return Errno::notempty;
        slot = find_slot(new_dir, to.name, to.name_length, &page);
    } else {
        if (new_dir.nlink == 0)
            return Errno::noent;
        if (directory && from.dir != to.dir && new_dir.nlink >= max_links)
            return Errno::mlink;
        if (Errno error = reserve_slot(new_dir, slot, page); error != Errno::none)
            return error;
    }

    // No failure from here on. The old entry's slot is found after the reservation, which
    // may have added a page to its directory but moves no slot.
    Inode &old_dir = live(from.dir);
    Dir_page *old_page;
    Dir_slot *old_slot = find_slot(old_dir, from.name, from.name_length, &old_page);
    if (replaced != nullptr) {
        slot->ino = from.ino;
        if (is_directory(*replaced)) {
            replaced->nlink = 0;
            replaced->parent = 0;
            --new_dir.nlink;
        } else {
            --replaced->nlink;
        }
        replaced->ctime = now;
    } else {
        fill_slot(new_dir, *slot, *page, to.name, to.name_length, from.ino);
    }
    clear_slot(old_dir, *old_slot, *old_page);
    if (directory && from.dir != to.dir) {
        --old_dir.nlink;
        ++new_dir.nlink;
        moved.parent = to.dir;
    }
    moved.ctime = now;
    old_dir.mtime = old_dir.ctime = now;
    new_dir.mtime = new_dir.ctime = now;
    free_if_unused(to.ino);
    return Errno::none;
}
