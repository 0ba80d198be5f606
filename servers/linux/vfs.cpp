// SPDX-License-Identifier: MIT
// The inode table, inode contents (file data, symlink targets, directory entries) and the
// calls on inodes. Path resolution and the calls on names are in vfs-path.cpp, the cpio
// loader in vfs-cpio.cpp.
#include "vfs.hpp"

#include <new>
#include <string.h>

using Errno = linux_abi::Errno;

namespace {

// d_type is the file type of st_mode shifted down (DT_REG == S_IFREG >> 12, ...).
uint8_t directory_entry_type(uint32_t mode) { return static_cast<uint8_t>((mode & Vfs::type_mask) >> 12); }

template <typename T> T smaller(T a, T b) { return a < b ? a : b; }

// tmpfs's st_size of a directory: 20 bytes per entry, "." and ".." included.
constexpr uint64_t directory_entry_bytes = 20;

}  // namespace

Vfs::~Vfs()
{
    static_assert(sizeof(Inode) == 128, "inodes pack a page exactly");
    static_assert(sizeof(Dir_page) <= page_size);
    static_assert(max_inodes % inodes_per_page == 0);
    static_assert(max_directory_pages <= Vfs_page_tree::max_pages);
    static_assert(max_file_size / page_size <= Vfs_page_tree::max_pages);
    static_assert(short_target < max_path);
    for (Inode *page : inode_pages_) {
        if (page == nullptr)
            continue;
        for (uint32_t i = 0; i < inodes_per_page; ++i)
            if (page[i].mode != 0)
                page[i].data.cut(pages_, 0);
        pages_.release(page);
    }
}

Errno Vfs::init(uint64_t now)
{
    if (inode(root_ino) != nullptr)
        return Errno::exist;
    uint32_t ino;
    if (Errno error = reserve_inode(ino); error != Errno::none)
        return error;
    // The table is empty, so the first slot is the root's.
    Inode &root = init_inode(ino, type_directory | 0755, 0, 0, now);
    root.nlink = 2;
    root.parent = root_ino;
    return Errno::none;
}

// --- The inode table. ---

Vfs::Inode *Vfs::inode(uint32_t ino) const
{
    if (ino == 0 || ino > max_inodes)
        return nullptr;
    Inode *page = inode_pages_[(ino - 1) / inodes_per_page];
    if (page == nullptr)
        return nullptr;
    Inode &node = page[(ino - 1) % inodes_per_page];
    return node.mode == 0 ? nullptr : &node;
}

Vfs::Inode &Vfs::live(uint32_t ino) const
{
    return inode_pages_[(ino - 1) / inodes_per_page][(ino - 1) % inodes_per_page];
}

// A free inode number whose slot exists (its page allocated), still free: the caller takes
// it with init_inode before anything else can. Slots in pages already there come first.
Errno Vfs::reserve_inode(uint32_t &ino)
{
    if (inodes_used_ >= max_inodes)
        return Errno::nospc;
    for (int pass = 0; pass < 2; ++pass) {
        for (uint32_t n = 0; n < max_inodes; ++n) {
            const uint32_t i = (free_hint_ + n) % max_inodes;
            Inode *&page = inode_pages_[i / inodes_per_page];
            if (page == nullptr) {
                if (pass == 0)
                    continue;
                // A zeroed page is a page of free inodes (mode 0, empty trees).
                page = static_cast<Inode *>(pages_.allocate());
                if (page == nullptr)
                    return Errno::nospc;
            }
            if (page[i % inodes_per_page].mode == 0) {
                ino = i + 1;
                free_hint_ = i;
                return Errno::none;
            }
        }
    }
    return Errno::nospc;
}

Vfs::Inode &Vfs::init_inode(uint32_t ino, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t now)
{
    Inode *node = new (&live(ino)) Inode{};
    node->mode = mode;
    node->nlink = 1;
    node->uid = uid;
    node->gid = gid;
    node->atime = node->mtime = node->ctime = now;
    ++inodes_used_;
    return *node;
}

