// SPDX-License-Identifier: MIT
#include "mapper.hpp"

#include "device_memory.hpp"
#include "space_resources.hpp"
#include "kernel_memory.hpp"
#include "memory_layout.hpp"
#include "space.hpp"

namespace {

// Every user mapping's node, and those of the architecture's resources (Resource_mapper).
Mapping_database &mappings() { return Kernel_memory::mappings(); }

using Leaf = Page_table::Leaf;
using Size = Mapping::Page_size;
using Scope = Mapping_database::Scope;
using Action = Mapping_database::Action;

Size size_of(uint64_t bytes) { return bytes == Page_table::large_page_size ? Size::size_2m : Size::size_4k; }

// Order-1 blocks for the page tables a split needs, gotten before it starts: a chain
// through the blocks' first words. Whatever is not taken is freed again.
class Table_reserve {
public:
    Table_reserve() = default;
    Table_reserve(const Table_reserve &) = delete;
    Table_reserve &operator=(const Table_reserve &) = delete;

    bool fill(size_t count)
    {
        for (size_t i = 0; i < count; ++i) {
            Phys_addr block = Kernel_memory::pages().allocate(Page_table::leaf_table_order);
            if (block == 0)
                return false;
            *Memory_layout::direct_map<Phys_addr>(block) = head_;
            head_ = block;
        }
        return true;
    }
    Phys_addr take()
    {
        Phys_addr block = head_;
        head_ = *Memory_layout::direct_map<Phys_addr>(block);
        return block;
    }
    ~Table_reserve()
    {
        while (head_ != 0)
            (void)Kernel_memory::pages().free(take(), Page_table::leaf_table_order);
    }

private:
    Phys_addr head_ = 0;
};

// A leaf's caching bits, which every mapping derived from it keeps (device memory is
// uncached everywhere).
constexpr uint64_t cache_bits = Page_table::write_through | Page_table::cache_disable;

// The access status X.2 reports, from an entry's accessed and dirty bits.
unsigned status_of(uint64_t entry)
{
    return ((entry & Page_table::accessed) != 0 ? Fpage::read : 0) | ((entry & Page_table::dirty) != 0 ? Fpage::write : 0);
}

}  // namespace

uint64_t Mapper::leaf_bits(unsigned rights)
{
    uint64_t bits = Page_table::present | Page_table::user;
    if ((rights & Fpage::write) != 0)
        bits |= Page_table::writable;
    if ((rights & Fpage::execute) == 0)
        bits |= Page_table::no_execute;
    return bits;
}

unsigned Mapper::rights_of(uint64_t entry)
{
    return Fpage::read | ((entry & Page_table::writable) != 0 ? Fpage::write : 0) |
           ((entry & Page_table::no_execute) == 0 ? Fpage::execute : 0);
}

bool Mapper::map_root(Space &space, Virt_addr virt, Phys_addr frame, uint64_t bytes, unsigned rights, bool uncached)
{
    Mapping *root;
    unsigned piece = bytes == page_size ? static_cast<unsigned>(frame / page_size % Mapping::pieces_per_large_page) : 0;
    if (mappings().create_root(Kernel_memory::pages(), &space, virt, size_of(bytes), piece, root) !=
        Mapping_database::Error::none)
        return false;
    if (space.table_.insert(virt, frame, bytes, leaf_bits(rights | Fpage::read) | (uncached ? cache_bits : 0), root) !=
        Page_table::Error::none) {
        (void)mappings().revoke(*root, Scope::whole_subtree, Action::remove, [](const Mapping &) {});
        return false;
    }
    return true;
}

unsigned Mapper::revoke(Mapping &node, bool with_node, unsigned rights, unsigned first_piece, unsigned end_piece)
{
    unsigned status = 0;
    bool removes = (rights & Fpage::read) != 0;
    auto visit = [&status, rights, removes, first_piece, end_piece](const Mapping &mapping) {
        // Only a query leaves out pieces (a removal takes the whole subtree).
        if (!removes && mapping.size() == Size::size_4k &&
            (mapping.piece() < first_piece || mapping.piece() >= end_piece))
            return;
        Space &owner = *mapping.space();
        Leaf leaf = owner.table_.find(mapping.virt());
        status |= status_of(*leaf.entry);
        if (removes) {
            (void)Page_table::remove(leaf);
        } else {
            uint64_t entry = *leaf.entry & ~(Page_table::accessed | Page_table::dirty);
            if ((rights & Fpage::write) != 0)
                entry &= ~Page_table::writable;
            if ((rights & Fpage::execute) != 0)
                entry |= Page_table::no_execute;
            *leaf.entry = entry;
        }
        owner.invalidate(mapping.virt());
    };
    (void)mappings().revoke(node, with_node ? Scope::whole_subtree : Scope::derived_only,
                          removes ? Action::remove : Action::visit_only, visit);
    return status;
}

