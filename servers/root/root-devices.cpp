// SPDX-License-Identifier: MIT
// The root task's devices: the PCI functions its walk found (PCI), their hand-over to the
// driver the configuration grants them to (PCI_CLAIM: I/O ports, interrupt, bus mastering)
// and memory whose physical address a driver may give its device (DMA). docs/system.md, "PCI".
#include <l4/arch.h>
#include <l4/kip.h>
#include <l4/ipc.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4io.h>
#include <string.h>

#include "root.hpp"

namespace {

tern::Reply answer(tern::Message &reply, tern::Status status)
{
    reply = tern::Message(status);
    return tern::Reply::now;
}

constexpr uint32_t command_register = 0x04;
constexpr uint32_t decode_io = 0x1, decode_memory = 0x2, bus_master = 0x4, interrupt_disable = 0x400;
// The MSI-X capability's first dword: message control in the upper half (PCI 3.0, 6.8.2.3).
constexpr uint32_t msix_enable = 1u << 31, msix_function_mask = 1u << 30;

uint32_t config_address(const Pci_device &d, uint32_t reg)
{
    return uint32_t{d.bus} << 16 | uint32_t{d.device} << 11 | uint32_t{d.function} << 8 | reg;
}

// A number of the KIP's "msi=" feature: decimal, or hexadecimal after 0x, then the
// separator (a comma, or the end for the last); text moves past both. false if malformed.
bool read_number(const char *&text, L4_Word_t &value, bool last)
{
    unsigned base = 10;
    if (text[0] == '0' && text[1] == 'x') {
        base = 16;
        text += 2;
    }
    const char *start = text;
    value = 0;
    for (;; ++text) {
        char c = *text;
        unsigned digit = c >= '0' && c <= '9' ? static_cast<unsigned>(c - '0')
                         : base == 16 && c >= 'a' && c <= 'f' ? static_cast<unsigned>(c - 'a' + 10)
                                                                : base;
        if (digit >= base)
            break;
        value = value * base + digit;
    }
    if (text == start || *text != (last ? '\0' : ','))
        return false;
    if (!last)
        ++text;
    return true;
}

}  // namespace

// The kernel's message-signalled lines, from the KIP's feature "msi=FIRST,COUNT,ADDRESS,DATA"
// (docs/kernel.md, "Interrupts"); none if it lists none or a malformed one.
Root::Msi_lines Root::read_msi_lines()
{
    void *kip = L4_GetKernelInterface();
    for (L4_Word_t i = 0; const char *feature = L4_Feature(kip, i); ++i) {
        if (strncmp(feature, "msi=", 4) != 0)
            continue;
        const char *text = feature + 4;
        Msi_lines lines;
        if (!read_number(text, lines.first, false) || !read_number(text, lines.count, false) ||
            !read_number(text, lines.address, false) || !read_number(text, lines.data, true) || lines.count > 64)
            return Msi_lines();
        return lines;
    }
    return Msi_lines();
}

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
        if (claim.msix)
            msix_on(i, false);
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
    // Every I/O BAR must be root's to give before anything changes. One the firmware left
    // at port 0 (unassigned) or that does not fit the port space is not given at all.
    auto given = [](const Pci_bar &bar) {
        return bar.kind == Pci_bar::Kind::io && bar.size != 0 && bar.base != 0 && bar.base + bar.size <= 0x10000 &&
               (bar.base & (bar.size - 1)) == 0 && (bar.size & (bar.size - 1)) == 0;
    };
    // Decoding of a kind only if the firmware assigned every BAR of that kind.
    bool io_assigned = true, memory_assigned = true;
    for (const Pci_bar &bar : d.bars) {
        io_assigned = io_assigned && (bar.kind != Pci_bar::Kind::io || given(bar));
        memory_assigned = memory_assigned && ((bar.kind != Pci_bar::Kind::memory32 &&
                                               bar.kind != Pci_bar::Kind::memory64) || bar.base != 0);
    }
    // A message-signalled line of its own when the function has MSI-X (whose table needs the
    // memory decoding), else its pin's.
    long msi_line = memory_assigned ? msix_line(static_cast<unsigned>(index), caller) : -1;
    bool has_line = msi_line >= 0 || (d.interrupt_line < 16 && d.interrupt_pin != 0 && d.interrupt_line != 0 &&
                                      d.interrupt_line != 2);
    if (msi_line < 0 && has_line && line_held_by_other(d.interrupt_line, caller))
        return answer(reply, tern::Status::busy);  // (a shared line has one handler: its first claimant)
    for (const Pci_bar &bar : d.bars)
        if (given(bar) && port_range_held(bar.base, bar.size) < 0 && !get_port_range(bar.base, bar.size))
            return answer(reply, tern::Status::failed);
    L4_Word_t line = ~L4_Word_t{0};
    if (has_line) {
        L4_Word_t wanted = msi_line >= 0 ? static_cast<L4_Word_t>(msi_line) : d.interrupt_line;
        L4_ThreadId_t irq_thread = L4_GlobalId(wanted, 1);
        if (!L4_ThreadControl(irq_thread, irq_thread, L4_nilthread, from, reinterpret_cast<void *>(-1))) {
            printf("root: cannot attach interrupt %lu to %s (error %lu)\n", wanted, tasks_[caller].name,
                   L4_ErrorCode());
            return answer(reply, tern::Status::failed);
        }
        tasks_[caller].device_irq = static_cast<long>(wanted);
        tasks_[caller].device_irq_handler = from;
        line = wanted;
    }
    claim.task = caller;
    claim.generation = tasks_[caller].generation;
    claim.msix = msi_line >= 0;
    uint32_t address = config_address(d, command_register);
    uint32_t command = pci_ports_.read(address) & 0xffff;
    command &= ~uint32_t{interrupt_disable};
    pci_ports_.write(address, command | (io_assigned ? decode_io : 0) | (memory_assigned ? decode_memory : 0) |
                                  bus_master);
    if (claim.msix)
        msix_on(static_cast<unsigned>(index), true);
    answer(reply, tern::Status::ok);
    reply.add(line);
    reply.add(claim.msix ? TERN_PCI_INTERRUPT_MSIX : TERN_PCI_INTERRUPT_PIN);
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

