// SPDX-License-Identifier: MIT
// The root task's devices: the PCI functions its walk found (PCI), their hand-over to the
// driver the configuration grants them to (PCI_CLAIM: I/O ports, interrupt, bus mastering)
// and memory whose physical address a driver may give its device (DMA). docs/system.md, "PCI".
#include <l4/arch.h>
#include <l4/ipc.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4io.h>

#include "root.hpp"

namespace {

tern::Reply answer(tern::Message &reply, tern::Status status)
{
    reply = tern::Message(status);
    return tern::Reply::now;
}

constexpr uint32_t command_register = 0x04;
constexpr uint32_t decode_io = 0x1, decode_memory = 0x2, bus_master = 0x4, interrupt_disable = 0x400;

}  // namespace

// The PCI function of index as root's walk found it (any task may ask: it is what lspci shows).
tern::Reply Root::pci_request(const tern::Message &message, tern::Message &reply)
{
    if (message.untyped() != 1)
        return answer(reply, tern::Status::malformed);
    L4_Word_t index = message.word(0);
    if (index >= pci_.count())
        return answer(reply, tern::Status::not_found);
    const Pci_device &d = pci_.device(static_cast<unsigned>(index));
    answer(reply, tern::Status::ok);
    reply.add(d.location());
    reply.add(L4_Word_t{d.vendor} | L4_Word_t{d.id} << 16);
    reply.add(L4_Word_t{d.class_code} | L4_Word_t{d.revision} << 24);
    reply.add(L4_Word_t{d.interrupt_line} | L4_Word_t{d.interrupt_pin} << 8 | L4_Word_t{d.header_type} << 16);
    for (const Pci_bar &bar : d.bars) {
        L4_Word_t kind = bar.kind == Pci_bar::Kind::io         ? TERN_PCI_BAR_IO
                         : bar.kind == Pci_bar::Kind::memory32 ? TERN_PCI_BAR_MEMORY32
                         : bar.kind == Pci_bar::Kind::memory64 ? TERN_PCI_BAR_MEMORY64
                                                                : TERN_PCI_BAR_NONE;
        reply.add(bar.base | kind | (bar.prefetchable ? TERN_PCI_BAR_PREFETCHABLE : 0));
        reply.add(bar.size);
    }
    return tern::Reply::now;
}

bool Root::claim_alive(const Device_claim &claim) const
{
    return claim.task >= 0 && tasks_[claim.task].used && tasks_[claim.task].generation == claim.generation;
}

bool Root::line_held_by_other(long line, int caller) const
{
    for (int i = 0; i < layout::max_tasks; ++i) {
        const Task &t = tasks_[i];
        if (i != caller && t.used &&
            (t.device_irq == line || (!L4_IsNilThread(t.irq_handler) && t.grants.irq == line)))
            return true;
    }
    return false;
}

void Root::release_devices(int index)
{
    for (unsigned i = 0; i < pci_.count(); ++i) {
        Device_claim &claim = claims_[i];
        if (!claim_alive(claim) || claim.task != index)
            continue;
        const Pci_device &d = pci_.device(i);
        uint32_t address =
            uint32_t{d.bus} << 16 | uint32_t{d.device} << 11 | uint32_t{d.function} << 8 | command_register;
        uint32_t command = pci_ports_.read(address) & 0xffff;
        pci_ports_.write(address, command & ~(decode_io | decode_memory | bus_master));
        claim = Device_claim();
    }
}

