// SPDX-License-Identifier: MIT
// The Linux personality's file system: one in-memory, writable tree (like tmpfs) of regular
// files, directories, symbolic links, device nodes, fifos and sockets, filled at boot from
// a newc cpio archive whose files it reads in place until they are written.
//
// Inodes are named by their number (st_ino, 1 .. max_inodes; the root is 1). The server
// holds a reference (hold, drop) for every open file and current directory; an inode is
// freed when it has neither links nor references, so an unlinked open file keeps working.
//
// Paths and names come from Linux processes and are untrusted: a path is (text, length),
// read only inside those bytes (a NUL ends it early), and every limit below gives the
// error Linux gives. A call that fails changes nothing ("check, then do"); write alone
// may succeed in part (a short write), as Linux's does when space runs out.
//
// Permissions are not checked here (the server's job); modes are stored as given, so the
// caller applies its umask. Times are nanoseconds since the epoch; every changing call
// takes now. Reads do not change atime (as with noatime).
//
// Memory: the inode table, directories, file data and long symlink targets live in pages
// from a Vfs_pages; the object itself holds only the table of inode pages. Freestanding.
#ifndef LINUX_VFS_HPP
#define LINUX_VFS_HPP

#include <stddef.h>
#include <stdint.h>

#include "cpio_archive.hpp"
#include "linux_abi.hpp"
#include "vfs_page_tree.hpp"

class Vfs {
public:
    using Errno = linux_abi::Errno;

    static constexpr uint32_t max_inodes = 4096;
    static constexpr size_t max_name = 255;                  // NAME_MAX
    static constexpr size_t max_path = 4096;                 // PATH_MAX, counting the NUL
    static constexpr unsigned max_symlinks = 40;             // links followed in one lookup
    static constexpr uint64_t max_file_size = 64ull << 20;   // beyond: EFBIG
    static constexpr uint32_t max_links = 65000;             // nlink; beyond: EMLINK
    static constexpr uint64_t max_directory_pages = 4096;    // 61440 entries; beyond: ENOSPC
    static constexpr uint32_t root_ino = 1;

    // st_mode, as Linux defines it.
    static constexpr uint32_t type_mask = 0170000, type_socket = 0140000, type_symlink = 0120000,
                              type_regular = 0100000, type_block_device = 0060000, type_directory = 0040000,
                              type_char_device = 0020000, type_fifo = 0010000;
    static constexpr uint32_t permission_mask = 07777;  // rwx for all three, setuid, setgid, sticky

    // set_times: like UTIME_NOW and UTIME_OMIT.
    static constexpr uint64_t time_now = ~uint64_t{0}, time_omit = ~uint64_t{0} - 1;

    struct Stat {
        uint64_t ino;
        uint32_t mode;
        uint32_t nlink;
        uint32_t uid, gid;
        uint64_t rdev;
        uint64_t size;
        uint64_t blocks;  // 512-byte units of memory the contents take
        uint64_t atime, mtime, ctime;
    };

    // One directory entry for getdents64. name (not NUL-terminated) stays valid until the
    // directory next changes; the caller copies it out at once.
    struct Dir_entry {
        uint32_t ino;  // 0: no entry at or after the cookie (end of directory)
        uint8_t type;  // DT_* (d_type)
        uint64_t next;  // the cookie after this entry (d_off)
        const char *name;
        size_t name_length;
    };

    // What a walk found: the directory holding the last component, how it is spelt (name
    // points into the path), and the inode it names (0 if none). For "/" (last == root)
    // dir and ino are the root and name is nullptr.
    enum class Last { normal, dot, dotdot, root };
    struct Walk {
        uint32_t dir;
        uint32_t ino;
        Last last;
        const char *name;
        size_t name_length;
        bool trailing_slash;  // the last component must be a directory
    };

    explicit Vfs(Vfs_pages &pages) : pages_(pages) {}
    Vfs(const Vfs &) = delete;
    Vfs &operator=(const Vfs &) = delete;
    ~Vfs();

    // Makes the root directory (mode 0755, owner 0); ENOSPC without a page.
    Errno init(uint64_t now);
    uint32_t root() const { return root_ino; }

    // Adds the members of a newc archive, which must stay in memory, unchanged, for as long
    // as this file system lives: regular files and symbolic links are read from it in place.
    // Missing parent directories are made (0755); "." is the root; an existing non-directory
    // is replaced, an existing directory takes the member's attributes. Hard links (newc
    // members sharing an inode number) become separate files, each with nlink 1. mtime
    // (seconds) gives atime and mtime; ctime is now. Stops at the first error (EINVAL for a
    // malformed archive), keeping the members added before it.
    Errno load_cpio(const uint8_t *archive, size_t size, uint64_t now);

