// SPDX-License-Identifier: MIT
// The mapping database on the host: unit tests of each operation and its edge cases, then
// a property test that runs thousands of random operations against a plain model (explicit
// parent pointers in standard containers) and compares everything after every step.
//
// Nodes come from a Page_allocator over a host buffer that pretends to be physical memory
// at fake_base (as in slab_cache_test.cpp); spaces are fake pointers that are never
// dereferenced.
#include "mapping_database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using Page_size = Mapping::Page_size;
using Error = Mapping_database::Error;
using Scope = Mapping_database::Scope;
using Action = Mapping_database::Action;
using Pieces = Mapping_database::Pieces;

constexpr Phys_addr fake_base = 0x40000000;
constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t max_block = page_size << Page_allocator::max_order;
constexpr uint64_t small_page = 4 * kib;
constexpr uint64_t large_page = 2 * mib;
constexpr unsigned pieces = Mapping::pieces_per_large_page;
constexpr Page_size size_4k = Page_size::size_4k;
constexpr Page_size size_2m = Page_size::size_2m;

static_assert(Mapping::bytes_of(size_4k) == small_page && Mapping::bytes_of(size_2m) == large_page);
static_assert(sizeof(Mapping) == 32);
// docs/kernel.md: 124 nodes to a 4 KiB slab, about 33 bytes of memory per mapping.
static_assert(Slab_cache("mapping", sizeof(Mapping), alignof(Mapping)).objects_per_slab() == 124);
static_assert(Slab_cache("mapping", sizeof(Mapping), alignof(Mapping)).slab_order() == 0);
// Kernel globals are constinit: the database is constant-initialized, allocating nothing.
static_assert((Mapping_database(), true));

class Memory {
public:
    explicit Memory(uint64_t size)
    {
        uint64_t allocated = align_up(size, max_block);  // aligned_alloc wants a multiple
        bytes_ = static_cast<uint8_t *>(std::aligned_alloc(max_block, allocated));
        if (bytes_ == nullptr)
            return;
        std::memset(bytes_, 0, allocated);
        Range_set usable;
        EXPECT_EQ(usable.insert({fake_base, fake_base + size}), Range_set::Error::none);
        ok_ = pages.init(usable, reinterpret_cast<uintptr_t>(bytes_) - fake_base) == Page_allocator::Error::none;
    }
    ~Memory() { std::free(bytes_); }
    Memory(const Memory &) = delete;
    Memory &operator=(const Memory &) = delete;

    bool ok() const { return ok_; }

    // Takes free pages until only keep are left (to be given back by release_held()).
    void hold_all_but(uint64_t keep)
    {
        while (pages.free_pages() > keep) {
            Phys_addr page = pages.allocate(0);
            ASSERT_NE(page, 0u);
            held_.push_back(page);
        }
    }
    void release_held()
    {
        for (Phys_addr page : held_)
            EXPECT_EQ(pages.free(page, 0), Page_allocator::Error::none);
        held_.clear();
    }

    Page_allocator pages;

private:
    uint8_t *bytes_ = nullptr;
    bool ok_ = false;
    std::vector<Phys_addr> held_;
};

// Fake address spaces: distinct, never dereferenced.
Space *space(unsigned number) { return reinterpret_cast<Space *>(uintptr_t{0x10000} * (number + 1)); }

// A node as seen from outside, including its links, to prove that failures change nothing.
struct Node_state {
    const Mapping *node;
    Space *space;
    Virt_addr virt;
    Page_size size;
    unsigned depth;
    unsigned piece;
    const Mapping *previous;
    const Mapping *next;
    bool operator==(const Node_state &) const = default;
};

std::vector<const Mapping *> tree_of(const Mapping &root)
{
    std::vector<const Mapping *> nodes;
    for (const Mapping *node = &root; node != nullptr; node = node->next_in_preorder())
        nodes.push_back(node);
    return nodes;
}

std::vector<Node_state> state_of(std::initializer_list<const Mapping *> roots)
{
    std::vector<Node_state> state;
    for (const Mapping *root : roots)
        for (const Mapping *node : tree_of(*root))
            state.push_back({node, node->space(), node->virt(), node->size(), node->depth(), node->piece(),
                             node->previous_in_preorder(), node->next_in_preorder()});
    return state;
}

// The links of a tree agree both ways, its root has depth 0, depths step down at most one.
::testing::AssertionResult well_formed(const Mapping &root)
{
    if (root.previous_in_preorder() != nullptr || root.depth() != 0)
        return ::testing::AssertionFailure() << "root " << &root << " has a predecessor or depth";
    for (const Mapping *node = &root; node->next_in_preorder() != nullptr; node = node->next_in_preorder()) {
        const Mapping *next = node->next_in_preorder();
        if (next->previous_in_preorder() != node)
            return ::testing::AssertionFailure() << "links disagree at " << node;
        if (next->depth() == 0 || next->depth() > node->depth() + 1)
            return ::testing::AssertionFailure() << "depth jumps at " << next;
    }
    return ::testing::AssertionSuccess();
}

class Mapping_database_test : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(memory.ok()); }

    Mapping *root(Space *owner, Virt_addr virt, Page_size size, unsigned piece = 0)
    {
        Mapping *node = nullptr;
        EXPECT_EQ(db.create_root(memory.pages, owner, virt, size, piece, node), Error::none);
        return node;
    }
    Mapping *map(Mapping *parent, Space *owner, Virt_addr virt, Page_size size, unsigned piece = 0)
    {
        Mapping *node = nullptr;
        EXPECT_EQ(db.map(memory.pages, *parent, owner, virt, size, piece, node), Error::none);
        return node;
    }
    std::vector<const Mapping *> revoke(Mapping *node, Scope scope, Action action)
    {
        std::vector<const Mapping *> visited;
        size_t count = db.revoke(*node, scope, action, [&](const Mapping &m) { visited.push_back(&m); });
        EXPECT_EQ(count, visited.size());
        return visited;
    }
    struct Replacement {
        const Mapping *old;
        std::vector<Mapping *> pieces;
    };
    // Splits and records what the callback saw, checking each piece's fields on the way.
    std::vector<Replacement> split(Mapping *large, Error expected = Error::none)
    {
        std::vector<Replacement> seen;
        Error error = db.split(memory.pages, *large, [&](const Mapping &old, const Pieces &new_pieces) {
            Replacement r{&old, {}};
            EXPECT_EQ(old.size(), size_2m);
            for (unsigned i = 0; i < pieces; ++i) {
                const Mapping *piece = new_pieces[i];
                EXPECT_EQ(piece->space(), old.space());
                EXPECT_EQ(piece->virt(), old.virt() + i * small_page);
                EXPECT_EQ(piece->size(), size_4k);
                EXPECT_EQ(piece->depth(), old.depth());
                EXPECT_EQ(piece->piece(), i);
                r.pieces.push_back(new_pieces[i]);
            }
            seen.push_back(r);
        });
        EXPECT_EQ(error, expected);
        return seen;
    }

    Memory memory{4 * mib};  // room for a chain of max_depth nodes
    Mapping_database db;
};

}  // namespace

