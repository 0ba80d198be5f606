// SPDX-License-Identifier: MIT
#include "io_mapper.hpp"

#include "kernel_memory.hpp"
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
        owner.resources_.changed();
        if (mapping.is_root())
            set_has_tree(mapping.port(), false);
        if (owner.is_active())
            changed_active = &owner;
    };
    (void)Kernel_memory::mappings().revoke(node, with_node ? Mapping_database::Scope::whole_subtree
                                                 : Mapping_database::Scope::derived_only,
                                 Mapping_database::Action::remove, visit);
}

void Io_mapper::map(Space &sender, Space &receiver, uint64_t fpage, uint64_t window, bool grant)
{
    Io_fpage::Range ports = Io_fpage::accepted(Io_fpage(fpage), window);
    if (ports.empty() || &sender == &receiver)
        return;  // nothing accepted; a space's ports are its own already
    Page_allocator &pages = Kernel_memory::pages();
    // sigma0 gives every port of the range (making the roots it lacks): all its slots and the
    // receiver's first. Any other sender gives only the ports it has, found in its bitmap, so
    // an fpage of all 65536 ports costs a space with a few ports a scan of its bitmap, not
    // 65536 lookups; the receiver gets slot pages only where those ports are.
    bool makes_roots = sender.is_sigma0() && !grant;
    if (makes_roots && (receiver.resources_.reserve(pages, ports.first, ports.end) != Io_space::Error::none ||
                        sender.resources_.reserve(pages, ports.first, ports.end) != Io_space::Error::none))
        return;
    unsigned reserved_end = makes_roots ? ports.end : ports.first;  // the receiver has slots below
    Mapping_database &nodes = Kernel_memory::mappings();
    for (unsigned port = makes_roots ? ports.first : sender.resources_.next_port(ports.first, ports.end);
         port < ports.end; port = makes_roots ? port + 1 : sender.resources_.next_port(port + 1, ports.end)) {
        if (port >= reserved_end) {
            // The receiver's slots for the rest of this port's slot page, first: from here on
            // only a node can be missing. Out of memory, like a node that cannot be made, maps
            // fewer ports.
            reserved_end = port / Io_space::slots_per_page * Io_space::slots_per_page + Io_space::slots_per_page;
            if (reserved_end > ports.end)
                reserved_end = ports.end;
            if (receiver.resources_.reserve(pages, port, reserved_end) != Io_space::Error::none)
                break;
        }
        Mapping *node = sender.resources_.find(port);
        if (node == nullptr) {
            if (!makes_roots || has_tree(port))
                continue;  // not the sender's to give
            if (nodes.create_port_root(pages, &sender, port, node) != Mapping_database::Error::none)
                break;  // out of memory: fewer ports mapped
            sender.resources_.insert(port, node);
            sender.resources_.changed();
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
            sender.resources_.changed();
            if (sender.is_active())
                changed_active = &sender;
        } else {
            Mapping *child;
            if (nodes.map_port(pages, *node, &receiver, child) != Mapping_database::Error::none)
                break;
            node = child;
        }
        receiver.resources_.insert(port, node);
        receiver.resources_.changed();
        if (receiver.is_active())
            changed_active = &receiver;
    }
    sync_active();
}

void Io_mapper::unmap(Space &space, uint64_t fpage, bool flush)
{
    // Only the ports the space has (its bitmap says which), not every port the fpage names.
    Io_fpage::Range ports = Io_fpage(fpage).ports_named();
    for (unsigned port = space.resources_.next_port(ports.first, ports.end); port < ports.end;
         port = space.resources_.next_port(port + 1, ports.end))
        revoke(*space.resources_.find(port), flush);
    sync_active();
}

void Io_mapper::unmap_all(Space &space)
{
    if (space.resources_.port_count() == 0)
        return;
    for (unsigned port = space.resources_.next_port(0, Io_fpage::ports); port < Io_fpage::ports;
         port = space.resources_.next_port(port + 1, Io_fpage::ports))
        revoke(*space.resources_.find(port), true);
    sync_active();
}