    // --- Names. start is the directory a relative path starts from (cwd or a dirfd's). ---

    // The inode path names. follow: a symbolic link as the last component is followed (a
    // trailing slash always follows and requires a directory).
    Errno resolve(uint32_t start, const char *path, size_t length, bool follow, uint32_t &ino) const;
    // The directory that holds path's last component, which is not looked at beyond
    // telling what it names: no symbolic link there is followed (for the calls below, and
    // any the server adds, such as bind).
    Errno resolve_parent(uint32_t start, const char *path, size_t length, Walk &result) const;
    // open(O_CREAT): the existing file path names (following a last symbolic link, a dangling
    // one to make its target, unless exclusive) or a new regular file with permissions.
    // exclusive (O_EXCL): EEXIST if the name exists. created tells which.
    Errno create(uint32_t start, const char *path, size_t length, uint32_t permissions, bool exclusive,
                 uint32_t uid, uint32_t gid, uint64_t now, uint32_t &ino, bool &created);
    Errno mkdir(uint32_t start, const char *path, size_t length, uint32_t permissions, uint32_t uid, uint32_t gid,
                uint64_t now);
    // mode: a type (regular, character or block device, fifo, socket; 0 is regular) and
    // permissions; rdev as make_device gives it.
    Errno mknod(uint32_t start, const char *path, size_t length, uint32_t mode, uint64_t rdev, uint32_t uid,
                uint32_t gid, uint64_t now);
    Errno symlink(const char *target, size_t target_length, uint32_t start, const char *path, size_t length,
                  uint32_t uid, uint32_t gid, uint64_t now);
    // A new name for ino (linkat; the caller resolved the old path as it asked).
    Errno link(uint32_t ino, uint32_t start, const char *path, size_t length, uint64_t now);
    Errno unlink(uint32_t start, const char *path, size_t length, uint64_t now);
    Errno rmdir(uint32_t start, const char *path, size_t length, uint64_t now);
    Errno rename(uint32_t old_start, const char *old_path, size_t old_length, uint32_t new_start,
                 const char *new_path, size_t new_length, uint64_t now);

    // --- Inodes. ---

    // References: an inode is freed when it has neither links nor references.
    // A regular file in no directory, held once for the caller and gone with its last drop
    // (a /proc file's text, made when it is opened). Its contents are written as any file's.
    Errno make_detached(uint32_t permissions, uint64_t now, uint32_t &ino);
    Errno hold(uint32_t ino);
    void drop(uint32_t ino);

    Errno stat(uint32_t ino, Stat &stat) const;
    // Copies up to size bytes of a symbolic link's target (not NUL-terminated; truncated
    // like readlink's); EINVAL for anything else.
    Errno readlink(uint32_t ino, char *buffer, size_t size, size_t &length) const;
    // Regular files only (EISDIR for a directory, EINVAL for the rest). Holes read as zeros.
    Errno read(uint32_t ino, uint64_t offset, void *buffer, size_t length, size_t &done) const;
    // Extends the file as needed; ENOSPC only when nothing could be written.
    Errno write(uint32_t ino, uint64_t offset, const void *data, size_t length, uint64_t now, size_t &done);
    Errno truncate(uint32_t ino, uint64_t size, uint64_t now);
    Errno chmod(uint32_t ino, uint32_t permissions, uint64_t now);
    // ~0u leaves uid or gid as it is.
    Errno chown(uint32_t ino, uint32_t uid, uint32_t gid, uint64_t now);
    // atime, mtime: nanoseconds, time_now or time_omit.
    Errno set_times(uint32_t ino, uint64_t atime, uint64_t mtime, uint64_t now);

    // The entry at or after cookie: 0 is ".", 1 is "..", then the entries; an entry keeps
    // its cookie while it exists, so removing entries while reading skips none. Entries
    // added meanwhile may or may not be seen. ENOENT for a removed directory.
    Errno read_directory(uint32_t dir, uint64_t cookie, Dir_entry &entry) const;
    // The directory holding dir (the root's is the root); ENOENT once dir is removed.
    Errno parent_of(uint32_t dir, uint32_t &parent) const;
    // A name of ino in dir (for getcwd), valid until dir changes; ENOENT if none.
    Errno name_in(uint32_t dir, uint32_t ino, const char *&name, size_t &length) const;