TEST_F(Mapping_database_test, a_node_packs_address_depth_size_and_piece_into_four_words)
{
    Mapping *top = root(space(0), Mapping::virt_limit - large_page, size_2m);
    Mapping *last = map(top, space(1), Mapping::virt_limit - small_page, size_4k, pieces - 1);
    Mapping *zero = map(last, space(2), 0, size_4k);
    ASSERT_NE(zero, nullptr);
    EXPECT_EQ(top->virt(), Mapping::virt_limit - large_page);
    EXPECT_EQ(top->size(), size_2m);
    EXPECT_EQ(top->bytes(), large_page);
    EXPECT_EQ(top->depth(), 0u);
    EXPECT_EQ(top->piece(), 0u);
    EXPECT_TRUE(top->is_root());
    EXPECT_EQ(last->virt(), Mapping::virt_limit - small_page);
    EXPECT_EQ(last->size(), size_4k);
    EXPECT_EQ(last->bytes(), small_page);
    EXPECT_EQ(last->depth(), 1u);
    EXPECT_EQ(last->piece(), pieces - 1);
    EXPECT_EQ(last->space(), space(1));
    EXPECT_FALSE(last->is_root());
    EXPECT_EQ(zero->virt(), 0u);
    EXPECT_EQ(zero->depth(), 2u);
    EXPECT_EQ(zero->piece(), pieces - 1);
    EXPECT_EQ(db.mappings(), 3u);
}

TEST_F(Mapping_database_test, a_root_has_depth_zero_no_parent_and_is_a_tree_of_one)
{
    Mapping *node = root(space(0), 0x1000, size_4k, 7);
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->depth(), 0u);
    EXPECT_EQ(node->piece(), 7u);
    EXPECT_EQ(node->parent(), nullptr);
    EXPECT_EQ(node->next_in_preorder(), nullptr);
    EXPECT_EQ(node->previous_in_preorder(), nullptr);
    EXPECT_EQ(node->subtree_end(), nullptr);
    EXPECT_TRUE(node->is_in_subtree_of(*node));
    EXPECT_EQ(db.mappings(), 1u);
}

TEST_F(Mapping_database_test, create_root_refuses_bad_arguments_and_allocates_nothing)
{
    Mapping *node = nullptr;
    auto create = [&](Space *owner, Virt_addr virt, Page_size size, unsigned piece) {
        return db.create_root(memory.pages, owner, virt, size, piece, node);
    };
    EXPECT_EQ(create(nullptr, 0, size_4k, 0), Error::bad_space);
    EXPECT_EQ(create(space(0), 0x1800, size_4k, 0), Error::bad_address);
    EXPECT_EQ(create(space(0), 0x1000, size_2m, 0), Error::bad_address);
    EXPECT_EQ(create(space(0), Mapping::virt_limit, size_4k, 0), Error::bad_address);
    EXPECT_EQ(create(space(0), ~uint64_t{0} & ~(large_page - 1), size_2m, 0), Error::bad_address);
    EXPECT_EQ(create(space(0), 0, size_4k, pieces), Error::bad_piece);
    EXPECT_EQ(create(space(0), 0, size_2m, 1), Error::bad_piece);
    EXPECT_EQ(node, nullptr);
    EXPECT_EQ(db.mappings(), 0u);
    EXPECT_EQ(db.cache().pages_in_use(), 0u);
}

TEST_F(Mapping_database_test, map_puts_the_child_right_after_its_parent_one_deeper)
{
    Mapping *top = root(space(0), 0, size_4k);
    Mapping *first = map(top, space(1), 0x1000, size_4k);
    Mapping *grandchild = map(first, space(2), 0x2000, size_4k);
    Mapping *second = map(top, space(3), 0x3000, size_4k);
    // Preorder: top, second (newest child first), first, grandchild.
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, second, first, grandchild}));
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(first->depth(), 1u);
    EXPECT_EQ(second->depth(), 1u);
    EXPECT_EQ(grandchild->depth(), 2u);
    EXPECT_EQ(first->parent(), top);
    EXPECT_EQ(second->parent(), top);
    EXPECT_EQ(grandchild->parent(), first);
    EXPECT_EQ(first->space(), space(1));
    EXPECT_EQ(first->virt(), 0x1000u);
    EXPECT_EQ(top->subtree_end(), nullptr);
    EXPECT_EQ(second->subtree_end(), first);
    EXPECT_EQ(first->subtree_end(), nullptr);
}

TEST_F(Mapping_database_test, map_of_a_2m_parent_names_the_piece_and_4k_children_inherit_it)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *large = map(top, space(1), 4 * large_page, size_2m);
    Mapping *piece = map(large, space(2), 0x5000, size_4k, 300);
    Mapping *below = map(piece, space(3), 0x7000, size_4k);
    EXPECT_EQ(large->piece(), 0u);
    EXPECT_EQ(large->size(), size_2m);
    EXPECT_EQ(piece->piece(), 300u);
    EXPECT_EQ(below->piece(), 300u);
    EXPECT_EQ(below->parent(), piece);
    EXPECT_EQ(piece->parent(), large);
    EXPECT_EQ(large->parent(), top);
    EXPECT_TRUE(well_formed(*top));

    Mapping *small_root = root(space(0), 0x9000, size_4k, 17);
    EXPECT_EQ(map(small_root, space(1), 0xa000, size_4k)->piece(), 17u);
}

TEST_F(Mapping_database_test, map_refuses_bad_arguments_and_changes_nothing)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *small = map(top, space(1), 0x1000, size_4k, 3);
    auto before = state_of({top});
    Mapping *child = nullptr;
    auto attempt = [&](Mapping *parent, Space *owner, Virt_addr virt, Page_size size, unsigned piece) {
        return db.map(memory.pages, *parent, owner, virt, size, piece, child);
    };
    EXPECT_EQ(attempt(top, nullptr, 0, size_4k, 0), Error::bad_space);
    EXPECT_EQ(attempt(top, space(1), 0x10, size_4k, 0), Error::bad_address);
    EXPECT_EQ(attempt(top, space(1), 0x1000, size_2m, 0), Error::bad_address);
    EXPECT_EQ(attempt(top, space(1), Mapping::virt_limit, size_4k, 0), Error::bad_address);
    EXPECT_EQ(attempt(small, space(2), 0, size_2m, 0), Error::bad_size);  // bigger than the parent
    EXPECT_EQ(attempt(top, space(2), 0, size_4k, pieces), Error::bad_piece);
    EXPECT_EQ(attempt(top, space(2), 0, size_2m, 1), Error::bad_piece);    // a 2 MiB child has no piece
    EXPECT_EQ(attempt(small, space(2), 0, size_4k, 1), Error::bad_piece);  // nor a child of a 4 KiB one
    EXPECT_EQ(child, nullptr);
    EXPECT_EQ(state_of({top}), before);
    EXPECT_EQ(db.mappings(), 2u);
}

