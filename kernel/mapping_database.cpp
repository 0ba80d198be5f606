// SPDX-License-Identifier: MIT
// The operations of the mapping database on the preorder lists of mapping.hpp.
#include "mapping_database.hpp"

#include <new>

// Invariants, on top of those of every tree (mapping.cpp):
// - Every live node came from nodes_ and is in exactly one tree's list; nodes_ holds no
//   other objects, so mappings() is the number of live nodes.
// - A 2 MiB node's parent is a 2 MiB node (or none); all 2 MiB nodes of a tree map its root
//   frame, and a tree with a 4 KiB root has 4 KiB nodes only.
// - A 4 KiB node with a 4 KiB parent has its parent's piece; 2 MiB nodes have piece 0.
// - Depth <= Mapping::max_depth, virtual addresses aligned to the size and below
//   Mapping::virt_limit, spaces not nullptr.
// - A tree holds port nodes only or memory nodes only; all nodes of a port tree are 4 KiB
//   sized with piece 0 and the same address, their port's (ports are mapped idempotently).

namespace {

constexpr size_t piece_count = Mapping::pieces_per_large_page;

}  // namespace

Mapping_database::Error Mapping_database::check_place(Space *space, Virt_addr virt, Page_size size)
{
    if (space == nullptr)
        return Error::bad_space;
    uint64_t bytes = Mapping::bytes_of(size);
    if (!is_aligned(virt, bytes) || virt >= Mapping::virt_limit || Mapping::virt_limit - virt < bytes)
        return Error::bad_address;
    return Error::none;
}

void Mapping_database::release(Mapping *node)
{
    node->~Mapping();
    // Cannot fail: node came from nodes_ and is freed once (it was in exactly one list).
    static_cast<void>(nodes_.free(node));
}

Mapping_database::Error Mapping_database::create_root(Page_allocator &pages, Space *space, Virt_addr virt,
                                                      Page_size size, unsigned piece, Mapping *&root)
{
    if (Error error = check_place(space, virt, size); error != Error::none)
        return error;
    if (piece >= piece_count || (size == Page_size::size_2m && piece != 0))
        return Error::bad_piece;
    void *memory = nodes_.allocate(pages);
    if (memory == nullptr)
        return Error::out_of_memory;
    root = new (memory) Mapping(space, virt, size, 0, piece);
    return Error::none;
}

Mapping_database::Error Mapping_database::map(Page_allocator &pages, Mapping &parent, Space *space, Virt_addr virt,
                                              Page_size size, unsigned piece_of_parent, Mapping *&child)
{
    if (Error error = check_place(space, virt, size); error != Error::none)
        return error;
    if (parent.is_port())
        return Error::wrong_kind;
    bool parent_large = parent.size() == Page_size::size_2m;
    if (size == Page_size::size_2m && !parent_large)
        return Error::bad_size;
    bool names_piece = parent_large && size == Page_size::size_4k;
    if (names_piece ? piece_of_parent >= piece_count : piece_of_parent != 0)
        return Error::bad_piece;
    if (parent.depth() >= Mapping::max_depth)
        return Error::too_deep;
    void *memory = nodes_.allocate(pages);
    if (memory == nullptr)
        return Error::out_of_memory;

    unsigned piece = names_piece ? piece_of_parent : parent.piece();
    auto *node = new (memory) Mapping(space, virt, size, parent.depth() + 1, piece);
    link_child(parent, node);
    child = node;
    return Error::none;
}

void Mapping_database::link_child(Mapping &parent, Mapping *node)
{
    // Right after its parent it is a child whatever the parent's other children are.
    node->previous_ = &parent;
    node->next_ = parent.next_;
    if (parent.next_ != nullptr)
        parent.next_->previous_ = node;
    parent.next_ = node;
}

Mapping_database::Error Mapping_database::grant(Mapping &mapping, Space *space, Virt_addr virt)
{
    if (Error error = check_place(space, virt, mapping.size()); error != Error::none)
        return error;
    if (mapping.is_port() && virt != mapping.virt())
        return Error::bad_address;
    mapping.move_to(space, virt);
    return Error::none;
}

Mapping_database::Error Mapping_database::create_port_root(Page_allocator &pages, Space *space, unsigned port,
                                                           Mapping *&root)
{
    if (space == nullptr)
        return Error::bad_space;
    if (port >= Mapping::ports)
        return Error::bad_address;
    void *memory = nodes_.allocate(pages);
    if (memory == nullptr)
        return Error::out_of_memory;
    root = new (memory) Mapping(space, Mapping::port_address(port), Page_size::size_4k, 0, 0, true);
    return Error::none;
}

