// SPDX-License-Identifier: MIT
#include "vfs_page_tree.hpp"

namespace {

using Node = void *;

// How many data pages a node at level covers (a data page is level 0).
constexpr uint64_t span(unsigned level) { return uint64_t{1} << (Vfs_page_tree::fanout_log2 * level); }

// The smallest depth whose tree covers index (index < max_pages).
unsigned depth_for(uint64_t index)
{
    unsigned depth = 0;
    while (index >= span(depth))
        ++depth;
    return depth;
}

// The slot of an index page at level (>= 1) on the way to index.
size_t slot(uint64_t index, unsigned level) { return (index / span(level - 1)) % Vfs_page_tree::fanout; }

Node *children(void *index_page) { return static_cast<Node *>(index_page); }

bool all_null(void *index_page, size_t from)
{
    for (size_t i = from; i < Vfs_page_tree::fanout; ++i)
        if (children(index_page)[i] != nullptr)
            return false;
    return true;
}

}  // namespace

void *Vfs_page_tree::find(uint64_t index) const
{
    if (index >= span(depth_))
        return nullptr;
    void *node = root_;
    for (unsigned level = depth_; level > 0 && node != nullptr; --level)
        node = children(node)[slot(index, level)];
    return node;
}

void *Vfs_page_tree::ensure(Vfs_pages &pages, uint64_t index, bool &fresh)
{
    fresh = false;
    if (index >= max_pages)
        return nullptr;
    if (void *page = find(index))
        return page;

    // Count the pages this takes: new levels above the root, then the missing nodes on
    // the way down (a missing node at level l takes l - 1 index pages and a data page).
    const unsigned need = depth_for(index);
    unsigned count = 0;
    if (root_ == nullptr) {
        count = need + 1;
    } else if (need > depth_) {
        // The top slot of index is not 0 (index >= span(need - 1)), so index leaves the old
        // root's chain right under the new top: everything below is missing.
        count = (need - depth_) + need;
    } else {
        void *node = root_;
        for (unsigned level = depth_; level > 0; --level) {
            void *child = children(node)[slot(index, level)];
            if (child == nullptr) {
                count = level;
                break;
            }
            node = child;
        }
    }

    void *taken[2 * max_depth + 1];
    for (unsigned i = 0; i < count; ++i) {
        taken[i] = pages.allocate();
        if (taken[i] == nullptr) {
            while (i > 0)
                pages.release(taken[--i]);
            return nullptr;
        }
    }

    // From here on nothing fails.
    unsigned used = 0;
    if (root_ == nullptr) {
        depth_ = static_cast<uint8_t>(need);
    } else {
        while (depth_ < need) {
            void *top = taken[used++];
            children(top)[0] = root_;
            root_ = top;
            ++depth_;
        }
    }
    Node *link = &root_;
    for (unsigned level = depth_;; --level) {
        if (*link == nullptr)
            *link = taken[used++];
        if (level == 0)
            break;
        link = &children(*link)[slot(index, level)];
    }
    ++pages_;
    fresh = true;
    return *link;
}

void Vfs_page_tree::free_node(Vfs_pages &pages, void *node, unsigned level)
{
    if (level == 0) {
        --pages_;
    } else {
        for (size_t i = 0; i < fanout; ++i)
            if (children(node)[i] != nullptr)
                free_node(pages, children(node)[i], level - 1);
    }
    pages.release(node);
}

// Frees what lies at index >= first under *node, an index page (level >= 1) that covers
// [base, base + span(level)), with base < first; frees *node too if that empties it.
void Vfs_page_tree::prune(Vfs_pages &pages, void **node, unsigned level, uint64_t base, uint64_t first)
{
    for (size_t i = 0; i < fanout; ++i) {
        Node &child = children(*node)[i];
        const uint64_t child_base = base + i * span(level - 1);
        if (child == nullptr || child_base + span(level - 1) <= first)
            continue;
        if (child_base >= first) {
            free_node(pages, child, level - 1);
            child = nullptr;
        } else if (level > 1) {
            prune(pages, &child, level - 1, child_base, first);
        }
    }
    if (all_null(*node, 0)) {
        pages.release(*node);
        *node = nullptr;
    }
}

void Vfs_page_tree::cut(Vfs_pages &pages, uint64_t first)
{
    if (root_ == nullptr || first >= span(depth_))
        return;
    if (first == 0) {
        free_node(pages, root_, depth_);
        root_ = nullptr;
        depth_ = 0;
        return;
    }
    // first > 0 and first < span(depth_), so depth_ >= 1 and the root is an index page.
    prune(pages, &root_, depth_, 0, first);
    while (root_ != nullptr && depth_ > 0 && all_null(root_, 1)) {
        void *only = children(root_)[0];
        pages.release(root_);
        root_ = only;
        --depth_;
    }
    if (root_ == nullptr)
        depth_ = 0;
}
