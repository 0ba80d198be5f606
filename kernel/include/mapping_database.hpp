// SPDX-License-Identifier: MIT
// The mapping database: which mappings of physical memory were derived from which, so that
// X.2's map, grant and recursive unmap can be done (docs/kernel.md, "Mapping database").
//
// It is a pure data structure: it knows nodes (class Mapping) and trees, not page tables.
// The kernel keeps, for every page-table entry of a user mapping, a back pointer to its
// node, and for every frame sigma0 owns the root node (made on sigma0's first map of it);
// the operations here then do the tree part of X.2:
//
//   map item      map(sender's node, receiver, address, size, piece) after the kernel has
//                 revoked whatever the receiver had there (unless that is the sender's node
//                 or above it: is_in_subtree_of); the new node is the sender's first child.
//   grant item    grant(sender's node, receiver, address): the node moves, its subtree stays.
//   Unmap         revoke(node, Scope::derived_only or whole_subtree (flush), Action::remove,
//                 visit): visit clears each page-table entry and gathers its access bits.
//                 Rights reduction is Action::visit_only: the visitor narrows the entries.
//   space deleted revoke(node, Scope::whole_subtree, Action::remove, visit) for every node
//                 the space's page table points to.
//   I/O ports     create_port_root, map_port (the child maps the same port) and grant with
//                 the node's own address; revoke as for memory (Mapping::is_port tells the
//                 visitor which kind of node it sees).
//   a part of a   split(node, replaced) first, when an operation covers only part of a
//   2 MiB mapping 2 MiB mapping: the node and every 2 MiB node below it become 512 4 KiB
//                 nodes each; replaced() is where the kernel rewrites the page-table entries
//                 (and back pointers) of each replaced node. That needs a page table per
//                 replaced node: large_pages_in_subtree() says how many to get beforehand.
//
// Every operation checks all its arguments and gets all the memory it needs before it
// changes anything: an error leaves the database exactly as it was. Running out of
// memory is Error::out_of_memory, never a panic. Nodes come from a slab cache of this
// database over the Page_allocator the caller passes.
//
// Every Mapping argument must be a live node of this database. The database does not know
// which (space, address) pairs are in use: one node per page-table entry is the kernel's
// part. Callbacks must not change the database. revoke's visitor sees an intact tree and
// may ask Mapping's questions; split's callback runs on a half-rebuilt one and must not.
// Not thread-safe: the kernel is not preemptible and runs on one CPU (split uses a table
// in the object).
//
// Cost: map, grant and a root O(1); revoke O(nodes visited); split O(512 * replaced nodes +
// other nodes of the subtree); parent and is_in_subtree_of O(nodes between, in preorder).
#pragma once

#include "mapping.hpp"
#include "page_allocator.hpp"
#include "slab_cache.hpp"
#include "types.hpp"

class Mapping_database {
public:
    using Page_size = Mapping::Page_size;

    // Arguments are checked in this order, memory last; the first failure is returned.
    enum class Error {
        none,
        bad_space,      // nullptr space
        bad_address,    // not aligned to the page size, or not below Mapping::virt_limit
        bad_size,       // a child bigger than its parent
        bad_piece,      // piece >= 512, or a piece where none is meant (see map)
        too_deep,       // the parent is at Mapping::max_depth
        not_large,      // split of a 4 KiB node
        wrong_kind,     // a port operation on a memory node, or the other way round
        out_of_memory,  // no memory for the nodes
    };

    // Which nodes revoke affects: the node and its derived mappings, or those only.
    enum class Scope { whole_subtree, derived_only };
    // Whether revoke removes the nodes it visits or only visits them.
    enum class Action { remove, visit_only };

    // The 512 4 KiB nodes that replace a 2 MiB node in split; pieces[i] maps piece i.
    using Pieces = Mapping *const[Mapping::pieces_per_large_page];

    constexpr Mapping_database() = default;
    Mapping_database(const Mapping_database &) = delete;
    Mapping_database &operator=(const Mapping_database &) = delete;

    // A new tree: its root, at depth 0, maps a frame into space at virt. For a 4 KiB root,
    // piece is which 4 KiB frame of the 2 MiB-aligned frame around it the root maps
    // ((physical address >> 12) % 512); for a 2 MiB root it must be 0.
    [[nodiscard]] Error create_root(Page_allocator &pages, Space *space, Virt_addr virt, Page_size size,
                                    unsigned piece, Mapping *&root);