void Vfs::free_if_unused(uint32_t ino)
{
    Inode *node = inode(ino);
    if (node == nullptr || node->nlink != 0 || node->refs != 0)
        return;
    node->data.cut(pages_, 0);
    node->mode = 0;  // the slot is free; its tree is empty, as a free slot's must be
    --inodes_used_;
}

// --- Contents. ---

const char *Vfs::symlink_text(const Inode &node) const
{
    if (node.backing != nullptr)
        return reinterpret_cast<const char *>(node.backing);
    if (node.size <= short_target)
        return node.short_text;
    return static_cast<const char *>(node.data.find(0));
}

// --- Directories. ---

Vfs::Dir_slot *Vfs::find_slot(const Inode &dir, const char *name, size_t length, Dir_page **found) const
{
    for (uint64_t p = 0; p < dir.data.pages(); ++p) {
        auto *page = static_cast<Dir_page *>(dir.data.find(p));
        if (page->used == 0)
            continue;
        for (Dir_slot &slot : page->slots) {
            if (slot.ino != 0 && slot.length == length && memcmp(slot.name, name, length) == 0) {
                *found = page;
                return &slot;
            }
        }
    }
    return nullptr;
}

uint32_t Vfs::lookup(const Inode &dir, const char *name, size_t length) const
{
    Dir_page *page;
    const Dir_slot *slot = find_slot(dir, name, length, &page);
    return slot == nullptr ? 0 : slot->ino;
}

// A free slot of dir, in a new last page if the others are full. A new page stays in the
// directory even if the caller then fails (trim_directory takes it away again).
Errno Vfs::reserve_slot(Inode &dir, Dir_slot *&slot, Dir_page *&page)
{
    const uint64_t count = dir.data.pages();
    for (uint64_t p = 0; p < count; ++p) {
        page = static_cast<Dir_page *>(dir.data.find(p));
        if (page->used == slots_per_page)
            continue;
        for (Dir_slot &candidate : page->slots) {
            if (candidate.ino == 0) {
                slot = &candidate;
                return Errno::none;
            }
        }
    }
    if (count >= max_directory_pages)
        return Errno::nospc;
    bool fresh;
    page = static_cast<Dir_page *>(dir.data.ensure(pages_, count, fresh));
    if (page == nullptr)
        return Errno::nospc;
    slot = &page->slots[0];
    return Errno::none;
}

void Vfs::fill_slot(Inode &dir, Dir_slot &slot, Dir_page &page, const char *name, size_t length, uint32_t ino)
{
    slot.ino = ino;
    slot.length = static_cast<uint8_t>(length);
    memcpy(slot.name, name, length);
    ++page.used;
    ++dir.size;
}

void Vfs::clear_slot(Inode &dir, Dir_slot &slot, Dir_page &page)
{
    slot.ino = 0;
    --page.used;
    --dir.size;
    trim_directory(dir);
}

// Frees the empty pages at the end of dir. The cookies of the entries left are unchanged:
// they are slot positions, and only positions past the last entry go.
void Vfs::trim_directory(Inode &dir)
{
    uint64_t count = dir.data.pages();
    while (count > 0 && static_cast<Dir_page *>(dir.data.find(count - 1))->used == 0)
        --count;
    dir.data.cut(pages_, count);
}

void Vfs::touch_directory(uint32_t dir, uint64_t now)
{
    Inode &node = live(dir);
    node.mtime = node.ctime = now;
}