    // The bytes of a regular file still read from the archive, in place (for the ELF
    // loader), or nullptr once the file has pages of its own.
    const uint8_t *contiguous_data(uint32_t ino, size_t &size) const;

    uint32_t inodes_in_use() const { return inodes_used_; }

    // st_rdev from major and minor, as glibc's makedev.
    static constexpr uint64_t make_device(uint32_t major, uint32_t minor)
    {
        return (uint64_t{major & 0xfffff000u} << 32) | (uint64_t{major & 0xfffu} << 8) |
               (uint64_t{minor & 0xffffff00u} << 12) | uint64_t{minor & 0xffu};
    }

private:
    static constexpr size_t page_size = Vfs_pages::page_size;
    static constexpr size_t short_target = 32;  // symlink targets this short live in the inode

    // Invariants: mode == 0 exactly for a free slot. A directory's nlink is 2 plus its
    // subdirectories while it is linked, 0 once removed; parent is the directory holding it
    // (the root's is the root; 0 once removed). size is a regular file's length, a
    // symlink target's length, or a directory's entry count. A regular file's bytes at
    // offset o < size are: its data page o / page_size if present, else the archive's
    // (backing) if o < backing_size, else zero; bytes of data pages at or beyond size are
    // zero; backing_size <= size. A symlink's target is in the archive (backing), in
    // short_text, or in data page 0. A directory's entry pages are data pages 0 .. n - 1,
    // all present.
    struct Inode {
        uint32_t mode;
        uint32_t nlink;
        uint32_t uid, gid;
        uint32_t refs;
        uint32_t parent;
        uint64_t size;
        uint64_t rdev;
        uint64_t atime, mtime, ctime;
        Vfs_page_tree data;
        const uint8_t *backing;
        uint64_t backing_size;
        char short_text[short_target];
    };
    static constexpr uint32_t inodes_per_page = static_cast<uint32_t>(page_size / sizeof(Inode));

    // A directory entry; ino 0 is a free slot.
    struct Dir_slot {
        uint32_t ino;
        uint8_t length;
        char name[max_name];
    };
    static constexpr size_t slots_per_page = (page_size - sizeof(uint32_t)) / sizeof(Dir_slot);
    struct Dir_page {
        uint32_t used;  // slots with ino != 0
        Dir_slot slots[slots_per_page];
    };

    enum class Walk_mode { follow, no_follow, parent, parent_follow };

    // vfs.cpp: inodes, contents and directories.
    Inode *inode(uint32_t ino) const;  // nullptr unless ino is in use
    Inode &live(uint32_t ino) const;    // ino is known to be in use
    Errno reserve_inode(uint32_t &ino);
    Inode &init_inode(uint32_t ino, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t now);
    void free_if_unused(uint32_t ino);
    bool is_directory(const Inode &node) const { return (node.mode & type_mask) == type_directory; }
    const char *symlink_text(const Inode &node) const;
    Dir_slot *find_slot(const Inode &dir, const char *name, size_t length, Dir_page **page) const;
    Errno reserve_slot(Inode &dir, Dir_slot *&slot, Dir_page *&page);
    void fill_slot(Inode &dir, Dir_slot &slot, Dir_page &page, const char *name, size_t length, uint32_t ino);
    void clear_slot(Inode &dir, Dir_slot &slot, Dir_page &page);
    void trim_directory(Inode &dir);
    uint32_t lookup(const Inode &dir, const char *name, size_t length) const;
    Errno make_node(uint32_t dir, const char *name, size_t length, uint32_t mode, uint64_t rdev, uint32_t uid,
                    uint32_t gid, uint64_t now, const char *target, size_t target_length, bool target_in_archive,
                    uint32_t &ino);
    void unlink_entry(uint32_t dir, Dir_slot &slot, Dir_page &page, uint64_t now);
    void touch_directory(uint32_t dir, uint64_t now);
    bool is_within(uint32_t ino, uint32_t ancestor) const;

    // vfs-path.cpp: path resolution.
    Errno walk(uint32_t start, const char *path, size_t length, Walk_mode mode, Walk &result) const;
    Errno check_new_name(const Walk &walk, bool directory) const;

    // vfs-cpio.cpp
    Errno load_member(const Cpio_archive::Entry &member, uint64_t now);

    Vfs_pages &pages_;
    Inode *inode_pages_[max_inodes / inodes_per_page] = {};
    uint32_t inodes_used_ = 0;
    uint32_t free_hint_ = 0;  // where reserve_inode starts looking
};

#endif