    // Derives a mapping from parent: a new child of parent at depth + 1, mapping into space at
    // virt, no bigger than parent. piece_of_parent says which 4 KiB piece of a 2 MiB parent a
    // 4 KiB child maps; in every other case it must be 0 (a 4 KiB child of a 4 KiB parent
    // maps the parent's piece, a 2 MiB child the whole frame).
    [[nodiscard]] Error map(Page_allocator &pages, Mapping &parent, Space *space, Virt_addr virt, Page_size size,
                            unsigned piece_of_parent, Mapping *&child);

    // Moves mapping to space at virt (aligned to its size). It keeps its place in the tree:
    // its parent, depth, piece and the mappings derived from it stay. A port node keeps its
    // port: virt must be its own address.
    [[nodiscard]] Error grant(Mapping &mapping, Space *space, Virt_addr virt);

    // A new tree of one I/O port (port < Mapping::ports): its root, at depth 0, gives the
    // port to space.
    [[nodiscard]] Error create_port_root(Page_allocator &pages, Space *space, unsigned port, Mapping *&root);
    // Derives a port mapping from the port node parent: a new child of parent at depth + 1
    // giving the same port to space.
    [[nodiscard]] Error map_port(Page_allocator &pages, Mapping &parent, Space *space, Mapping *&child);

    // Calls visit(const Mapping &) (a callable object, such as a lambda) for each node of
    // mapping's subtree, with or without mapping itself by scope, in preorder: every node
    // after its parent, so mapping first when it is included. All visits run on the intact
    // tree; with Action::remove the nodes are unlinked and freed after the last visit.
    // Returns the number of nodes visited.
    template <typename Visit>
    size_t revoke(Mapping &mapping, Scope scope, Action action, Visit &&visit)
    {
        auto call = [](void *context, const Mapping &node) { (*static_cast<decltype(&visit)>(context))(node); };
        return revoke_nodes(mapping, scope, action, Visitor{context_of(visit), call});
    }

    // Replaces large (2 MiB) and every 2 MiB node of its subtree by 512 4 KiB nodes each, with
    // the same space, depth and (for piece i) address + i * 4 KiB. The pieces of a replaced
    // node's parent become their parents (for large itself its parent stays: a 2 MiB node or
    // none, when large is a root and so becomes 512 roots); a 4 KiB node whose parent was
    // replaced moves under that parent's node of its own piece; other nodes keep their parent.
    // replaced(const Mapping &old, const Pieces &pieces) (a callable object) is called once
    // per replaced node, parents first, while the tree is being rebuilt (the pieces' space,
    // address, size, depth and piece are final); old is freed after it returns. All new nodes
    // are allocated before anything changes.
    template <typename Replaced>
    [[nodiscard]] Error split(Page_allocator &pages, Mapping &large, Replaced &&replaced)
    {
        auto call = [](void *context, const Mapping &old, const Pieces &pieces) {
            (*static_cast<decltype(&replaced)>(context))(old, pieces);
        };
        return split_nodes(pages, large, Split_callback{context_of(replaced), call});
    }

    // How many 2 MiB nodes split(mapping) would replace (0 for a 4 KiB node); it allocates
    // this times 512 nodes.
    static size_t large_pages_in_subtree(const Mapping &mapping);

    size_t mappings() const { return nodes_.objects_in_use(); }
    const Slab_cache &cache() const { return nodes_; }
    // Returns the pages of empty slabs to pages (the allocator the nodes came from).
    size_t reclaim(Page_allocator &pages) { return nodes_.reclaim(pages); }

private:
    // Borrowed callables, so that the algorithms live in mapping_database.cpp, not in templates.
    struct Visitor {
        void *context;
        void (*call)(void *context, const Mapping &node);
    };
    struct Split_callback {
        void *context;
        void (*call)(void *context, const Mapping &old, const Pieces &pieces);
    };
    template <typename Callable>
    static void *context_of(Callable &callable)
    {
        return const_cast<void *>(static_cast<const void *>(&callable));
    }

    size_t revoke_nodes(Mapping &mapping, Scope scope, Action action, Visitor visit);
    Error split_nodes(Page_allocator &pages, Mapping &large, Split_callback replaced);

    static Error check_place(Space *space, Virt_addr virt, Page_size size);
    // Links node in as parent's newest child (right after parent in preorder).
    static void link_child(Mapping &parent, Mapping *node);
    void release(Mapping *node);
    // Moves node to the end of split_tails_[piece]'s circular list (see split).
    void append_to_piece(unsigned piece, Mapping *node);

    Slab_cache nodes_{"mapping", sizeof(Mapping), alignof(Mapping)};
    // split's working table: the last node of each piece's list (512 pointers, one page). It
    // lives here rather than on the kernel stack.
    Mapping *split_tails_[Mapping::pieces_per_large_page] = {};
};