// Makes an inode and its entry name in dir. Everything that can fail comes before the
// first change: the inode slot, the entry slot, a long symlink target's page.
Errno Vfs::make_node(uint32_t dir_ino, const char *name, size_t length, uint32_t mode, uint64_t rdev, uint32_t uid,
                     uint32_t gid, uint64_t now, const char *target, size_t target_length, bool target_in_archive,
                     uint32_t &ino)
{
    Inode &dir = live(dir_ino);
    const bool directory = (mode & type_mask) == type_directory;
    if (dir.nlink == 0)
        return Errno::noent;
    if (directory && dir.nlink >= max_links)
        return Errno::mlink;
    uint32_t new_ino;
    if (Errno error = reserve_inode(new_ino); error != Errno::none)
        return error;
    Dir_slot *slot;
    Dir_page *page;
    if (Errno error = reserve_slot(dir, slot, page); error != Errno::none)
        return error;

    Inode &node = init_inode(new_ino, mode, uid, gid, now);
    if ((mode & type_mask) == type_symlink) {
        node.size = target_length;
        if (target_in_archive) {
            node.backing = reinterpret_cast<const uint8_t *>(target);
            node.backing_size = target_length;
        } else if (target_length <= short_target) {
            memcpy(node.short_text, target, target_length);
        } else {
            bool fresh;
            void *text = node.data.ensure(pages_, 0, fresh);
            if (text == nullptr) {
                node.mode = 0;
                --inodes_used_;
                trim_directory(dir);
                return Errno::nospc;
            }
            memcpy(text, target, target_length);
        }
    }
    if ((mode & type_mask) == type_char_device || (mode & type_mask) == type_block_device)
        node.rdev = rdev;
    if (directory) {
        node.nlink = 2;
        node.parent = dir_ino;
        ++dir.nlink;
    }
    fill_slot(dir, *slot, *page, name, length, new_ino);
    ino = new_ino;
    return Errno::none;
}

// Removes the entry slot of dir and the link it held; the inode goes when unused.
void Vfs::unlink_entry(uint32_t dir_ino, Dir_slot &slot, Dir_page &page, uint64_t now)
{
    Inode &dir = live(dir_ino);
    const uint32_t victim_ino = slot.ino;
    Inode &victim = live(victim_ino);
    clear_slot(dir, slot, page);
    if (is_directory(victim)) {
        victim.nlink = 0;
        victim.parent = 0;
        --dir.nlink;
    } else {
        --victim.nlink;
    }
    victim.ctime = now;
    dir.mtime = dir.ctime = now;
    free_if_unused(victim_ino);
}

// Whether ino is ancestor or below it, following parent links (which end at the root, or
// at 0 for a removed directory).
bool Vfs::is_within(uint32_t ino, uint32_t ancestor) const
{
    for (uint32_t steps = 0; steps <= max_inodes; ++steps) {
        if (ino == ancestor)
            return true;
        const Inode *node = inode(ino);
        if (node == nullptr || ino == root_ino || node->parent == 0)
            return false;
        ino = node->parent;
    }
    return false;
}

// --- Calls on inodes. ---

Errno Vfs::make_detached(uint32_t permissions, uint64_t now, uint32_t &ino)
{
    uint32_t new_ino;
    if (Errno error = reserve_inode(new_ino); error != Errno::none)
        return error;
    Inode &node = init_inode(new_ino, type_regular | (permissions & 07777), 0, 0, now);
    node.nlink = 0;
    node.refs = 1;
    ino = new_ino;
    return Errno::none;
}

Errno Vfs::hold(uint32_t ino)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (node->refs == ~uint32_t{0})
        return Errno::nfile;
    ++node->refs;
    return Errno::none;
}

void Vfs::drop(uint32_t ino)
{
    Inode *node = inode(ino);
    if (node == nullptr || node->refs == 0)
        return;
    --node->refs;
    free_if_unused(ino);
}

Errno Vfs::stat(uint32_t ino, Stat &stat) const
{
    const Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    stat.ino = ino;
    stat.mode = node->mode;
    stat.nlink = node->nlink;
    stat.uid = node->uid;
    stat.gid = node->gid;
    stat.rdev = node->rdev;
    stat.size = is_directory(*node) ? (node->size + 2) * directory_entry_bytes : node->size;
    stat.blocks = node->data.pages() * (page_size / 512);
    if ((node->mode & type_mask) == type_regular)
        stat.blocks += (node->backing_size + 511) / 512;  // the archive's bytes it still reads
    stat.atime = node->atime;
    stat.mtime = node->mtime;
    stat.ctime = node->ctime;
    return Errno::none;
}

