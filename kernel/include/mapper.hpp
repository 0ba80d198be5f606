// SPDX-License-Identifier: MIT
// The kernel's part of X.2's recursive address spaces: map, grant and unmap (flush) of
// flexpages between page tables, every user mapping recorded in the mapping database
// (docs/kernel.md, "Map, grant and unmap").
//
// Each user page-table entry made here has a node; its slot in the page table points to
// it. Pages the kernel maps for itself (UTCBs, the KIP) have none and can neither be
// mapped on nor unmapped. A frame belongs to exactly one tree: sigma0's memory (roots in
// sigma0's idempotent space) or a boot task's image page (roots in that task's space).
//
// Rights: a mapping is always readable (x86 has no write- or execute-only pages); write and
// execute can be taken away. The access status Unmap reports is gathered from the accessed
// and dirty bits of the page-table entries: referenced (r) and written (w); x86 does not
// track execution, so x is never reported.
//
// Nothing here allocates in a way that can leave a half-done state: a mapping that cannot
// be made for lack of memory is simply not made (X.2's map never reports errors), and a
// revocation never fails (a 2 MiB mapping that cannot be split is revoked whole).
#pragma once

#include "fpage.hpp"
#include "mapping_database.hpp"
#include "page_table.hpp"
#include "space_resources.hpp"

class Space;

class Mapper {
public:
    // A new tree: frame (page_size or large_page_size bytes) mapped into space at virt with
    // rights (Fpage bits), uncached (PCD and PWT) for device memory. False when out of memory
    // or something is mapped there.
    static bool map_root(Space &space, Virt_addr virt, Phys_addr frame, uint64_t bytes, unsigned rights,
                         bool uncached = false);

    // A map or grant item: what sender has in [source, source + length) goes to receiver at
    // target (length a power of two >= 4 KiB, both addresses aligned to it), with at most
    // rights. What receiver had there is revoked first. Memory the sender does not have,
    // and kernel pages, map nothing. A map item of sigma0 first gives it uncached roots for
    // the device memory (device_memory.hpp) in the fpage it does not have yet, if the
    // fpage is at most max_device_item bytes. Mappings keep their source's cache bits.
    static void map(Space &sender, Virt_addr source, Space &receiver, Virt_addr target, uint64_t length,
                    unsigned rights, bool grant);

    // Unmap of one fpage: takes fpage's rights away from every mapping derived from the
    // caller's pages in it, and from those pages too with flush; taking read access away
    // removes a mapping. Returns the access status (Fpage rights bits) of the pages and
    // everything derived from them since the last Unmap, and resets it.
    static unsigned unmap(Space &space, Fpage fpage, bool flush);

    // Everything space has mapped and everything derived from it (space deletion).
    static void unmap_all(Space &space);

    // The biggest map item of sigma0 that makes device-memory roots (16 MiB: a framebuffer).
    static constexpr uint64_t max_device_item = uint64_t{1} << 24;

private:
    static uint64_t leaf_bits(unsigned rights);
    static unsigned rights_of(uint64_t entry);
    // Takes rights from node's derived mappings (and node's with with_node); taking read
    // removes them. Returns their access status, which it resets. A query (no rights) of
    // part of a 2 MiB node passes the 4 KiB pieces asked about, [first_piece, end_piece):
    // 4 KiB mappings of other pieces are left out.
    static unsigned revoke(Mapping &node, bool with_node, unsigned rights, unsigned first_piece = 0,
                           unsigned end_piece = Mapping::pieces_per_large_page);
    // Replaces a 2 MiB leaf, and the 2 MiB mappings derived from it, by 4 KiB ones; false
    // (and nothing changed) when out of memory.
    static bool split(const Page_table::Leaf &leaf);
    // Splits the 2 MiB leaves of space that stick out of [begin, end) where possible.
    static void split_edges(Space &space, Virt_addr begin, Virt_addr end);
    // Revokes what receiver has in [virt, virt + bytes), with what was derived from it.
    // False (nothing done) if a kernel page is there, or a mapping that keep (mapping
    // frame_bytes at frame) derives from.
    static bool clear(Space &receiver, Virt_addr virt, uint64_t bytes, const Mapping &keep, Phys_addr frame,
                      uint64_t frame_bytes);
    // sigma0's device-memory roots in [virt, virt + bytes) (see map).
    static void make_device_roots(Space &sigma0, Virt_addr virt, uint64_t bytes);
    static void map_page(const Page_table::Leaf &leaf, Virt_addr source, Space &receiver, Virt_addr target,
                         uint64_t bytes, unsigned rights, bool grant);
};
