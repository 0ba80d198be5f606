// SPDX-License-Identifier: MIT
// sigma0: the root pager. It owns all memory the kernel described as conventional in the
// KIP and gives each page to one thread, through the X.2 sigma0 protocol. The thread that
// got a page may get it again (X.2 programs flush their own pages and fault them in again,
// or map them a second time); any other thread is refused it:
//
//   request  label -6 << 4, u = 2 (or 3 with the extended bit): MR1 = fpage wanted (base
//            all ones: any page of that size), MR2 = attributes (only 0, the default, is
//            supported), receive window in the caller's acceptor.
//   reply    one map item of the fpage granted, or a map item of the nil fpage when the
//            request cannot be met.
//   faults   a page fault (label -2 << 4) is served like a request for that page, mapped
//            at the fault address; a fault on memory sigma0 cannot give gets no reply.
//   pools    Pistachio's sigma0 extension (label -1001 << 4, MR1 = 1 verbose, 2 dump the
//            memory pools): answered with an empty message, the dump printed on the console.
//
// It also owns every I/O port and all device memory, and gives them to the root task
// (the KIP's root server, thread ThreadIdUserBase + 2) only; any other thread asking gets
// the nil fpage. That is the whole policy that keeps unprivileged tasks from claiming
// ports or devices: the kernel gives ports and device memory to sigma0 alone, and sigma0
// to the root task, which passes on what it wants (docs/kernel.md, "I/O ports", "Device
// memory"). Both may be given any number of times (they are shared, not consumed):
//
//   ports    MR1 = an I/O fpage (libl4's L4_IoFpage; valid: 2^s ports, s <= 16, base
//            aligned): the reply maps it; the receive window must be the complete address
//            space or an I/O fpage covering the ports (L4_Sigma0_GetPage does the former).
//   devices  MR1 = a memory fpage of at most 16 MiB that no KIP memory descriptor touches
//            (conventional memory is sigma0's RAM, reserved memory the kernel's RAM, its own
//            devices and what lies beyond the physical address width): the reply maps it,
//            uncached, from sigma0's idempotent space, where the kernel makes its roots on
//            this first map. Faults on device memory are not served: ask for it.
//
// Malformed requests (a protocol's label with the wrong words) are answered with the nil
// fpage, never by dying. A message of no protocol sigma0 speaks is not a request: it gets no
// answer at all, as X.2 programs expect (Pistachio's l4test; their callers use a receive
// timeout). The fpages sigma0 names are physical: the kernel treats sigma0's space as
// idempotent.
#include <l4/arch.h>
#include <l4/kip.h>
#include <l4/sigma0.h>
#include <l4/tern/kernel_labels.h>
#include <l4/tern/page.h>
#include <l4/tern/protocol.h>
#include <l4/tern/server.hpp>
#include <l4/types.h>
#include <l4io.h>

#include "grant_list.hpp"

namespace {

constexpr L4_Word_t max_memory = 16UL << 30;  // owned memory beyond 16 GiB is not handed out
constexpr L4_Word_t max_pages = max_memory >> TERN_PAGE_BITS;
constexpr unsigned max_ranges = 64;
constexpr unsigned max_device_log2 = 24;  // the largest device-memory fpage (the kernel's bound too)
constexpr L4_Word_t sigma0_label = __L4_SIGMA0_LABEL & TERN_LABEL_MASK;

struct Range {
    L4_Word_t low, high;  // [low, high)
};

class Sigma0 final : public tern::Server
{
public:
    Sigma0();

private:
    tern::Reply handle(L4_ThreadId_t client, const tern::Message &request, tern::Message &reply) override;

    bool is_owned_page(L4_Word_t page) const;
    bool is_taken(L4_Word_t page) const;
    bool available(L4_Word_t base, L4_Word_t size) const;
    void take(L4_ThreadId_t client, L4_Word_t base, L4_Word_t size);
    bool give(L4_ThreadId_t client, L4_Word_t base, L4_Word_t size);
    void dump_pools() const;
    L4_Word_t find_any(unsigned size_log2) const;
    bool is_device_memory(L4_Word_t base, L4_Word_t size) const;
    L4_Fpage_t grant_privileged(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes) const;
    L4_Fpage_t grant_request(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes);