long Root::msix_line(unsigned index, int caller)
{
    const Pci_device &d = pci_.device(index);
    if (d.msix.capability == 0 || msi_lines_.count == 0 || index >= Pci_bus::max_devices)
        return -1;
    const Pci_bar &bar = d.bars[d.msix.table_bar];
    if (bar.base == 0 || uint64_t{d.msix.table_offset} + 16 > bar.size)
        return -1;  // (the firmware left the BAR unassigned, or the table beyond it)
    // The caller's line from an earlier claim (a pin's stays its line), else the first no one holds.
    long line = -1;
    long own = tasks_[caller].device_irq;
    if (own >= static_cast<long>(msi_lines_.first) && own < static_cast<long>(msi_lines_.first + msi_lines_.count))
        line = own;
    else if (own >= 0)
        return -1;
    for (L4_Word_t l = msi_lines_.first; line < 0 && l < msi_lines_.first + msi_lines_.count; ++l)
        if (!line_held_by_other(static_cast<long>(l), caller))
            line = static_cast<long>(l);
    if (line < 0)
        return -1;
    // The table's page, uncached from sigma0 (device memory), at the function's page of root's window.
    uint64_t table = bar.base + d.msix.table_offset;
    if ((table & 0xfff) + 16 > 0x1000)
        return -1;  // (entry 0 across a page: no such device known)
    if (!msix_table_mapped_[index]) {
        L4_Word_t window = msix_window_base + index * 0x1000;
        L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, L4_FpageLog2(table & ~uint64_t{0xfff}, 12),
                                                     L4_FpageLog2(window, 12));
        L4_Accept(L4_UntypedWordsAcceptor);
        if (L4_IsNilFpage(got))
            return -1;
        msix_table_mapped_[index] = true;
    }
    return line;
}

// Entry 0 raises the claimant's line (its device_irq), unmasked; then the function's MSI-X
// goes on (its INTx pin falls silent). Off: the function's MSI-X goes off, entry 0 masked.
void Root::msix_on(unsigned index, bool on)
{
    const Pci_device &d = pci_.device(index);
    const Pci_bar &bar = d.bars[d.msix.table_bar];
    auto *entry = reinterpret_cast<volatile uint32_t *>(msix_window_base + index * 0x1000 +
                                                       ((bar.base + d.msix.table_offset) & 0xfff));
    uint32_t control_address = config_address(d, d.msix.capability);
    uint32_t control = pci_ports_.read(control_address);
    if (on) {
        long line = tasks_[claims_[index].task].device_irq;
        entry[3] = 1;  // masked while it changes (a claim again by the same task finds it live)
        entry[0] = static_cast<uint32_t>(msi_lines_.address);
        entry[1] = static_cast<uint32_t>(msi_lines_.address >> 32);
        entry[2] = static_cast<uint32_t>(msi_lines_.data + (static_cast<L4_Word_t>(line) - msi_lines_.first));
        entry[3] = 0;  // unmasked
        pci_ports_.write(control_address, (control | msix_enable) & ~msix_function_mask);
    } else {
        entry[3] = 1;  // masked
        pci_ports_.write(control_address, control & ~msix_enable);
    }
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