Mapping_database::Error Mapping_database::map_port(Page_allocator &pages, Mapping &parent, Space *space,
                                                   Mapping *&child)
{
    if (space == nullptr)
        return Error::bad_space;
    if (!parent.is_port())
        return Error::wrong_kind;
    if (parent.depth() >= Mapping::max_depth)
        return Error::too_deep;
    void *memory = nodes_.allocate(pages);
    if (memory == nullptr)
        return Error::out_of_memory;
    auto *node = new (memory) Mapping(space, parent.virt(), Page_size::size_4k, parent.depth() + 1, 0, true);
    link_child(parent, node);
    child = node;
    return Error::none;
}

size_t Mapping_database::revoke_nodes(Mapping &mapping, Scope scope, Action action, Visitor visit)
{
    Mapping *end = mapping.subtree_end();
    Mapping *first = scope == Scope::whole_subtree ? &mapping : mapping.next_;
    size_t visited = 0;
    for (Mapping *node = first; node != end; node = node->next_) {
        visit.call(visit.context, *node);
        ++visited;
    }
    if (action == Action::visit_only || first == end)
        return visited;

    // [first, end) is one run of the list: cut it out, then free it along its own links.
    Mapping *before = first->previous_;
    if (before != nullptr)
        before->next_ = end;
    if (end != nullptr)
        end->previous_ = before;
    for (Mapping *node = first; node != end;) {
        Mapping *next = node->next_;
        release(node);
        node = next;
    }
    return visited;
}

size_t Mapping_database::large_pages_in_subtree(const Mapping &mapping)
{
    size_t large = 0;
    const Mapping *end = mapping.subtree_end();
    for (const Mapping *node = &mapping; node != end; node = node->next_)
        if (node->size() == Page_size::size_2m)
            ++large;
    return large;
}

void Mapping_database::append_to_piece(unsigned piece, Mapping *node)
{
    // Each piece's list is circular while it is built: its last node's next_ is its first.
    Mapping *tail = split_tails_[piece];
    node->next_ = tail->next_;
    node->previous_ = tail;
    tail->next_ = node;
    split_tails_[piece] = node;
}

// Splitting works on the subtree S of large in preorder. Piece i of the result is S with
// every 2 MiB node M replaced by its piece M[i] and the 4 KiB nodes of other pieces left
// out, in the same order and at the same depths. That is again a preorder list with depths
// of the tree wanted: a 4 KiB node's subtree holds only nodes of its piece, so leaving it
// out leaves out whole subtrees; and a node's nearest earlier node of smaller depth, its
// parent, is still there (a 2 MiB parent as its piece i, a 4 KiB one being of piece i too).
// One pass over S builds all 512 lists, appending to the list of each node's piece; then
// they are joined in piece order where S was (or become 512 trees when large is a root).
// No depth changes, so no depth check is needed.
Mapping_database::Error Mapping_database::split_nodes(Page_allocator &pages, Mapping &large, Split_callback replaced)
{
    if (large.size() != Page_size::size_2m)
        return Error::not_large;

    // All new nodes first, on a list through their next_, so failing changes nothing.
    size_t needed = large_pages_in_subtree(large) * piece_count;
    Mapping *spare = nullptr;
    for (size_t i = 0; i < needed; ++i) {
        void *memory = nodes_.allocate(pages);
        if (memory == nullptr) {
            while (spare != nullptr) {
                Mapping *next = spare->next_;
                release(spare);
                spare = next;
            }
            return Error::out_of_memory;
        }
        auto *node = new (memory) Mapping(nullptr, 0, Page_size::size_4k, 0, 0);
        node->next_ = spare;
        spare = node;
    }

    Mapping *before = large.previous_;  // nullptr iff large is a root
    Mapping *end = large.subtree_end();
    for (Mapping *node = &large; node != end;) {
        Mapping *next = node->next_;  // read before node is relinked or freed
        if (node->size() == Page_size::size_4k) {
            append_to_piece(node->piece(), node);
        } else {
            for (unsigned i = 0; i < piece_count; ++i) {
                Mapping *piece = spare;
                spare = spare->next_;
                new (piece) Mapping(node->space_, node->virt() + i * page_size, Page_size::size_4k, node->depth(), i);
                if (node == &large) {
                    piece->next_ = piece;  // the first node of piece i's list
                    split_tails_[i] = piece;
                } else {
                    append_to_piece(i, piece);
                }
            }
            replaced.call(replaced.context, *node, split_tails_);
            release(node);
        }
        node = next;
    }

    // Join the lists where S was, or close each as a tree of its own.
    Mapping *last = before;
    for (unsigned i = 0; i < piece_count; ++i) {
        Mapping *first = split_tails_[i]->next_;
        first->previous_ = last;
        if (last != nullptr)
            last->next_ = first;
        if (before == nullptr)
            split_tails_[i]->next_ = nullptr;
        else
            last = split_tails_[i];
    }
    if (before != nullptr) {
        last->next_ = end;
        if (end != nullptr)
            end->previous_ = last;
    }
    for (Mapping *&tail : split_tails_)
        tail = nullptr;
    return Error::none;
}
