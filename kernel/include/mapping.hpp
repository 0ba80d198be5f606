// SPDX-License-Identifier: MIT
// One node of the mapping database: one mapping of a page of physical memory into an
// address space, and its place in the tree of mappings derived from the same frame.
//
// Every tree (one per root frame; its root is sigma0's mapping, at depth 0) is a doubly
// linked list of its nodes in preorder, each node carrying its depth:
//
//   - the subtree of a node is the run of nodes after it whose depth is greater;
//   - the parent of a node is the nearest node before it whose depth is smaller;
//   - a node's children follow it at depth + 1, in no particular order.
//
// So a subtree is unlinked in one piece and walked without a stack or recursion, and a
// node costs four words (sizeof(Mapping) == 32): two links, the space, and one word
// packing the virtual address with the depth, the page size and the piece.
//
// Page sizes are 4 KiB and 2 MiB. A tree whose root maps a 2 MiB frame can hold both
// sizes; a 4 KiB node is never the parent of a 2 MiB node. Every 4 KiB node knows its
// piece: which 4 KiB frame of the 2 MiB-aligned physical frame around it it maps (0..511),
// so one derived from a 2 MiB mapping knows its frame (the root frame's base + piece *
// 4 KiB). A 4 KiB node has its parent's piece when its parent is 4 KiB too; 2 MiB nodes
// have piece 0.
//
// A node can also stand for an I/O port instead of memory (x86's I/O-port flexpages): a
// port node maps port p into its space at the same port (ports are mapped idempotently),
// kept as the address p * 4 KiB, 4 KiB sized with piece 0, and marked by a bit of its own
// so that revocation knows it clears a permission bit, not a page-table entry. Each port
// has its own trees; a port node's parent and children are port nodes of the same port.
//
// Nodes are made, changed and freed only by Mapping_database; this class answers questions
// about the tree. The queries walk the list, so they must not run on a tree while split is
// rebuilding it (in its callback); revoke's visitor sees an intact tree and may use them.
#pragma once

#include "types.hpp"

class Space;

class Mapping {
public:
    enum class Page_size : uint8_t { size_4k, size_2m };

    static constexpr unsigned pieces_per_large_page = 512;
    // The depth field is 16 bits wide. Nothing in the database is recursive, so depth costs
    // no stack; the bound only keeps the field from wrapping (a real system nests maybe ten).
    static constexpr unsigned max_depth = 0xffff;
    // Virtual addresses are kept in 48 bits, enough for x86-64 four-level paging.
    static constexpr Virt_addr virt_limit = Virt_addr{1} << 48;

    static constexpr uint64_t bytes_of(Page_size size)
    {
        return size == Page_size::size_2m ? page_size << 9 : page_size;
    }

    Mapping(const Mapping &) = delete;
    Mapping &operator=(const Mapping &) = delete;

    Space *space() const { return space_; }
    Virt_addr virt() const { return place_ & virt_mask; }
    Page_size size() const { return (place_ & large_bit) != 0 ? Page_size::size_2m : Page_size::size_4k; }
    uint64_t bytes() const { return bytes_of(size()); }
    unsigned depth() const { return static_cast<unsigned>(place_ >> depth_shift); }
    unsigned piece() const { return static_cast<unsigned>(place_ & piece_mask); }
    bool is_root() const { return depth() == 0; }
    bool is_port() const { return (place_ & port_bit) != 0; }
    // The port a port node maps (meaningless for memory nodes).
    unsigned port() const { return static_cast<unsigned>(virt() / page_size); }

    // I/O ports 0..ports - 1; a port node keeps port p as the address p * page_size.
    static constexpr unsigned ports = 1u << 16;
    static constexpr Virt_addr port_address(unsigned port) { return Virt_addr{port} * page_size; }

    // The mapping this one was derived from, or nullptr for a root. Costs one step per node
    // between the two in preorder (the subtrees of the siblings in between).
    Mapping *parent() const;
    // Whether this node is ancestor or ancestor's descendant (its subtree includes itself).
    // Costs one step per node between the two in preorder.
    bool is_in_subtree_of(const Mapping &ancestor) const;
    // The first node after this one's subtree, or nullptr when the tree ends there. Costs one
    // step per node of the subtree.
    Mapping *subtree_end() const;

    // The neighbours in the tree's preorder list (nullptr at its ends): for walking a tree,
    // for example to print it. A node's subtree is [this, subtree_end()).
    Mapping *next_in_preorder() const { return next_; }
    Mapping *previous_in_preorder() const { return previous_; }

private:
    friend class Mapping_database;

    // Layout of place_: the virtual address keeps its own bits (47..12); its page offset
    // holds the piece (8..0), the size (9) and the port mark (10); the depth sits above the
    // address (63..48).
    static constexpr uint64_t piece_mask = pieces_per_large_page - 1;
    static constexpr uint64_t large_bit = uint64_t{1} << 9;
    static constexpr uint64_t port_bit = uint64_t{1} << 10;
    static constexpr unsigned depth_shift = 48;
    static constexpr uint64_t virt_mask = (virt_limit - 1) & ~(page_size - 1);
    static_assert((piece_mask | large_bit | port_bit) < page_size, "piece, size and port mark live in the page offset");
    static_assert(virt_limit == uint64_t{1} << depth_shift, "the depth sits right above the address");
    static_assert(max_depth == ~uint64_t{0} >> depth_shift, "max_depth is what the depth field holds");

    // The database checks the arguments (alignment, ranges) before it makes a node.
    Mapping(Space *space, Virt_addr virt, Page_size size, unsigned depth, unsigned piece, bool port = false)
        : space_(space), place_(pack(virt, size, depth, piece) | (port ? port_bit : 0))
    {
    }

    static constexpr uint64_t pack(Virt_addr virt, Page_size size, unsigned depth, unsigned piece)
    {
        return (uint64_t{depth} << depth_shift) | (virt & virt_mask) | (size == Page_size::size_2m ? large_bit : 0) |
               (piece & piece_mask);
    }
    void move_to(Space *space, Virt_addr virt)
    {
        space_ = space;
        place_ = pack(virt, size(), depth(), piece()) | (place_ & port_bit);
    }

    Mapping *next_ = nullptr;      // preorder successor in this tree; nullptr for the last node
    Mapping *previous_ = nullptr;  // preorder predecessor; nullptr exactly for the root
    Space *space_;
    uint64_t place_;  // virtual address, depth, size and piece (layout above)
};

static_assert(sizeof(Mapping) == 32, "a mapping costs four words (docs/kernel.md, Mapping database)");
