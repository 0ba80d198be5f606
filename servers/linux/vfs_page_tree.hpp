// SPDX-License-Identifier: MIT
// Where the file system's memory comes from (Vfs_pages), and the sparse array of pages that
// holds one inode's contents (Vfs_page_tree): a radix tree of 512-way index pages, as high
// as the largest index needs, so that a one-page file costs one page and a hole costs none.
#ifndef LINUX_VFS_PAGE_TREE_HPP
#define LINUX_VFS_PAGE_TREE_HPP

#include <stddef.h>
#include <stdint.h>

// The file system's source of 4 KiB pages (the server's Frame_pool; the host tests' heap).
class Vfs_pages {
public:
    static constexpr size_t page_size = 4096;
    // A zeroed, page-aligned page of page_size bytes, or nullptr when none is left.
    virtual void *allocate() = 0;
    virtual void release(void *page) = 0;

protected:
    ~Vfs_pages() = default;
};

// Invariants: depth_ is the number of index levels above the data pages, so the tree covers
// page indices [0, 512^depth_); an empty tree has root_ == nullptr and depth_ == 0; a
// null pointer anywhere is a hole; pages_ counts the data pages (not the index pages).
// All-zero bytes are an empty tree, so a tree in a zeroed page needs no constructor.
class Vfs_page_tree {
public:
    static constexpr unsigned fanout_log2 = 9;
    static constexpr uint64_t fanout = uint64_t{1} << fanout_log2;  // pointers in an index page
    static constexpr unsigned max_depth = 2;
    static constexpr uint64_t max_pages = fanout * fanout;  // 1 GiB of data at most

    // The data page at index, or nullptr for a hole.
    void *find(uint64_t index) const;
    // The data page at index; a missing one is allocated (zeroed, fresh set), with the index
    // pages on its way. nullptr when index >= max_pages or the pages run out, and then the
    // tree is as it was: everything needed is allocated before anything is linked.
    void *ensure(Vfs_pages &pages, uint64_t index, bool &fresh);
    // Releases every data page at index >= first and the index pages that leave empty, and
    // lowers the tree while a lower one covers what is left. cut(pages, 0) empties it.
    void cut(Vfs_pages &pages, uint64_t first);

    uint64_t pages() const { return pages_; }
    bool empty() const { return root_ == nullptr; }

private:
    void free_node(Vfs_pages &pages, void *node, unsigned level);
    void prune(Vfs_pages &pages, void **node, unsigned level, uint64_t base, uint64_t first);

    void *root_ = nullptr;
    uint32_t pages_ = 0;
    uint8_t depth_ = 0;
};

#endif