bool Mapper::split(const Leaf &leaf)
{
    Mapping *node = *leaf.slot;
    if (node == nullptr || leaf.bytes != Page_table::large_page_size)
        return false;
    Table_reserve tables;
    if (!tables.fill(Mapping_database::large_pages_in_subtree(*node)))
        return false;
    auto replace = [&tables](const Mapping &old, const Mapping_database::Pieces &pieces) {
        Space &owner = *old.space();
        owner.table_.split_large(old.virt(), pieces, tables.take());
        owner.invalidate(old.virt());
    };
    return mappings().split(Kernel_memory::pages(), *node, replace) == Mapping_database::Error::none;
}

// Makes [begin, end) of space start and end on leaf boundaries, splitting 2 MiB leaves
// that stick out; one that cannot be split (no memory) stays whole.
void Mapper::split_edges(Space &space, Virt_addr begin, Virt_addr end)
{
    const Virt_addr edges[] = {begin, end};
    for (Virt_addr edge : edges) {
        Leaf leaf = space.table_.find(edge);
        if (leaf.present() && leaf.base != edge && leaf.bytes == Page_table::large_page_size)
            (void)split(leaf);
    }
}

bool Mapper::clear(Space &receiver, Virt_addr virt, uint64_t bytes, const Mapping &keep, Phys_addr frame,
                   uint64_t frame_bytes)
{
    // First only look: a kernel page cannot be replaced, and a mapping keep derives from
    // (or keep itself) must not be revoked under it.
    bool possible = true;
    receiver.table_.for_each_leaf(virt, virt + bytes, [&](const Leaf &leaf) {
        Mapping *node = *leaf.slot;
        bool same_frames = leaf.frame() < frame + frame_bytes && frame < leaf.frame() + leaf.bytes;
        if (node == nullptr || (same_frames && (node == &keep || keep.is_in_subtree_of(*node))))
            possible = false;
    });
    if (!possible)
        return false;
    split_edges(receiver, virt, virt + bytes);
    receiver.table_.for_each_leaf(virt, virt + bytes, [](const Leaf &leaf) {
        (void)revoke(**leaf.slot, true, Fpage::read | Fpage::write | Fpage::execute);
    });
    return true;
}

void Mapper::map(Space &sender, Virt_addr source, Space &receiver, Virt_addr target, uint64_t length, unsigned rights,
                 bool grant)
{
    if ((rights & (Fpage::read | Fpage::write | Fpage::execute)) == 0)
        return;
    // Overlapping source and target in one space have no sensible meaning: nothing.
    if (&sender == &receiver && source < target + length && target < source + length)
        return;
    if (sender.is_sigma0() && !grant)
        make_device_roots(sender, source, length);
    sender.table_.for_each_leaf(source, source + length, [&](const Leaf &leaf) {
        if (*leaf.slot == nullptr)
            return;  // a kernel page (UTCB, KIP): not the sender's to give
        Virt_addr begin = leaf.base > source ? leaf.base : source;
        Virt_addr end = leaf.base + leaf.bytes < source + length ? leaf.base + leaf.bytes : source + length;
        Virt_addr destination = target + (begin - source);
        if (leaf.bytes == Page_table::large_page_size && begin == leaf.base && end == leaf.base + leaf.bytes &&
            is_aligned(destination, Page_table::large_page_size)) {
            map_page(leaf, begin, receiver, destination, leaf.bytes, rights, grant);
        } else if (leaf.bytes == Page_table::large_page_size && grant) {
            // A grant moves whole leaves: this one becomes 512 first (or, without memory
            // for that, is not granted).
            if (split(leaf))
                sender.table_.for_each_leaf(begin, end, [&](const Leaf &piece) {
                    map_page(piece, piece.base, receiver, target + (piece.base - source), page_size, rights, true);
                });
        } else {
            // A map derives 4 KiB mappings from the pieces of a 2 MiB one.
            for (Virt_addr page = begin; page < end; page += page_size)
                map_page(leaf, page, receiver, target + (page - source), page_size, rights, grant);
        }
    });
}

void Mapper::make_device_roots(Space &sigma0, Virt_addr virt, uint64_t bytes)
{
    // RAM (the usual case) costs one scan of a short list; huge items make no roots, so
    // that one item cannot make millions of nodes.
    if (bytes > max_device_item || Device_memory::none_in({virt, virt + bytes}))
        return;
    for (Virt_addr page = virt; page < virt + bytes; page += page_size) {
        // sigma0's space is idempotent: the address is the frame. Its KIP and UTCB areas
        // and whatever it has mapped already stay as they are.
        if (!Device_memory::is_device(page) || sigma0.is_reserved(page, page_size) || sigma0.table_.find(page).present())
            continue;
        if (!map_root(sigma0, page, page, page_size, Fpage::read | Fpage::write, true))
            return;  // out of memory: the map gives what exists
    }
}