TEST_F(Mapping_database_test, a_chain_reaches_max_depth_and_no_further)
{
    Mapping *top = root(space(0), 0, size_4k);
    Mapping *deepest = top;
    for (unsigned depth = 1; depth <= Mapping::max_depth; ++depth) {
        deepest = map(deepest, space(depth % 2), depth % 2 == 0 ? 0 : 0x1000, size_4k);
        ASSERT_NE(deepest, nullptr);
    }
    EXPECT_EQ(deepest->depth(), Mapping::max_depth);
    EXPECT_EQ(deepest->parent()->depth(), Mapping::max_depth - 1);
    EXPECT_TRUE(deepest->is_in_subtree_of(*top));
    EXPECT_FALSE(top->is_in_subtree_of(*deepest));

    auto before = state_of({top});
    Mapping *child = nullptr;
    EXPECT_EQ(db.map(memory.pages, *deepest, space(5), 0, size_4k, 0, child), Error::too_deep);
    EXPECT_EQ(state_of({top}), before);
    EXPECT_EQ(db.mappings(), size_t{Mapping::max_depth} + 1);

    // Revoking the chain from its middle visits every node below, deepest last.
    Mapping *middle = top;
    for (unsigned depth = 0; depth < 1000; ++depth)
        middle = middle->next_in_preorder();
    auto visited = revoke(middle, Scope::derived_only, Action::remove);
    ASSERT_EQ(visited.size(), Mapping::max_depth - 1000u);
    EXPECT_EQ(visited.front()->depth(), 1001u);
    EXPECT_EQ(visited.back(), deepest);
    EXPECT_EQ(middle->next_in_preorder(), nullptr);
    EXPECT_EQ(db.mappings(), 1001u);
    EXPECT_TRUE(well_formed(*top));
    revoke(top, Scope::whole_subtree, Action::remove);
    EXPECT_EQ(db.mappings(), 0u);
}

TEST_F(Mapping_database_test, grant_moves_a_node_and_keeps_its_place_and_subtree)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *large = map(top, space(1), large_page, size_2m);
    Mapping *below = map(large, space(2), 0x3000, size_4k, 9);
    Mapping *sibling = map(top, space(3), 0x4000, size_4k, 1);
    auto links_before = tree_of(*top);

    EXPECT_EQ(db.grant(*large, space(4), 7 * large_page), Error::none);
    EXPECT_EQ(large->space(), space(4));
    EXPECT_EQ(large->virt(), 7 * large_page);
    EXPECT_EQ(large->size(), size_2m);
    EXPECT_EQ(large->depth(), 1u);
    EXPECT_EQ(large->parent(), top);
    EXPECT_EQ(below->parent(), large);
    EXPECT_EQ(below->space(), space(2));
    EXPECT_EQ(tree_of(*top), links_before);

    // A root can be granted too; it stays a root.
    EXPECT_EQ(db.grant(*top, space(5), 0), Error::none);
    EXPECT_TRUE(top->is_root());
    EXPECT_EQ(top->space(), space(5));
    EXPECT_EQ(sibling->parent(), top);
    EXPECT_EQ(db.mappings(), 4u);
}

TEST_F(Mapping_database_test, grant_refuses_bad_arguments_and_changes_nothing)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *small = map(top, space(1), 0x1000, size_4k, 3);
    auto before = state_of({top});
    EXPECT_EQ(db.grant(*small, nullptr, 0), Error::bad_space);
    EXPECT_EQ(db.grant(*small, space(2), 0x1234), Error::bad_address);
    EXPECT_EQ(db.grant(*small, space(2), Mapping::virt_limit), Error::bad_address);
    EXPECT_EQ(db.grant(*top, space(2), 0x1000), Error::bad_address);  // a 2 MiB node needs 2 MiB alignment
    EXPECT_EQ(db.grant(*top, space(2), Mapping::virt_limit - small_page), Error::bad_address);
    EXPECT_EQ(state_of({top}), before);
}

TEST_F(Mapping_database_test, a_port_tree_keeps_its_port_and_mark_through_map_grant_and_revoke)
{
    Mapping *port_root = nullptr;
    ASSERT_EQ(db.create_port_root(memory.pages, space(0), 0x3f8, port_root), Error::none);
    EXPECT_TRUE(port_root->is_port());
    EXPECT_TRUE(port_root->is_root());
    EXPECT_EQ(port_root->port(), 0x3f8u);
    EXPECT_EQ(port_root->size(), size_4k);
    EXPECT_EQ(port_root->piece(), 0u);
    Mapping *child = nullptr, *grandchild = nullptr;
    ASSERT_EQ(db.map_port(memory.pages, *port_root, space(1), child), Error::none);
    ASSERT_EQ(db.map_port(memory.pages, *child, space(2), grandchild), Error::none);
    EXPECT_TRUE(child->is_port() && grandchild->is_port());
    EXPECT_EQ(child->port(), 0x3f8u);
    EXPECT_EQ(grandchild->port(), 0x3f8u);
    EXPECT_EQ(grandchild->depth(), 2u);
    EXPECT_EQ(grandchild->parent(), child);

    // A grant moves the node to another space at the same port, and keeps the mark.
    EXPECT_EQ(db.grant(*child, space(3), Mapping::port_address(0x3f9)), Error::bad_address);
    EXPECT_EQ(db.grant(*child, space(3), Mapping::port_address(0x3f8)), Error::none);
    EXPECT_TRUE(child->is_port());
    EXPECT_EQ(child->space(), space(3));
    EXPECT_EQ(child->port(), 0x3f8u);
    EXPECT_EQ(grandchild->parent(), child);

    // A memory node's mark is clear; the two kinds do not mix.
    Mapping *memory_root = root(space(0), 0x5000, size_4k);
    EXPECT_FALSE(memory_root->is_port());
    Mapping *wrong = nullptr;
    EXPECT_EQ(db.map_port(memory.pages, *memory_root, space(1), wrong), Error::wrong_kind);
    EXPECT_EQ(db.map(memory.pages, *port_root, space(1), 0x1000, size_4k, 0, wrong), Error::wrong_kind);
    EXPECT_EQ(db.split(memory.pages, *port_root, [](const Mapping &, const Pieces &) {}), Error::not_large);
    EXPECT_EQ(wrong, nullptr);

    EXPECT_EQ(revoke(port_root, Scope::derived_only, Action::remove),
              (std::vector<const Mapping *>{child, grandchild}));
    EXPECT_EQ(db.mappings(), 2u);
}

TEST_F(Mapping_database_test, port_operations_refuse_bad_arguments_and_allocate_nothing)
{
    Mapping *node = nullptr;
    EXPECT_EQ(db.create_port_root(memory.pages, nullptr, 1, node), Error::bad_space);
    EXPECT_EQ(db.create_port_root(memory.pages, space(0), Mapping::ports, node), Error::bad_address);
    EXPECT_EQ(db.create_port_root(memory.pages, space(0), ~0u, node), Error::bad_address);
    EXPECT_EQ(node, nullptr);
    EXPECT_EQ(db.mappings(), 0u);
    ASSERT_EQ(db.create_port_root(memory.pages, space(0), Mapping::ports - 1, node), Error::none);
    EXPECT_EQ(node->port(), Mapping::ports - 1);
    Mapping *child = nullptr;
    EXPECT_EQ(db.map_port(memory.pages, *node, nullptr, child), Error::bad_space);
    EXPECT_EQ(child, nullptr);
    EXPECT_EQ(db.mappings(), 1u);
}

// A tree used by the revoke tests:
//   top
//   ├── a
//   │   ├── a1
//   │   │   └── a11
//   │   └── a2
//   └── b
//       └── b1
class Revoke_test : public Mapping_database_test {
protected:
    void SetUp() override
    {
        Mapping_database_test::SetUp();
        top = root(space(0), 0, size_4k);
        b = map(top, space(1), 0x1000, size_4k);
        b1 = map(b, space(2), 0x1000, size_4k);
        a = map(top, space(1), 0x2000, size_4k);
        a2 = map(a, space(3), 0x2000, size_4k);
        a1 = map(a, space(2), 0x2000, size_4k);
        a11 = map(a1, space(3), 0x3000, size_4k);
        ASSERT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, a, a1, a11, a2, b, b1}));
    }
    Mapping *top, *a, *a1, *a11, *a2, *b, *b1;
};