    Range owned_[max_ranges] = {};
    unsigned owned_count_ = 0;
    Range described_[2 * max_ranges] = {};  // every KIP memory descriptor, any type; high inclusive
    unsigned described_count_ = 0;
    L4_ThreadId_t root_task_ = tern_root_thread();
    unsigned char taken_[max_pages / 8] = {};
    L4_Word_t pages_given_ = 0;
    Grant_list grants_;
    bool grants_complete_ = true;  // false once the list was full: some owners are forgotten
};

Sigma0::Sigma0()
{
    void *kip = L4_GetKernelInterface();
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *descriptor = L4_MemoryDesc(kip, i);
        if (L4_IsMemoryDescVirtual(descriptor))
            continue;
        if (described_count_ < 2 * max_ranges)
            described_[described_count_++] = {L4_MemoryDescLow(descriptor), L4_MemoryDescHigh(descriptor)};
        if (L4_MemoryDescType(descriptor) != L4_ConventionalMemoryType || owned_count_ == max_ranges)
            continue;
        owned_[owned_count_++] = {L4_MemoryDescLow(descriptor), L4_MemoryDescHigh(descriptor) + 1};
    }
    L4_Word_t total = 0;
    for (unsigned i = 0; i < owned_count_; i++)
        total += owned_[i].high - owned_[i].low;
    printf("sigma0: %lu KiB of memory in %u ranges\n", total >> 10, owned_count_);
}

bool Sigma0::is_owned_page(L4_Word_t page) const
{
    for (unsigned i = 0; i < owned_count_; i++)
        if (page >= owned_[i].low && page + TERN_PAGE_SIZE <= owned_[i].high)
            return true;
    return false;
}

bool Sigma0::is_taken(L4_Word_t page) const
{
    L4_Word_t number = page >> TERN_PAGE_BITS;
    return ((taken_[number / 8] >> (number % 8)) & 1) != 0;
}

// Every page of [base, base + size) can be given (owned, not taken, within bounds).
bool Sigma0::available(L4_Word_t base, L4_Word_t size) const
{
    if (base + size < base || base + size > max_memory)
        return false;
    for (L4_Word_t page = base; page < base + size; page += TERN_PAGE_SIZE)
        if (!is_owned_page(page) || is_taken(page))
            return false;
    return true;
}

// Marks [base, base + size) (available) as given to client. Should the grant list be full,
// the memory is still given, but client cannot get it again.
void Sigma0::take(L4_ThreadId_t client, L4_Word_t base, L4_Word_t size)
{
    for (L4_Word_t page = base; page < base + size; page += TERN_PAGE_SIZE) {
        L4_Word_t number = page >> TERN_PAGE_BITS;
        taken_[number / 8] = static_cast<unsigned char>(taken_[number / 8] | 1u << (number % 8));
    }
    pages_given_ += size >> TERN_PAGE_BITS;
    if (!grants_.add(base, base + size, client.raw))
        grants_complete_ = false;
}

// Whether client may have [base, base + size): free memory (then taken for it now), or
// memory given to client before.
bool Sigma0::give(L4_ThreadId_t client, L4_Word_t base, L4_Word_t size)
{
    if (available(base, size)) {
        take(client, base, size);
        return true;
    }
    return base + size > base && grants_.given_to(base, base + size, client.raw);
}

void Sigma0::dump_pools() const
{
    L4_Word_t owned = 0;
    for (unsigned i = 0; i < owned_count_; i++) {
        printf("sigma0: pool [%lx, %lx)\n", owned_[i].low, owned_[i].high);
        owned += owned_[i].high - owned_[i].low;
    }
    printf("sigma0: %lu of %lu KiB given, in %u runs%s\n", pages_given_ << (TERN_PAGE_BITS - 10), owned >> 10,
           grants_.runs(), grants_complete_ ? "" : " (more runs than it keeps)");
}

// The lowest naturally aligned free block of 2^size_log2 bytes, or ~0.
L4_Word_t Sigma0::find_any(unsigned size_log2) const
{
    L4_Word_t size = 1UL << size_log2;
    for (unsigned i = 0; i < owned_count_; i++) {
        L4_Word_t first = (owned_[i].low + size - 1) & ~(size - 1);
        for (L4_Word_t base = first; base + size <= owned_[i].high && base + size > base; base += size)
            if (available(base, size))
                return base;
    }
    return ~0UL;
}

// Device memory: [base, base + size) touches no KIP memory descriptor. With more
// descriptors than sigma0 keeps, it gives no device memory at all (it cannot tell).
bool Sigma0::is_device_memory(L4_Word_t base, L4_Word_t size) const
{
    if (described_count_ == 2 * max_ranges || base + size < base)
        return false;
    for (unsigned i = 0; i < described_count_; i++)
        if (base <= described_[i].high && described_[i].low < base + size)
            return false;
    return true;
}