Errno Vfs::readlink(uint32_t ino, char *buffer, size_t size, size_t &length) const
{
    const Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if ((node->mode & type_mask) != type_symlink || size == 0)
        return Errno::inval;
    length = smaller<size_t>(size, node->size);
    memcpy(buffer, symlink_text(*node), length);
    return Errno::none;
}

Errno Vfs::read(uint32_t ino, uint64_t offset, void *buffer, size_t length, size_t &done) const
{
    done = 0;
    const Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (is_directory(*node))
        return Errno::isdir;
    if ((node->mode & type_mask) != type_regular)
        return Errno::inval;
    if (offset >= node->size)
        return Errno::none;
    const size_t count = smaller<uint64_t>(length, node->size - offset);
    auto *out = static_cast<uint8_t *>(buffer);
    while (done < count) {
        const uint64_t at = offset + done;
        const size_t within = at % page_size;
        const size_t chunk = smaller<size_t>(page_size - within, count - done);
        if (const auto *page = static_cast<const uint8_t *>(node->data.find(at / page_size))) {
            memcpy(out + done, page + within, chunk);
        } else {
            const size_t backed = at < node->backing_size ? smaller<uint64_t>(chunk, node->backing_size - at) : 0;
            if (backed != 0)
                memcpy(out + done, node->backing + at, backed);
            memset(out + done + backed, 0, chunk - backed);
        }
        done += chunk;
    }
    return Errno::none;
}

Errno Vfs::write(uint32_t ino, uint64_t offset, const void *data, size_t length, uint64_t now, size_t &done)
{
    done = 0;
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (is_directory(*node))
        return Errno::isdir;
    if ((node->mode & type_mask) != type_regular)
        return Errno::inval;
    if (length == 0)
        return Errno::none;
    if (offset >= max_file_size)
        return Errno::fbig;
    const size_t count = smaller<uint64_t>(length, max_file_size - offset);
    const auto *in = static_cast<const uint8_t *>(data);
    while (done < count) {
        const uint64_t at = offset + done;
        const uint64_t index = at / page_size;
        const size_t within = at % page_size;
        const size_t chunk = smaller<size_t>(page_size - within, count - done);
        bool fresh;
        auto *page = static_cast<uint8_t *>(node->data.ensure(pages_, index, fresh));
        if (page == nullptr)
            break;
        // Copy on write: a new page of an archive-backed file starts as the archive's bytes.
        const uint64_t page_start = index * page_size;
        if (fresh && page_start < node->backing_size)
            memcpy(page, node->backing + page_start, smaller<uint64_t>(page_size, node->backing_size - page_start));
        memcpy(page + within, in + done, chunk);
        done += chunk;
    }
    if (done == 0)
        return Errno::nospc;
    if (offset + done > node->size)
        node->size = offset + done;
    node->mtime = node->ctime = now;
    return Errno::none;
}

Errno Vfs::truncate(uint32_t ino, uint64_t size, uint64_t now)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (is_directory(*node))
        return Errno::isdir;
    if ((node->mode & type_mask) != type_regular)
        return Errno::inval;
    if (size > max_file_size)
        return Errno::fbig;
    if (size < node->size) {
        // What lies beyond size must read as zeros if the file grows again.
        if (node->backing_size > size)
            node->backing_size = size;
        node->data.cut(pages_, (size + page_size - 1) / page_size);
        if (size % page_size != 0)
            if (auto *page = static_cast<uint8_t *>(node->data.find(size / page_size)))
                memset(page + size % page_size, 0, page_size - size % page_size);
    }
    node->size = size;
    node->mtime = node->ctime = now;
    return Errno::none;
}

Errno Vfs::chmod(uint32_t ino, uint32_t permissions, uint64_t now)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    node->mode = (node->mode & type_mask) | (permissions & permission_mask);
    node->ctime = now;
    return Errno::none;
}