TEST_F(Revoke_test, derived_only_removes_the_subtree_in_preorder_and_keeps_the_node)
{
    auto visited = revoke(a, Scope::derived_only, Action::remove);
    EXPECT_EQ(visited, (std::vector<const Mapping *>{a1, a11, a2}));
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, a, b, b1}));
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(b->parent(), top);
    EXPECT_EQ(db.mappings(), 4u);
}

TEST_F(Revoke_test, whole_subtree_removes_the_node_too)
{
    auto visited = revoke(a, Scope::whole_subtree, Action::remove);
    EXPECT_EQ(visited, (std::vector<const Mapping *>{a, a1, a11, a2}));
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, b, b1}));
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(db.mappings(), 3u);
}

TEST_F(Revoke_test, of_the_last_subtree_ends_the_list)
{
    auto visited = revoke(b, Scope::whole_subtree, Action::remove);
    EXPECT_EQ(visited, (std::vector<const Mapping *>{b, b1}));
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, a, a1, a11, a2}));
    EXPECT_EQ(a2->next_in_preorder(), nullptr);
    EXPECT_TRUE(well_formed(*top));
}

TEST_F(Revoke_test, of_a_leaf)
{
    EXPECT_TRUE(revoke(a11, Scope::derived_only, Action::remove).empty());
    EXPECT_EQ(db.mappings(), 7u);
    EXPECT_EQ(revoke(a11, Scope::whole_subtree, Action::remove), (std::vector<const Mapping *>{a11}));
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, a, a1, a2, b, b1}));
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(db.mappings(), 6u);
}

TEST_F(Revoke_test, of_the_root_frees_the_whole_tree)
{
    auto derived = revoke(top, Scope::derived_only, Action::remove);
    EXPECT_EQ(derived.size(), 6u);
    EXPECT_EQ(tree_of(*top), (std::vector<const Mapping *>{top}));
    EXPECT_TRUE(well_formed(*top));
    b = map(top, space(1), 0x1000, size_4k);
    EXPECT_EQ(revoke(top, Scope::whole_subtree, Action::remove), (std::vector<const Mapping *>{top, b}));
    EXPECT_EQ(db.mappings(), 0u);
    EXPECT_GT(db.reclaim(memory.pages), 0u);
    EXPECT_EQ(db.cache().pages_in_use(), 0u);
}

TEST_F(Revoke_test, visit_only_visits_the_same_nodes_and_changes_nothing)
{
    auto before = state_of({top});
    EXPECT_EQ(revoke(a, Scope::whole_subtree, Action::visit_only), (std::vector<const Mapping *>{a, a1, a11, a2}));
    EXPECT_EQ(revoke(top, Scope::derived_only, Action::visit_only),
              (std::vector<const Mapping *>{a, a1, a11, a2, b, b1}));
    EXPECT_EQ(state_of({top}), before);
    EXPECT_EQ(db.mappings(), 7u);
}

TEST_F(Revoke_test, visits_run_on_the_intact_tree_parents_first)
{
    std::vector<const Mapping *> seen;
    db.revoke(*a, Scope::whole_subtree, Action::remove, [&](const Mapping &node) {
        // Every node is still linked, and its parent was visited before it (or is a's parent).
        const Mapping *parent = node.parent();
        EXPECT_TRUE(parent == top || std::find(seen.begin(), seen.end(), parent) != seen.end());
        EXPECT_TRUE(node.is_in_subtree_of(*a));
        EXPECT_TRUE(node.is_in_subtree_of(*top));
        EXPECT_FALSE(node.is_in_subtree_of(*b));
        seen.push_back(&node);
    });
    EXPECT_EQ(seen.size(), 4u);
}

TEST_F(Revoke_test, parent_skips_the_subtrees_of_earlier_siblings)
{
    EXPECT_EQ(b->parent(), top);
    EXPECT_EQ(a2->parent(), a);
    EXPECT_EQ(a11->parent(), a1);
    EXPECT_EQ(b1->parent(), b);
    EXPECT_EQ(top->parent(), nullptr);
    EXPECT_EQ(a->subtree_end(), b);
    EXPECT_EQ(a1->subtree_end(), a2);
    EXPECT_EQ(a11->subtree_end(), a2);
    EXPECT_EQ(b->subtree_end(), nullptr);
}

TEST_F(Revoke_test, is_in_subtree_of_follows_the_tree)
{
    EXPECT_TRUE(a11->is_in_subtree_of(*a11));
    EXPECT_TRUE(a11->is_in_subtree_of(*a1));
    EXPECT_TRUE(a11->is_in_subtree_of(*a));
    EXPECT_TRUE(a11->is_in_subtree_of(*top));
    EXPECT_FALSE(a11->is_in_subtree_of(*a2));  // a later sibling's subtree
    EXPECT_FALSE(a2->is_in_subtree_of(*a1));   // an earlier sibling's
    EXPECT_FALSE(b1->is_in_subtree_of(*a));
    EXPECT_FALSE(a->is_in_subtree_of(*a1));  // ancestors are not below their descendants
    EXPECT_TRUE(b1->is_in_subtree_of(*b));
    Mapping *other = root(space(0), 0x9000, size_4k);
    Mapping *other_child = map(other, space(1), 0x9000, size_4k);
    EXPECT_FALSE(other_child->is_in_subtree_of(*top));
    EXPECT_FALSE(a->is_in_subtree_of(*other));
    EXPECT_FALSE(top->is_in_subtree_of(*other));
}

TEST_F(Mapping_database_test, split_of_a_2m_leaf_gives_512_children_of_its_parent)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *before = map(top, space(1), 0x1000, size_4k, 4);
    Mapping *leaf = map(top, space(2), 8 * large_page, size_2m);
    ASSERT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, leaf, before}));
    EXPECT_EQ(Mapping_database::large_pages_in_subtree(*leaf), 1u);

    auto replaced = split(leaf);
    ASSERT_EQ(replaced.size(), 1u);
    EXPECT_EQ(replaced[0].old, leaf);
    EXPECT_TRUE(well_formed(*top));
    auto nodes = tree_of(*top);
    ASSERT_EQ(nodes.size(), 2u + pieces);
    for (unsigned i = 0; i < pieces; ++i) {
        const Mapping *piece = nodes[1 + i];
        EXPECT_EQ(piece, replaced[0].pieces[i]);  // piece order
        EXPECT_EQ(piece->parent(), top);
        EXPECT_EQ(piece->space(), space(2));
        EXPECT_EQ(piece->virt(), 8 * large_page + i * small_page);
        EXPECT_EQ(piece->depth(), 1u);
        EXPECT_EQ(piece->piece(), i);
    }
    EXPECT_EQ(nodes.back(), before);
    EXPECT_EQ(db.mappings(), 2u + pieces);
}