// I/O ports and device memory: the root task's only. Ports are checked by the kernel
// (an invalid I/O fpage maps nothing); sigma0 only refuses what is plainly malformed.
L4_Fpage_t Sigma0::grant_privileged(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes) const
{
    if (!L4_IsThreadEqual(client, root_task_) || attributes != 0)
        return L4_Nilpage;
    if (L4_IsIoFpage(wanted)) {
        L4_Word_t s = L4_IoFpageSizeLog2(wanted), port = L4_IoFpagePort(wanted);
        if (s > 16 || (port & ((1UL << s) - 1)) != 0 || (wanted.raw >> 32) != 0)
            return L4_Nilpage;
        return L4_IoFpageLog2(port, static_cast<int>(s));
    }
    unsigned size_log2 = static_cast<unsigned>(L4_SizeLog2(wanted));
    if (size_log2 < TERN_PAGE_BITS || size_log2 > max_device_log2 ||
        !is_device_memory(L4_Address(wanted), 1UL << size_log2))
        return L4_Nilpage;
    L4_Fpage_t given = L4_FpageLog2(L4_Address(wanted), static_cast<int>(size_log2));
    L4_Set_Rights(&given, L4_ReadWriteOnly);
    return given;
}

L4_Fpage_t Sigma0::grant_request(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes)
{
    unsigned size_log2 = static_cast<unsigned>(L4_SizeLog2(wanted));
    if (L4_IsIoFpage(wanted))
        return grant_privileged(client, wanted, attributes);
    if (attributes != 0 || size_log2 < TERN_PAGE_BITS || size_log2 >= 40)
        return L4_Nilpage;
    L4_Word_t base;
    if ((wanted.raw >> 10) == (~0UL >> 10)) {
        base = find_any(size_log2);
        if (base == ~0UL)
            return L4_Nilpage;
        take(client, base, 1UL << size_log2);
    } else {
        base = L4_Address(wanted);
        if (is_device_memory(base, 1UL << size_log2))
            return grant_privileged(client, wanted, attributes);
        if (!give(client, base, 1UL << size_log2))
            return L4_Nilpage;
    }
    L4_Fpage_t given = L4_FpageLog2(base, static_cast<int>(size_log2));
    L4_Set_Rights(&given, L4_Rights(wanted) != 0 ? L4_Rights(wanted) : L4_FullyAccessible);
    return given;
}

tern::Reply Sigma0::handle(L4_ThreadId_t client, const tern::Message &request, tern::Message &reply)
{
    L4_Word_t label = request.label() & TERN_LABEL_MASK;
    bool words_only = request.typed() == 0;
    if ((label & ~TERN_PAGE_FAULT_ACCESS_MASK) == TERN_LABEL_PAGE_FAULT && request.untyped() == 2 && words_only) {
        L4_Word_t address = request.word(0), page = address & ~(TERN_PAGE_SIZE - 1);
        if (!give(client, page, TERN_PAGE_SIZE)) {
            printf("sigma0: page fault at %lx (ip %lx) from %lx: not memory sigma0 can give\n", address,
                   request.word(1), client.raw);
            return tern::Reply::later;  // never: the faulter stays blocked
        }
        reply.add_map_item(L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, TERN_PAGE_BITS), L4_FullyAccessible), page));
    } else if (label == sigma0_label && words_only && (request.untyped() == 2 || request.untyped() == 3)) {
        L4_Fpage_t given = grant_request(client, L4_Fpage_t{.raw = request.word(0)}, request.word(1));
        reply.add_map_item(L4_MapItem(given, L4_IsNilFpage(given) || L4_IsIoFpage(given) ? 0 : L4_Address(given)));
    } else if (label == sigma0_label || (label & ~TERN_PAGE_FAULT_ACCESS_MASK) == TERN_LABEL_PAGE_FAULT) {
        reply.add_map_item(L4_MapItem(L4_Nilpage, 0));  // a malformed request: refuse
    } else if (label == TERN_SIGMA0_POOLS_LABEL && words_only && request.untyped() >= 1 &&
               (request.word(0) == TERN_SIGMA0_POOLS_VERBOSE || request.word(0) == TERN_SIGMA0_POOLS_DUMP)) {
        if (request.word(0) == TERN_SIGMA0_POOLS_DUMP)
            dump_pools();
    } else {
        return tern::Reply::later;  // no protocol of sigma0's: never answered
    }
    return tern::Reply::now;
}

}  // namespace

int main()
{
    static Sigma0 sigma0;  // static: its page bitmap is half a megabyte
    sigma0.serve(L4_Never);
}