void Mapper::map_page(const Leaf &leaf, Virt_addr source, Space &receiver, Virt_addr target, uint64_t bytes,
                      unsigned rights, bool grant)
{
    if (target >= Page_table::user_limit || bytes > Page_table::user_limit - target || receiver.is_reserved(target, bytes))
        return;  // beyond user memory; the KIP and UTCB areas take no mappings
    Mapping &node = **leaf.slot;
    unsigned granted = rights_of(*leaf.entry) & (rights | Fpage::read);
    uint64_t bits = leaf_bits(granted) | (*leaf.entry & cache_bits);
    Phys_addr frame = leaf.frame() + (source - leaf.base);
    // The same page mapped again from the same mapping keeps its place (and what was derived
    // from it) and only gains rights, as in Pistachio: a pager may upgrade a read-only
    // mapping to a writable one without revoking its client's mappings.
    Leaf old = receiver.table_.find(target);
    if (!grant) {
        if (old.present() && old.bytes == bytes && *old.slot != nullptr && old.frame() == frame &&
            (*old.slot)->depth() == node.depth() + 1 && (*old.slot)->is_in_subtree_of(node)) {
            if ((granted & Fpage::write) != 0)
                *old.entry |= Page_table::writable;
            if ((granted & Fpage::execute) != 0)
                *old.entry &= ~Page_table::no_execute;
            receiver.invalidate(target);
            return;
        }
    }
    // What the receiver has there goes first, unless the sender's page derives from it
    // (revoking that would revoke the page itself): then the map does nothing. Usually a
    // 4 KiB destination is empty, which the lookup above showed already.
    if ((old.present() || bytes != page_size) && !clear(receiver, target, bytes, node, frame, bytes))
        return;
    if (grant) {
        Space &sender = *node.space();
        if (receiver.table_.insert(target, frame, bytes, bits, &node) != Page_table::Error::none)
            return;
        if (bytes == Page_table::large_page_size)
            receiver.invalidate(target);
        if (mappings().grant(node, &receiver, target) != Mapping_database::Error::none) {
            (void)Page_table::remove(receiver.table_.find(target));
            return;
        }
        (void)Page_table::remove(leaf);
        sender.invalidate(source);
        // Rights only shrink down a tree: what was derived loses what the grant did not give.
        unsigned taken = (Fpage::write | Fpage::execute) & ~granted;
        if (taken != 0)
            (void)revoke(node, false, taken);
        return;
    }
    Mapping *child;
    unsigned piece = leaf.bytes == Page_table::large_page_size && bytes == page_size
                         ? static_cast<unsigned>((source - leaf.base) / page_size)
                         : 0;
    if (mappings().map(Kernel_memory::pages(), node, &receiver, target, size_of(bytes), piece, child) !=
        Mapping_database::Error::none)
        return;
    if (receiver.table_.insert(target, frame, bytes, bits, child) != Page_table::Error::none) {
        (void)mappings().revoke(*child, Scope::whole_subtree, Action::remove, [](const Mapping &) {});
        return;
    }
    // A 2 MiB page may have replaced an empty page table the CPU may still cache.
    if (bytes == Page_table::large_page_size)
        receiver.invalidate(target);
}

unsigned Mapper::unmap(Space &space, Fpage fpage, bool flush)
{
    if (Resource_mapper::handles(fpage.raw())) {
        Resource_mapper::unmap(space, fpage.raw(), flush);
        return 0;  // ports have no access status
    }
    if (!fpage.is_valid_region() && !fpage.is_complete())
        return 0;
    Virt_addr begin = fpage.is_complete() ? 0 : fpage.base();
    Virt_addr end = fpage.is_complete() ? Space::user_end : fpage.base() + fpage.size();
    if (begin >= Space::user_end)
        return 0;
    unsigned rights = fpage.rights();
    if (rights != 0)
        split_edges(space, begin, end);
    unsigned status = 0;
    space.table_.for_each_leaf(begin, end, [&](const Leaf &leaf) {
        if (*leaf.slot == nullptr)
            return;  // kernel pages are the kernel's
        Mapping &node = **leaf.slot;
        // The own page's status, reset here unless the revocation below visits it anyway.
        status |= status_of(*leaf.entry);
        if (!flush || rights == 0) {
            *leaf.entry &= ~(Page_table::accessed | Page_table::dirty);
            space.invalidate(leaf.base);
        }
        // A query does not split: of a 2 MiB page it covers only partly it asks about the
        // covered pieces, and so about the 4 KiB mappings derived from those only.
        unsigned first_piece = 0, end_piece = Mapping::pieces_per_large_page;
        if (rights == 0 && leaf.bytes == Page_table::large_page_size) {
            if (begin > leaf.base)
                first_piece = static_cast<unsigned>((begin - leaf.base) / page_size);
            if (end < leaf.base + leaf.bytes)
                end_piece = static_cast<unsigned>((end - leaf.base) / page_size);
        }
        status |= revoke(node, flush, rights, first_piece, end_piece);
    });
    return status;
}

void Mapper::unmap_all(Space &space)
{
    Resource_mapper::unmap_all(space);
    space.table_.for_each_leaf(0, Space::user_end, [](const Leaf &leaf) {
        if (*leaf.slot != nullptr)
            (void)revoke(**leaf.slot, true, Fpage::read | Fpage::write | Fpage::execute);
    });
}