TEST_F(Mapping_database_test, split_refuses_4k_nodes)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *small = map(top, space(1), 0, size_4k, 1);
    auto before = state_of({top});
    EXPECT_EQ(Mapping_database::large_pages_in_subtree(*small), 0u);
    EXPECT_TRUE(split(small, Error::not_large).empty());
    EXPECT_EQ(state_of({top}), before);
}

// top (2M, space 0)
// └── m (2M, space 1, at 2M)            <- split
//     ├── x (4K piece 5, space 2)
//     │   └── x1 (4K, space 3)
//     ├── n (2M, space 2, at 4M)
//     │   ├── y (4K piece 5, space 3)
//     │   └── z (4K piece 511, space 4)
//     │       └── z1 (4K, space 0)
//     └── w (4K piece 0, space 4)
// then a sibling s (2M, space 5) of m that must stay as it is.
TEST_F(Mapping_database_test, split_replaces_nested_2m_nodes_and_moves_4k_nodes_under_their_piece)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *s = map(top, space(5), 10 * large_page, size_2m);
    Mapping *m = map(top, space(1), 1 * large_page, size_2m);
    Mapping *w = map(m, space(4), 0x7000, size_4k, 0);
    Mapping *n = map(m, space(2), 2 * large_page, size_2m);
    Mapping *z = map(n, space(4), 0x8000, size_4k, 511);
    Mapping *z1 = map(z, space(0), 0x9000, size_4k);
    Mapping *y = map(n, space(3), 0xa000, size_4k, 5);
    Mapping *x = map(m, space(2), 0xb000, size_4k, 5);
    Mapping *x1 = map(x, space(3), 0xc000, size_4k);
    Mapping *s_child = map(s, space(6), 0xd000, size_4k, 5);
    ASSERT_EQ(tree_of(*top), (std::vector<const Mapping *>{top, m, x, x1, n, y, z, z1, w, s, s_child}));
    EXPECT_EQ(Mapping_database::large_pages_in_subtree(*m), 2u);
    EXPECT_EQ(Mapping_database::large_pages_in_subtree(*top), 4u);

    auto replaced = split(m);
    ASSERT_EQ(replaced.size(), 2u);
    EXPECT_EQ(replaced[0].old, m);  // parents first
    EXPECT_EQ(replaced[1].old, n);
    const std::vector<Mapping *> &mp = replaced[0].pieces;
    const std::vector<Mapping *> &np = replaced[1].pieces;
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(db.mappings(), 9u + 2 * pieces);

    for (unsigned i = 0; i < pieces; ++i) {
        EXPECT_EQ(mp[i]->parent(), top);
        EXPECT_EQ(mp[i]->depth(), 1u);
        EXPECT_EQ(np[i]->parent(), mp[i]);
        EXPECT_EQ(np[i]->depth(), 2u);
        EXPECT_EQ(np[i]->space(), space(2));
        EXPECT_EQ(np[i]->virt(), 2 * large_page + i * small_page);
    }
    // 4 KiB nodes went under the piece of their old parent; their own children stayed.
    EXPECT_EQ(x->parent(), mp[5]);
    EXPECT_EQ(x1->parent(), x);
    EXPECT_EQ(w->parent(), mp[0]);
    EXPECT_EQ(y->parent(), np[5]);
    EXPECT_EQ(z->parent(), np[511]);
    EXPECT_EQ(z1->parent(), z);
    EXPECT_EQ(z1->depth(), 4u);
    EXPECT_EQ(x->depth(), 2u);
    EXPECT_EQ(y->depth(), 3u);
    // The sibling after m and its child are untouched.
    EXPECT_EQ(s->parent(), top);
    EXPECT_EQ(s->size(), size_2m);
    EXPECT_EQ(s_child->parent(), s);
    EXPECT_EQ(mp[511]->subtree_end(), s);
    // Piece 5 of m holds exactly x, x1, its n piece and y.
    std::vector<const Mapping *> piece5;
    for (const Mapping *node = mp[5]; node != mp[5]->subtree_end(); node = node->next_in_preorder())
        piece5.push_back(node);
    std::sort(piece5.begin() + 1, piece5.end());
    std::vector<const Mapping *> expected{x, x1, np[5], y};
    std::sort(expected.begin(), expected.end());
    expected.insert(expected.begin(), mp[5]);
    EXPECT_EQ(piece5, expected);

    // Revoking a piece now takes only that piece's mappings.
    auto visited = revoke(mp[5], Scope::whole_subtree, Action::remove);
    EXPECT_EQ(visited.size(), 5u);
    EXPECT_TRUE(well_formed(*top));
    EXPECT_EQ(db.mappings(), 4u + 2 * pieces);
}

TEST_F(Mapping_database_test, split_of_a_root_makes_512_trees)
{
    Mapping *top = root(space(0), 6 * large_page, size_2m);
    Mapping *child = map(top, space(1), 0, size_2m);
    Mapping *small = map(child, space(2), 0x1000, size_4k, 77);
    auto replaced = split(top);
    ASSERT_EQ(replaced.size(), 2u);
    EXPECT_EQ(db.mappings(), 1u + 2 * pieces);
    for (unsigned i = 0; i < pieces; ++i) {
        Mapping *new_root = replaced[0].pieces[i];
        EXPECT_TRUE(new_root->is_root());
        EXPECT_EQ(new_root->parent(), nullptr);
        EXPECT_EQ(new_root->virt(), 6 * large_page + i * small_page);
        EXPECT_TRUE(well_formed(*new_root));
        auto nodes = tree_of(*new_root);
        ASSERT_EQ(nodes.size(), i == 77 ? 3u : 2u);
        EXPECT_EQ(nodes[1], replaced[1].pieces[i]);
        EXPECT_EQ(nodes[1]->parent(), new_root);
        if (i == 77) {
            EXPECT_EQ(nodes[2], small);
        }
    }
    EXPECT_EQ(small->parent(), replaced[1].pieces[77]);
    EXPECT_EQ(small->depth(), 2u);
}

TEST_F(Mapping_database_test, create_root_and_map_out_of_memory_change_nothing)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *child = map(top, space(1), 0, size_4k, 1);
    memory.hold_all_but(0);
    // Use up the slab's remaining objects.
    std::vector<Mapping *> filler;
    for (;;) {
        Mapping *node = nullptr;
        Error error = db.create_root(memory.pages, space(2), 0, size_4k, 0, node);
        if (error != Error::none) {
            EXPECT_EQ(error, Error::out_of_memory);
            break;
        }
        filler.push_back(node);
        ASSERT_LT(filler.size(), 1000u);
    }
    auto before = state_of({top});
    size_t count = db.mappings();
    Mapping *node = nullptr;
    EXPECT_EQ(db.map(memory.pages, *child, space(3), 0, size_4k, 0, node), Error::out_of_memory);
    EXPECT_EQ(db.map(memory.pages, *top, space(3), 0, size_2m, 0, node), Error::out_of_memory);
    EXPECT_EQ(node, nullptr);
    EXPECT_EQ(state_of({top}), before);
    EXPECT_EQ(db.mappings(), count);

    // With a page back, mapping works again.
    memory.release_held();
    EXPECT_EQ(db.map(memory.pages, *child, space(3), 0, size_4k, 0, node), Error::none);
    EXPECT_EQ(node->parent(), child);
}

