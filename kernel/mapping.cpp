// SPDX-License-Identifier: MIT
// Questions about a node's place in its tree, answered from the preorder list and the
// depths alone (see mapping.hpp).
#include "mapping.hpp"

// Invariants of every tree, kept by Mapping_database:
// - The first node has depth 0 and previous_ == nullptr; every other node has depth >= 1
//   and a predecessor; next_ and previous_ agree (a->next_ == b iff b->previous_ == a).
// - A node's depth is at most its predecessor's depth + 1 (a child follows its parent or a
//   sibling's subtree), so the nearest earlier node of smaller depth has depth - 1.
// - Nothing but the tree's own nodes is linked into its list.

Mapping *Mapping::parent() const
{
    unsigned own = depth();
    Mapping *node = previous_;
    while (node != nullptr && node->depth() >= own)
        node = node->previous_;
    return node;
}

bool Mapping::is_in_subtree_of(const Mapping &ancestor) const
{
    // Every node between an ancestor and its descendant in preorder is deeper than the
    // ancestor, so walking back from here while deeper must end at the ancestor.
    unsigned top = ancestor.depth();
    const Mapping *node = this;
    while (node != nullptr && node != &ancestor && node->depth() > top)
        node = node->previous_;
    return node == &ancestor;
}

Mapping *Mapping::subtree_end() const
{
    unsigned own = depth();
    Mapping *node = next_;
    while (node != nullptr && node->depth() > own)
        node = node->next_;
    return node;
}