Errno Vfs::chown(uint32_t ino, uint32_t uid, uint32_t gid, uint64_t now)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (uid != ~0u)
        node->uid = uid;
    if (gid != ~0u)
        node->gid = gid;
    // Linux clears setuid, and setgid with group execute, of anything but a directory.
    if (!is_directory(*node)) {
        node->mode &= ~uint32_t{04000};
        if ((node->mode & 010) != 0)
            node->mode &= ~uint32_t{02000};
    }
    node->ctime = now;
    return Errno::none;
}

Errno Vfs::set_times(uint32_t ino, uint64_t atime, uint64_t mtime, uint64_t now)
{
    Inode *node = inode(ino);
    if (node == nullptr)
        return Errno::badf;
    if (atime == time_omit && mtime == time_omit)
        return Errno::none;
    if (atime != time_omit)
        node->atime = atime == time_now ? now : atime;
    if (mtime != time_omit)
        node->mtime = mtime == time_now ? now : mtime;
    node->ctime = now;
    return Errno::none;
}

Errno Vfs::read_directory(uint32_t dir_ino, uint64_t cookie, Dir_entry &entry) const
{
    const Inode *dir = inode(dir_ino);
    if (dir == nullptr)
        return Errno::badf;
    if (!is_directory(*dir))
        return Errno::notdir;
    if (dir->nlink == 0)
        return Errno::noent;
    entry = Dir_entry{0, 0, cookie, nullptr, 0};
    if (cookie < 2) {
        entry.ino = cookie == 0 ? dir_ino : dir->parent;
        entry.type = directory_entry_type(type_directory);
        entry.next = cookie + 1;
        entry.name = "..";
        entry.name_length = cookie + 1;
        return Errno::none;
    }
    // Cookie 2 + n is slot n (page n / slots_per_page): positions do not move.
    const uint64_t position = cookie - 2;
    for (uint64_t p = position / slots_per_page; p < dir->data.pages(); ++p) {
        const auto *page = static_cast<const Dir_page *>(dir->data.find(p));
        for (size_t s = p == position / slots_per_page ? position % slots_per_page : 0; s < slots_per_page; ++s) {
            const Dir_slot &slot = page->slots[s];
            if (slot.ino == 0)
                continue;
            entry.ino = slot.ino;
            entry.type = directory_entry_type(live(slot.ino).mode);
            entry.next = 2 + p * slots_per_page + s + 1;
            entry.name = slot.name;
            entry.name_length = slot.length;
            return Errno::none;
        }
    }
    return Errno::none;
}

Errno Vfs::parent_of(uint32_t dir_ino, uint32_t &parent) const
{
    const Inode *dir = inode(dir_ino);
    if (dir == nullptr)
        return Errno::badf;
    if (!is_directory(*dir))
        return Errno::notdir;
    if (dir->nlink == 0)
        return Errno::noent;
    parent = dir->parent;
    return Errno::none;
}

Errno Vfs::name_in(uint32_t dir_ino, uint32_t ino, const char *&name, size_t &length) const
{
    const Inode *dir = inode(dir_ino);
    if (dir == nullptr)
        return Errno::badf;
    if (!is_directory(*dir))
        return Errno::notdir;
    if (ino == 0)
        return Errno::noent;
    for (uint64_t p = 0; p < dir->data.pages(); ++p) {
        const auto *page = static_cast<const Dir_page *>(dir->data.find(p));
        for (const Dir_slot &slot : page->slots) {
            if (slot.ino == ino) {
                name = slot.name;
                length = slot.length;
                return Errno::none;
            }
        }
    }
    return Errno::noent;
}

const uint8_t *Vfs::contiguous_data(uint32_t ino, size_t &size) const
{
    const Inode *node = inode(ino);
    if (node == nullptr || (node->mode & type_mask) != type_regular || node->backing == nullptr ||
        !node->data.empty() || node->backing_size != node->size)
        return nullptr;
    size = node->backing_size;
    return node->backing;
}