TEST_F(Mapping_database_test, split_out_of_memory_changes_nothing)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *m = map(top, space(1), large_page, size_2m);
    Mapping *n = map(m, space(2), large_page, size_2m);
    Mapping *x = map(n, space(3), 0x1000, size_4k, 9);
    ASSERT_NE(x, nullptr);
    // The free objects of the first slab and 5 more slabs of 124 hold the 512 nodes one
    // replaced node needs, not the 1024 of two.
    size_t room = db.cache().objects_per_slab() * 6 - db.mappings();
    ASSERT_GT(room, size_t{pieces});
    ASSERT_LT(room, size_t{2 * pieces});
    ASSERT_EQ(db.cache().slab_count(), 1u);
    memory.hold_all_but(5);
    auto before = state_of({top});
    EXPECT_TRUE(split(m, Error::out_of_memory).empty());
    EXPECT_EQ(state_of({top}), before);
    EXPECT_EQ(db.mappings(), 4u);
    EXPECT_TRUE(well_formed(*top));

    // n alone fits.
    EXPECT_EQ(split(n).size(), 1u);
    EXPECT_EQ(db.mappings(), 3u + pieces);
    EXPECT_EQ(x->parent()->parent(), m);
    memory.release_held();
}

TEST_F(Mapping_database_test, every_node_returns_to_the_cache)
{
    Mapping *top = root(space(0), 0, size_2m);
    Mapping *m = map(top, space(1), large_page, size_2m);
    map(m, space(2), 0x1000, size_4k, 9);
    uint64_t free_before = memory.pages.free_pages();
    auto replaced = split(top);
    ASSERT_EQ(replaced.size(), 2u);
    for (Mapping *new_root : replaced[0].pieces)
        revoke(new_root, Scope::whole_subtree, Action::remove);
    EXPECT_EQ(db.mappings(), 0u);
    db.reclaim(memory.pages);
    EXPECT_EQ(db.cache().pages_in_use(), 0u);
    EXPECT_GE(memory.pages.free_pages(), free_before);
}

// ---------------------------------------------------------------------------------------
// Property test: random operations against a model that keeps each node's parent and
// children explicitly. Maps are keyed by node address, whose order inside the one memory
// buffer is the same on every run, so a seed always gives the same run.

namespace {

class Model_run {
public:
    explicit Model_run(uint64_t seed) : random_(seed) {}

    void run(unsigned steps)
    {
        ASSERT_TRUE(memory_.ok());
        for (step_ = 0; step_ < steps; ++step_) {
            SCOPED_TRACE(::testing::Message() << "step " << step_);
            one_step();
            if (::testing::Test::HasFatalFailure())
                return;
            check(step_ % 250 == 249);
            if (::testing::Test::HasFatalFailure())
                return;
        }
        // The run must have done each kind of step, including ones that ran out of memory.
        for (const char *kind : {"root", "map", "grant", "revoke", "visit", "split", "nested split", "delete space",
                                 "split oom", "map oom", "refused"})
            EXPECT_GT(done_[kind], 0u) << kind;
        // Everything goes back.
        for (Space *owner : spaces_)
            delete_space(owner);
        EXPECT_TRUE(live_.empty());
        EXPECT_EQ(db_.mappings(), 0u);
        db_.reclaim(memory_.pages);
        EXPECT_EQ(db_.cache().pages_in_use(), 0u);
    }

private:
    struct Expected {
        Space *space;
        Virt_addr virt;
        Page_size size;
        unsigned depth;
        unsigned piece;
        Mapping *parent;
        std::set<Mapping *> children = {};
        size_t slot = 0;  // index in order_
    };

    // The model's own bookkeeping: live_ by node, order_ for picking one at random.
    void model_add(Mapping *node, Expected expected)
    {
        ASSERT_EQ(live_.count(node), 0u) << "a live node handed out again";
        expected.slot = order_.size();
        order_.push_back(node);
        if (expected.parent != nullptr)
            live_.at(expected.parent).children.insert(node);
        live_.emplace(node, std::move(expected));
    }
    void model_remove(Mapping *node)
    {
        Expected &expected = live_.at(node);
        if (expected.parent != nullptr && live_.count(expected.parent) == 1)
            live_.at(expected.parent).children.erase(node);
        Mapping *moved = order_.back();
        order_[expected.slot] = moved;
        live_.at(moved).slot = expected.slot;
        order_.pop_back();
        live_.erase(node);
    }
    void model_move(Mapping *node, Mapping *new_parent)
    {
        Expected &expected = live_.at(node);
        if (live_.count(expected.parent) == 1)
            live_.at(expected.parent).children.erase(node);
        expected.parent = new_parent;
        live_.at(new_parent).children.insert(node);
    }
    bool model_in_subtree(Mapping *node, Mapping *ancestor) const
    {
        for (; node != nullptr; node = live_.at(node).parent)
            if (node == ancestor)
                return true;
        return false;
    }
    std::vector<Mapping *> model_subtree(Mapping *top) const
    {
        std::vector<Mapping *> nodes{top};
        for (size_t i = 0; i < nodes.size(); ++i)
            for (Mapping *child : live_.at(nodes[i]).children)
                nodes.push_back(child);
        return nodes;
    }

    uint64_t below(uint64_t bound) { return std::uniform_int_distribution<uint64_t>(0, bound - 1)(random_); }
    bool chance(unsigned percent) { return below(100) < percent; }

    Mapping *any_live() { return order_[below(order_.size())]; }
    Space *any_space() { return chance(2) ? nullptr : spaces_[below(spaces_.size())]; }
    Page_size any_size() { return chance(50) ? size_2m : size_4k; }
    // Mostly valid addresses; sometimes misaligned or out of range.
    Virt_addr any_virt(Page_size size)
    {
        uint64_t bytes = Mapping::bytes_of(size);
        switch (below(50)) {
        case 0: return Mapping::virt_limit;
        case 1: return Mapping::virt_limit - bytes;  // the last page: valid
        case 2: return below(Mapping::virt_limit / bytes) * bytes + small_page / 2;
        case 3: return size == size_2m ? large_page + small_page : 0;
        default: return below(Mapping::virt_limit / bytes) * bytes;
        }
    }

    static Error place_error(Space *owner, Virt_addr virt, Page_size size)
    {
        uint64_t bytes = Mapping::bytes_of(size);
        if (owner == nullptr)
            return Error::bad_space;
        if (virt % bytes != 0 || virt + bytes > Mapping::virt_limit)
            return Error::bad_address;
        return Error::none;
    }

    // Runs an allocating operation, now and then under memory pressure: it must then either
    // succeed or fail with out_of_memory changing nothing. Pressure leaves the page allocator
    // at most three pages and, half of the time, fills the slab's free objects with roots
    // the model does not know (removed again before anything is compared).
    template <typename Operation>
    Error with_pressure(bool pressed, Operation operation)
    {
        std::vector<Mapping *> fillers;
        if (pressed) {
            memory_.hold_all_but(below(4));
            bool fill = chance(50);
            while (fill && fillers.size() < 2000) {
                Mapping *filler = nullptr;
                if (db_.create_root(memory_.pages, spaces_[0], 0, size_4k, 0, filler) != Error::none)
                    break;
                fillers.push_back(filler);
            }
        }
        Error error = operation();
        for (Mapping *filler : fillers)
            EXPECT_EQ(db_.revoke(*filler, Scope::whole_subtree, Action::remove, [](const Mapping &) {}), 1u);
        memory_.release_held();
        return error;
    }

