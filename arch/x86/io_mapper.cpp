// SPDX-License-Identifier: MIT
#include "io_mapper.hpp"

#include "kernel_memory.hpp"
#include "mapper.hpp"
#include "space.hpp"

// Invariants:
// - A port node of space S for port p is in S's slot for p, and S's slot for p holds
//   nothing else; S's bitmap permits exactly the ports with a node (Io_space).
// - port_trees has bit p set exactly while port p has a tree (its root exists).
// - Whenever a user thread runs, the TSS holds its space's bitmap (Io_space::activate on
//   every switch, sync_active after every change of the running space's ports).

namespace {

uint64_t port_trees[Io_fpage::ports / 64];
// The running space, if an operation changed its ports (reloaded at the end).
Space *changed_active = nullptr;

}  // namespace

bool Io_mapper::has_tree(unsigned port)
{
    return port < Io_fpage::ports && (port_trees[port / 64] >> (port % 64) & 1) != 0;
}

void Io_mapper::set_has_tree(unsigned port, bool has)
{
    if (has)
        port_trees[port / 64] |= uint64_t{1} << (port % 64);
    else
        port_trees[port / 64] &= ~(uint64_t{1} << (port % 64));
}

void Io_mapper::sync_active()
{
    if (changed_active != nullptr)
        changed_active->resources_.load();
    changed_active = nullptr;
}

void Io_mapper::revoke(Mapping &node, bool with_node)
{
    auto visit = [](const Mapping &mapping) {
        Space &owner = *mapping.space();
        owner.resources_.remove(mapping.port());
        if (mapping.is_root())
            set_has_tree(mapping.port(), false);
        if (owner.is_active())
            changed_active = &owner;
    };
    (void)Mapper::nodes().revoke(node, with_node ? Mapping_database::Scope::whole_subtree
                                                 : Mapping_database::Scope::derived_only,
                                 Mapping_database::Action::remove, visit);
}

void Io_mapper::map(Space &sender, Space &receiver, uint64_t fpage, uint64_t window, bool grant)
{
    Io_fpage::Range ports = Io_fpage::accepted(Io_fpage(fpage), window);
    if (ports.empty() || &sender == &receiver)
        return;  // nothing accepted; a space's ports are its own already
    Page_allocator &pages = Kernel_memory::pages();
    bool makes_roots = sender.is_sigma0() && !grant;
    // Every slot the ports can need, first: from here on only nodes can be missing.
    if (receiver.resources_.reserve(pages, ports.first, ports.end) != Io_space::Error::none ||
        (makes_roots && sender.resources_.reserve(pages, ports.first, ports.end) != Io_space::Error::none))
        return;
    Mapping_database &nodes = Mapper::nodes();
    for (unsigned port = ports.first; port < ports.end; ++port) {
        Mapping *node = sender.resources_.find(port);
        if (node == nullptr) {
            if (!makes_roots || has_tree(port))
                continue;  // not the sender's to give
            if (nodes.create_port_root(pages, &sender, port, node) != Mapping_database::Error::none)
                break;  // out of memory: fewer ports mapped
            sender.resources_.insert(port, node);
            set_has_tree(port, true);
            if (sender.is_active())
                changed_active = &sender;
        }
        if (Mapping *old = receiver.resources_.find(port); old != nullptr) {
            // Revoking what the sender's node derives from would revoke the node itself.
            if (node->is_in_subtree_of(*old))
                continue;
            // Mapped from this very node before: it stays, with what was derived from it.
            if (!grant && old->depth() == node->depth() + 1 && old->is_in_subtree_of(*node))
                continue;
            revoke(*old, true);
        }
        if (grant) {
            if (nodes.grant(*node, &receiver, node->virt()) != Mapping_database::Error::none)
                continue;
            sender.resources_.remove(port);
            if (sender.is_active())
                changed_active = &sender;
        } else {
            Mapping *child;
            if (nodes.map_port(pages, *node, &receiver, child) != Mapping_database::Error::none)
                break;
            node = child;
        }
        receiver.resources_.insert(port, node);
        if (receiver.is_active())
            changed_active = &receiver;
    }
    sync_active();
}

void Io_mapper::unmap(Space &space, uint64_t fpage, bool flush)
{
    Io_fpage::Range ports = Io_fpage(fpage).ports_named();
    for (unsigned port = ports.first; port < ports.end; ++port)
        if (Mapping *node = space.resources_.find(port); node != nullptr)
            revoke(*node, flush);
    sync_active();
}

void Io_mapper::unmap_all(Space &space)
{
    if (space.resources_.port_count() == 0)
        return;
    for (unsigned port = 0; port < Io_fpage::ports; ++port)
        if (Mapping *node = space.resources_.find(port); node != nullptr)
            revoke(*node, true);
    sync_active();
}