// A function whose id the caller's configuration line grants (pci=VENDOR:DEVICE), not held
// by another live task: its I/O BARs as map items (the caller accepts I/O fpages), its
// interrupt line attached to the calling thread, its decoding and bus mastering on.
tern::Reply Root::pci_claim_request(L4_ThreadId_t from, const tern::Message &message, int caller,
                                    tern::Message &reply)
{
    if (message.untyped() != 1)
        return answer(reply, tern::Status::malformed);
    L4_Word_t index = message.word(0);
    if (index >= pci_.count())
        return answer(reply, tern::Status::not_found);
    const Pci_device &d = pci_.device(static_cast<unsigned>(index));
    if (tasks_[caller].grants.pci_id == 0 || tasks_[caller].grants.pci_id != (uint32_t{d.vendor} | uint32_t{d.id} << 16))
        return answer(reply, tern::Status::denied);
    Device_claim &claim = claims_[index];
    bool mine = claim_alive(claim) && claim.task == caller;
    if (claim_alive(claim) && !mine)
        return answer(reply, tern::Status::busy);
    for (unsigned other = 0; other < pci_.count(); ++other)
        if (other != index && claim_alive(claims_[other]) && claims_[other].task == caller)
            return answer(reply, tern::Status::full);  // one function a task
    bool has_line = d.interrupt_line < 16 && d.interrupt_pin != 0 && d.interrupt_line != 0 && d.interrupt_line != 2;
    if (has_line && line_held_by_other(d.interrupt_line, caller))
        return answer(reply, tern::Status::busy);  // (a shared line has one handler: its first claimant)
    // Every I/O BAR must be root's to give before anything changes. One the firmware left
    // at port 0 (unassigned) or that does not fit the port space is not given at all.
    auto given = [](const Pci_bar &bar) {
        return bar.kind == Pci_bar::Kind::io && bar.size != 0 && bar.base != 0 && bar.base + bar.size <= 0x10000 &&
               (bar.base & (bar.size - 1)) == 0 && (bar.size & (bar.size - 1)) == 0;
    };
    for (const Pci_bar &bar : d.bars)
        if (given(bar) && port_range_held(bar.base, bar.size) < 0 && !get_port_range(bar.base, bar.size))
            return answer(reply, tern::Status::failed);
    L4_Word_t line = ~L4_Word_t{0};
    if (has_line) {
        L4_ThreadId_t irq_thread = L4_GlobalId(d.interrupt_line, 1);
        if (!L4_ThreadControl(irq_thread, irq_thread, L4_nilthread, from, reinterpret_cast<void *>(-1))) {
            printf("root: cannot attach interrupt %u to %s (error %lu)\n", d.interrupt_line, tasks_[caller].name,
                   L4_ErrorCode());
            return answer(reply, tern::Status::failed);
        }
        tasks_[caller].device_irq = d.interrupt_line;
        tasks_[caller].device_irq_handler = from;
        line = d.interrupt_line;
    }
    claim.task = caller;
    claim.generation = tasks_[caller].generation;
    uint32_t address = uint32_t{d.bus} << 16 | uint32_t{d.device} << 11 | uint32_t{d.function} << 8 | command_register;
    // Decoding of a kind only if the firmware assigned every BAR of that kind.
    bool io_assigned = true, memory_assigned = true;
    for (const Pci_bar &bar : d.bars) {
        io_assigned = io_assigned && (bar.kind != Pci_bar::Kind::io || given(bar));
        memory_assigned = memory_assigned && ((bar.kind != Pci_bar::Kind::memory32 &&
                                               bar.kind != Pci_bar::Kind::memory64) || bar.base != 0);
    }
    uint32_t command = pci_ports_.read(address) & 0xffff;
    command &= ~uint32_t{interrupt_disable};
    pci_ports_.write(address, command | (io_assigned ? decode_io : 0) | (memory_assigned ? decode_memory : 0) |
                                  bus_master);
    answer(reply, tern::Status::ok);
    reply.add(line);
    for (const Pci_bar &bar : d.bars) {
        if (!given(bar))
            continue;
        // The BAR's ports as aligned power-of-two fpages (a BAR's size is one, aligned to it).
        int log2 = 0;
        while ((L4_Word_t{1} << log2) < bar.size)
            ++log2;
        L4_Fpage_t ports = L4_IoFpageLog2(bar.base, log2);
        reply.add_map_item(L4_MapItem(L4_FpageAddRights(ports, L4_FullyAccessible), 0));
    }
    return tern::Reply::now;
}

// 2^MR1 bytes (a page to 4 MiB) of physically contiguous memory for a task that may claim a
// PCI function, at most dma_quota a task: mapped at the caller's receive window, MR1 its
// physical address. Blocks of tasks that ended are given again, for requests of the same
// size (sigma0 takes nothing back; their devices were stopped when the task ended).
tern::Reply Root::dma_request(const tern::Message &message, int caller, tern::Message &reply)
{
    if (message.untyped() != 1)
        return answer(reply, tern::Status::malformed);
    L4_Word_t log2 = message.word(0);
    if (log2 < 12 || log2 > max_dma_log2)
        return answer(reply, tern::Status::malformed);
    if (tasks_[caller].grants.pci_id == 0)
        return answer(reply, tern::Status::denied);
    L4_Word_t held = 0;
    for (const Dma_block &owned : dma_)
        if (owned.log2 != 0 && claim_alive(owned.owner) && owned.owner.task == caller)
            held += L4_Word_t{1} << owned.log2;
    if (held + (L4_Word_t{1} << log2) > dma_quota)
        return answer(reply, tern::Status::full);
    Dma_block *block = nullptr;
    for (Dma_block &candidate : dma_)
        if (candidate.log2 == log2 && !claim_alive(candidate.owner)) {
            block = &candidate;
            break;
        }
    if (block == nullptr) {
        for (Dma_block &candidate : dma_)
            if (candidate.log2 == 0) {
                block = &candidate;
                break;
            }
        if (block == nullptr)
            return answer(reply, tern::Status::full);
        // Root's own window for the blocks: each its size, aligned, in order.
        L4_Word_t at = (dma_window_next_ + (L4_Word_t{1} << log2) - 1) & ~((L4_Word_t{1} << log2) - 1);
        if (at + (L4_Word_t{1} << log2) > dma_window_base + dma_window_size)
            return answer(reply, tern::Status::full);
        L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, log2, L4_FpageLog2(at, static_cast<int>(log2)));
        L4_Accept(L4_UntypedWordsAcceptor);
        if (L4_IsNilFpage(got) || L4_SizeLog2(got) != log2)
            return answer(reply, tern::Status::full);
        dma_window_next_ = at + (L4_Word_t{1} << log2);
        block->log2 = log2;
        block->root_address = at;
        block->physical = L4_Address(got);
    }
    // A block given before is cleared: nothing of its last owner's reaches the next.
    for (L4_Word_t *word = reinterpret_cast<L4_Word_t *>(block->root_address),
                   *end = word + (L4_Word_t{1} << log2) / sizeof(L4_Word_t);
         word < end; ++word)
        *word = 0;
    block->owner.task = caller;
    block->owner.generation = tasks_[caller].generation;
    answer(reply, tern::Status::ok);
    reply.add(block->physical);
    L4_Fpage_t page = L4_FpageLog2(block->root_address, static_cast<int>(log2));
    reply.add_map_item(L4_MapItem(L4_FpageAddRights(page, L4_ReadWriteOnly), 0));
    return tern::Reply::now;
}