    void one_step()
    {
        if (live_.empty() || chance(8)) {
            step_root();
            return;
        }
        if (live_.size() > 1500) {
            // Splits make 512 nodes at a time: clear whole trees to keep room for more.
            Mapping *top = any_live();
            while (live_.at(top).parent != nullptr)
                top = live_.at(top).parent;
            chance(20) ? delete_space(spaces_[below(spaces_.size())])
                       : revoke_and_check(top, Scope::whole_subtree, Action::remove);
            return;
        }
        uint64_t kind = below(100);
        if (kind < 40)
            step_map();
        else if (kind < 52)
            step_grant();
        else if (kind < 80)
            step_revoke(false);
        else if (kind < 95)
            step_split();
        else if (kind < 98)
            delete_space(spaces_[below(spaces_.size())]);
        else
            db_.reclaim(memory_.pages);
    }

    void step_root()
    {
        Space *owner = any_space();
        Page_size size = any_size();
        Virt_addr virt = any_virt(size);
        unsigned piece = size == size_2m ? (chance(5) ? 1 : 0) : static_cast<unsigned>(below(pieces + 2));
        Error expected = place_error(owner, virt, size);
        if (expected == Error::none && (piece >= pieces || (size == size_2m && piece != 0)))
            expected = Error::bad_piece;
        bool pressed = chance(10);
        Mapping *node = nullptr;
        Error error = with_pressure(pressed, [&] {
            return db_.create_root(memory_.pages, owner, virt, size, piece, node);
        });
        if (expected != Error::none) {
            ASSERT_EQ(error, expected);
            ++done_["refused"];
            return;
        }
        if (pressed && error == Error::out_of_memory) {
            ++done_["map oom"];
            return;
        }
        ASSERT_EQ(error, Error::none);
        model_add(node, {owner, virt, size, 0, piece, nullptr});
        ++done_["root"];
    }

    // A 2 MiB node, or nullptr when there is none.
    Mapping *any_large()
    {
        std::vector<Mapping *> large;
        for (const auto &[node, expected] : live_)
            if (expected.size == size_2m)
                large.push_back(node);
        return large.empty() ? nullptr : large[below(large.size())];
    }

    void step_map()
    {
        // Splits turn 2 MiB nodes into many 4 KiB ones; favour 2 MiB parents to keep some,
        // and the last new node, to grow chains.
        Mapping *parent = nullptr;
        if (chance(25) && live_.count(last_mapped_) == 1)
            parent = last_mapped_;
        else if (chance(40))
            parent = any_large();
        if (parent == nullptr)
            parent = any_live();
        const Expected &p = live_.at(parent);
        Space *owner = any_space();
        Page_size size = p.size == size_2m ? any_size() : (chance(5) ? size_2m : size_4k);
        Virt_addr virt = any_virt(size);
        bool names_piece = p.size == size_2m && size == size_4k;
        unsigned piece = names_piece ? static_cast<unsigned>(below(pieces + 3)) : (chance(3) ? 1 : 0);
        Error expected = place_error(owner, virt, size);
        if (expected == Error::none && size == size_2m && p.size == size_4k)
            expected = Error::bad_size;
        if (expected == Error::none && (names_piece ? piece >= pieces : piece != 0))
            expected = Error::bad_piece;
        if (expected == Error::none && p.depth >= Mapping::max_depth)
            expected = Error::too_deep;
        bool pressed = chance(10);
        Mapping *child = nullptr;
        Error error = with_pressure(pressed, [&] {
            return db_.map(memory_.pages, *parent, owner, virt, size, piece, child);
        });
        if (expected != Error::none) {
            ASSERT_EQ(error, expected);
            ++done_["refused"];
            return;
        }
        if (pressed && error == Error::out_of_memory) {
            ++done_["map oom"];
            return;
        }
        ASSERT_EQ(error, Error::none);
        unsigned child_piece = names_piece ? piece : (size == size_4k ? p.piece : 0);
        model_add(child, {owner, virt, size, p.depth + 1, child_piece, parent});
        last_mapped_ = child;
        ++done_["map"];
    }

    void step_grant()
    {
        Mapping *node = any_live();
        Expected &e = live_.at(node);
        Space *owner = any_space();
        Virt_addr virt = any_virt(chance(10) ? any_size() : e.size);
        Error expected = place_error(owner, virt, e.size);
        ASSERT_EQ(db_.grant(*node, owner, virt), expected);
        if (expected != Error::none) {
            ++done_["refused"];
            return;
        }
        e.space = owner;
        e.virt = virt;
        ++done_["grant"];
    }

    // Checks what revoke visits against the model; removes it from the model if removed.
    void revoke_and_check(Mapping *node, Scope scope, Action action)
    {
        std::vector<Mapping *> expected = model_subtree(node);
        if (scope == Scope::derived_only)
            expected.erase(expected.begin());
        std::vector<Mapping *> visited;
        std::set<const Mapping *> seen;
        size_t count = db_.revoke(*node, scope, action, [&](const Mapping &m) {
            auto *visited_node = const_cast<Mapping *>(&m);
            // Parents first: each node's parent is the start or was visited already.
            ASSERT_EQ(live_.count(visited_node), 1u) << "a node the model does not have";
            Mapping *parent = live_.at(visited_node).parent;
            if (scope == Scope::whole_subtree && visited.empty()) {
                ASSERT_EQ(visited_node, node);
            } else {
                ASSERT_TRUE(parent == node || seen.count(parent) == 1) << "a child before its parent";
            }
            ASSERT_TRUE(seen.insert(visited_node).second) << "visited twice";
            visited.push_back(visited_node);
        });
        ASSERT_EQ(count, visited.size());
        ASSERT_EQ(seen, std::set<const Mapping *>(expected.begin(), expected.end()));
        if (action == Action::remove)
            for (Mapping *gone : visited)
                model_remove(gone);
    }

    void step_revoke(bool whole)
    {
        Mapping *node = any_live();
        Scope scope = whole || chance(50) ? Scope::whole_subtree : Scope::derived_only;
        Action action = !whole && chance(30) ? Action::visit_only : Action::remove;
        revoke_and_check(node, scope, action);
        ++done_[action == Action::remove ? "revoke" : "visit"];
    }

    void delete_space(Space *owner)
    {
        // As the kernel would: each node its page table points to, in address order.
        std::vector<std::pair<Virt_addr, Mapping *>> nodes;
        for (const auto &[node, expected] : live_)
            if (expected.space == owner)
                nodes.push_back({expected.virt, node});
        std::sort(nodes.begin(), nodes.end());
        for (const auto &[virt, node] : nodes) {
            if (live_.count(node) == 0)
                continue;  // gone with an ancestor
            revoke_and_check(node, Scope::whole_subtree, Action::remove);
            if (::testing::Test::HasFatalFailure())
                return;
        }
        ++done_["delete space"];
    }

    void step_split()
    {
        Mapping *target = any_large();
        if (target == nullptr) {
            step_map();
            return;
        }
        if (chance(10)) {
            Mapping *node = any_live();
            if (live_.at(node).size == size_4k) {
                ASSERT_EQ(db_.split(memory_.pages, *node, [](const Mapping &, const Pieces &) {}), Error::not_large);
                ++done_["refused"];
                return;
            }
        }
        // Half of the time the top of a run of 2 MiB nodes, to split nested ones together.
        for (unsigned up = chance(50) ? 3 : 0; up > 0 && live_.at(target).parent != nullptr; --up)
            if (live_.at(live_.at(target).parent).size == size_2m)
                target = live_.at(target).parent;
        std::vector<Mapping *> subtree = model_subtree(target);
        std::set<Mapping *> in_subtree(subtree.begin(), subtree.end());
        size_t large_count = 0;
        for (Mapping *node : subtree)
            large_count += live_.at(node).size == size_2m;
        ASSERT_EQ(Mapping_database::large_pages_in_subtree(*target), large_count);
        if (live_.size() + large_count * pieces > 5000) {
            step_map();
            return;
        }

        std::map<Mapping *, std::vector<Mapping *>> replacements;
        std::set<Mapping *> new_nodes;
        bool pressed = chance(25);
        Error error = with_pressure(pressed, [&] {
            return db_.split(memory_.pages, *target, [&](const Mapping &old_node, const Pieces &new_pieces) {
                auto *old = const_cast<Mapping *>(&old_node);
                ASSERT_EQ(in_subtree.count(old), 1u);
                const Expected &o = live_.at(old);
                ASSERT_EQ(o.size, size_2m);
                ASSERT_EQ(replacements.count(old), 0u) << "replaced twice";
                ASSERT_TRUE(old == target || replacements.count(o.parent) == 1) << "a child before its parent";
                std::vector<Mapping *> &list = replacements[old];
                for (unsigned i = 0; i < pieces; ++i) {
                    Mapping *piece = new_pieces[i];
                    ASSERT_EQ(live_.count(piece), 0u) << "a live node reused";
                    ASSERT_TRUE(new_nodes.insert(piece).second) << "a piece handed out twice";
                    ASSERT_EQ(piece->space(), o.space);
                    ASSERT_EQ(piece->virt(), o.virt + i * small_page);
                    ASSERT_EQ(piece->size(), size_4k);
                    ASSERT_EQ(piece->depth(), o.depth);
                    ASSERT_EQ(piece->piece(), i);
                    list.push_back(piece);
                }
            });
        });
        if (::testing::Test::HasFatalFailure())
            return;
        if (pressed && error == Error::out_of_memory) {
            ASSERT_TRUE(replacements.empty());
            ++done_["split oom"];
            return;
        }
        ASSERT_EQ(error, Error::none);
        ASSERT_EQ(replacements.size(), large_count);

        // The model's split, from the old tree: the pieces of a replaced node hang under its
        // parent's pieces (target's under target's parent), and 4 KiB nodes of a replaced
        // parent under that parent's piece of their own.
        std::vector<std::pair<Mapping *, Expected>> added;
        std::vector<std::pair<Mapping *, Mapping *>> moved;
        for (Mapping *node : subtree) {  // breadth first: parents first
            const Expected &e = live_.at(node);
            auto replaced_parent = replacements.find(e.parent);
            if (e.size == size_4k) {
                if (replaced_parent != replacements.end())
                    moved.push_back({node, replaced_parent->second[e.piece]});
                continue;
            }
            for (unsigned i = 0; i < pieces; ++i) {
                Mapping *parent = node == target ? e.parent : replaced_parent->second[i];
                Expected piece{e.space, e.virt + i * small_page, size_4k, e.depth, i, parent};
                added.push_back({replacements.at(node)[i], piece});
            }
        }
        for (const auto &[old, list] : replacements)
            model_remove(old);
        for (auto &[node, expected] : added)
            model_add(node, expected);
        for (const auto &[node, parent] : moved)
            model_move(node, parent);
        ++done_["split"];
        if (large_count > 1)
            ++done_["nested split"];
    }

    // Everything the model knows against the database: the set of live nodes, each one's
    // fields, parent and depth (from one walk over every tree), the links both ways, the
    // structural rules, and parent() and is_in_subtree_of() on a sample (or on all nodes).
    void check(bool every_node)
    {
        ASSERT_EQ(db_.mappings(), live_.size());
        std::set<const Mapping *> walked;
        for (const auto &[top, top_expected] : live_) {
            if (top_expected.parent != nullptr)
                continue;
            std::vector<Mapping *> path;  // ancestors of the current node, by depth
            const Mapping *previous = nullptr;
            for (Mapping *node = top; node != nullptr; node = node->next_in_preorder()) {
                ASSERT_EQ(node->previous_in_preorder(), previous);
                auto found = live_.find(node);
                ASSERT_NE(found, live_.end()) << "a node the model does not have";
                ASSERT_TRUE(walked.insert(node).second) << "a node in two places";
                const Expected &e = found->second;
                ASSERT_EQ(node->space(), e.space);
                ASSERT_EQ(node->virt(), e.virt);
                ASSERT_EQ(node->size(), e.size);
                ASSERT_EQ(node->depth(), e.depth);
                ASSERT_EQ(node->piece(), e.piece);
                ASSERT_LE(node->depth(), path.size());
                ASSERT_EQ(node->depth() == 0, node == top);
                path.resize(node->depth());
                const Mapping *parent = path.empty() ? nullptr : path.back();
                ASSERT_EQ(parent, e.parent);
                // The parent's fields were compared already.
                if (parent != nullptr && parent->size() == size_4k) {
                    ASSERT_EQ(e.size, size_4k) << "a 2 MiB node below a 4 KiB one";
                    ASSERT_EQ(e.piece, parent->piece());
                }
                if (e.size == size_2m) {
                    ASSERT_EQ(e.piece, 0u);
                }
                path.push_back(node);
                previous = node;
            }
        }
        ASSERT_EQ(walked.size(), live_.size()) << "live nodes outside every tree";

        size_t samples = every_node ? order_.size() : std::min<size_t>(order_.size(), 8);
        for (size_t i = 0; i < samples; ++i) {
            Mapping *node = every_node ? order_[i] : any_live();
            Mapping *up = live_.at(node).parent;
            ASSERT_EQ(node->parent(), up);
            Mapping *other = any_live();
            ASSERT_EQ(node->is_in_subtree_of(*other), model_in_subtree(node, other));
            if (up != nullptr) {
                ASSERT_TRUE(node->is_in_subtree_of(*up));
                ASSERT_FALSE(up->is_in_subtree_of(*node));
            }
        }
    }

    std::mt19937_64 random_;
    Memory memory_{8 * mib};
    Mapping_database db_;
    std::map<Mapping *, Expected> live_;
    std::vector<Mapping *> order_;
    const std::vector<Space *> spaces_{space(0), space(1), space(2), space(3), space(4)};
    std::map<std::string, size_t> done_;
    Mapping *last_mapped_ = nullptr;
    unsigned step_ = 0;
};

constexpr unsigned model_steps = 2500;

}  // namespace

TEST(Mapping_database_model, seed_1) { Model_run(1).run(model_steps); }
TEST(Mapping_database_model, seed_2) { Model_run(2).run(model_steps); }
TEST(Mapping_database_model, seed_3) { Model_run(3).run(model_steps); }
TEST(Mapping_database_model, seed_4) { Model_run(4).run(model_steps); }
TEST(Mapping_database_model, seed_5) { Model_run(0x5eed'0005).run(model_steps); }
TEST(Mapping_database_model, seed_6) { Model_run(0xdead'beef).run(model_steps); }
