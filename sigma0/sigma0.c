/* SPDX-License-Identifier: MIT */
/* sigma0: the root pager. It owns all memory the kernel described as conventional in the
 * KIP and hands each page out once, through the X.2 sigma0 protocol:
 *
 *   request  label -6 << 4, u = 2 (or 3 with the extended bit): MR1 = fpage wanted (base
 *            all ones: any page of that size), MR2 = attributes (only 0, the default, is
 *            supported), receive window in the caller's acceptor.
 *   reply    one map item of the fpage granted, or a map item of the nil fpage when the
 *            request cannot be met.
 *   faults   a page fault (label -2 << 4) is served like a request for that page, mapped
 *            at the fault address; a fault on memory sigma0 cannot give gets no reply.
 *
 * It also owns every I/O port and all device memory, and gives them to the root task
 * (the KIP's root server, thread ThreadIdUserBase + 2) only; any other thread asking gets
 * the nil fpage. That is the whole policy that keeps unprivileged tasks from claiming
 * ports or devices: the kernel gives ports and device memory to sigma0 alone, and sigma0
 * to the root task, which passes on what it wants (docs/kernel.md, "I/O ports", "Device
 * memory"). Both may be given any number of times (they are shared, not consumed):
 *
 *   ports    MR1 = an I/O fpage (libl4's L4_IoFpage; valid: 2^s ports, s <= 16, base
 *            aligned): the reply maps it; the receive window must be the complete address
 *            space or an I/O fpage covering the ports (L4_Sigma0_GetPage does the former).
 *   devices  MR1 = a memory fpage of at most 16 MiB that no KIP memory descriptor touches
 *            (conventional memory is sigma0's RAM, reserved memory the kernel's RAM, its own
 *            devices and what lies beyond the physical address width): the reply maps it,
 *            uncached, from sigma0's idempotent space, where the kernel makes its roots on
 *            this first map. Faults on device memory are not served: ask for it.
 *
 * Malformed messages are answered with the nil fpage, never by dying. The fpages sigma0
 * names are physical: the kernel treats sigma0's space as idempotent. */
#include <l4/arch.h>
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/sigma0.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4io.h>

#define PAGE_BITS 12
#define PAGE_SIZE (1UL << PAGE_BITS)
#define MAX_MEMORY (16UL << 30) /* owned memory beyond 16 GiB is not handed out */
#define MAX_PAGES (MAX_MEMORY >> PAGE_BITS)
#define MAX_RANGES 64
#define MAX_DEVICE_LOG2 24 /* the largest device-memory fpage (the kernel's bound too) */

static const L4_Word_t label_mask = (1UL << 48) - 1;

struct range {
    L4_Word_t low, high; /* [low, high) */
};

static struct range owned[MAX_RANGES];
static unsigned owned_count;
static struct range described[2 * MAX_RANGES]; /* every KIP memory descriptor, any type */
static unsigned described_count;
static L4_ThreadId_t root_task;
static unsigned char taken[MAX_PAGES / 8];
static unsigned long pages_given;

static int is_owned_page(L4_Word_t page)
{
    for (unsigned i = 0; i < owned_count; i++)
        if (page >= owned[i].low && page + PAGE_SIZE <= owned[i].high)
            return 1;
    return 0;
}

static int is_taken(L4_Word_t page) { return (taken[(page >> PAGE_BITS) / 8] >> ((page >> PAGE_BITS) % 8)) & 1; }

static void set_taken(L4_Word_t page) { taken[(page >> PAGE_BITS) / 8] |= (unsigned char)(1u << ((page >> PAGE_BITS) % 8)); }

/* Every page of [base, base + size) can be given (owned, not taken, within bounds). */
static int available(L4_Word_t base, L4_Word_t size)
{
    if (base + size < base || base + size > MAX_MEMORY)
        return 0;
    for (L4_Word_t page = base; page < base + size; page += PAGE_SIZE)
        if (!is_owned_page(page) || is_taken(page))
            return 0;
    return 1;
}

static void take(L4_Word_t base, L4_Word_t size)
{
    for (L4_Word_t page = base; page < base + size; page += PAGE_SIZE)
        set_taken(page);
    pages_given += size >> PAGE_BITS;
}

/* The lowest naturally aligned free block of 2^size_log2 bytes, or ~0. */
static L4_Word_t find_any(unsigned size_log2)
{
    L4_Word_t size = 1UL << size_log2;
    for (unsigned i = 0; i < owned_count; i++) {
        L4_Word_t first = (owned[i].low + size - 1) & ~(size - 1);
        for (L4_Word_t base = first; base + size <= owned[i].high && base + size > base; base += size)
            if (available(base, size))
                return base;
    }
    return ~0UL;
}

static void read_memory_descriptors(void)
{
    void *kip = L4_GetKernelInterface();
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *descriptor = L4_MemoryDesc(kip, i);
        if (L4_IsMemoryDescVirtual(descriptor))
            continue;
        if (described_count < 2 * MAX_RANGES) {
            described[described_count].low = L4_MemoryDescLow(descriptor);
            described[described_count].high = L4_MemoryDescHigh(descriptor); /* inclusive here */
            described_count++;
        }
        if (L4_MemoryDescType(descriptor) != L4_ConventionalMemoryType || owned_count == MAX_RANGES)
            continue;
        owned[owned_count].low = L4_MemoryDescLow(descriptor);
        owned[owned_count].high = L4_MemoryDescHigh(descriptor) + 1;
        owned_count++;
    }
}

/* Device memory: [base, base + size) touches no KIP memory descriptor. With more
 * descriptors than sigma0 keeps, it gives no device memory at all (it cannot tell). */
static int is_device_memory(L4_Word_t base, L4_Word_t size)
{
    if (described_count == 2 * MAX_RANGES || base + size < base)
        return 0;
    for (unsigned i = 0; i < described_count; i++)
        if (base <= described[i].high && described[i].low < base + size)
            return 0;
    return 1;
}

/* Loads a reply: one map item giving fpage (nil for a refusal), sent at send_base. */
static void load_map_reply(L4_Fpage_t fpage, L4_Word_t send_base)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(fpage, send_base));
    L4_MsgLoad(&msg);
}

/* I/O ports and device memory: the root task's only. Ports are checked by the kernel
 * (an invalid I/O fpage maps nothing); sigma0 only refuses what is plainly malformed. */
static L4_Fpage_t grant_privileged(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes)
{
    if (!L4_IsThreadEqual(client, root_task) || attributes != 0)
        return L4_Nilpage;
    if (L4_IsIoFpage(wanted)) {
        L4_Word_t s = L4_IoFpageSizeLog2(wanted), port = L4_IoFpagePort(wanted);
        if (s > 16 || (port & ((1UL << s) - 1)) != 0 || (wanted.raw >> 32) != 0)
            return L4_Nilpage;
        return L4_IoFpageLog2(port, (int)s);
    }
    unsigned size_log2 = (unsigned)L4_SizeLog2(wanted);
    if (size_log2 < PAGE_BITS || size_log2 > MAX_DEVICE_LOG2 || !is_device_memory(L4_Address(wanted), 1UL << size_log2))
        return L4_Nilpage;
    L4_Fpage_t given = L4_FpageLog2(L4_Address(wanted), (int)size_log2);
    L4_Set_Rights(&given, L4_ReadWriteOnly);
    return given;
}

static L4_Fpage_t grant_request(L4_ThreadId_t client, L4_Fpage_t wanted, L4_Word_t attributes)
{
    unsigned size_log2 = (unsigned)L4_SizeLog2(wanted);
    if (L4_IsIoFpage(wanted))
        return grant_privileged(client, wanted, attributes);
    if (attributes != 0 || size_log2 < PAGE_BITS || size_log2 >= 40)
        return L4_Nilpage;
    L4_Word_t base;
    if ((wanted.raw >> 10) == (~0UL >> 10)) {
        base = find_any(size_log2);
        if (base == ~0UL)
            return L4_Nilpage;
    } else {
        base = L4_Address(wanted);
        if (is_device_memory(base, 1UL << size_log2))
            return grant_privileged(client, wanted, attributes);
        if (!available(base, 1UL << size_log2))
            return L4_Nilpage;
    }
    take(base, 1UL << size_log2);
    L4_Fpage_t given = L4_FpageLog2(base, (int)size_log2);
    L4_Set_Rights(&given, L4_Rights(wanted) != 0 ? L4_Rights(wanted) : L4_FullyAccessible);
    return given;
}

int main(void)
{
    read_memory_descriptors();
    root_task = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()) + 2, 1);
    L4_Word_t total = 0;
    for (unsigned i = 0; i < owned_count; i++)
        total += owned[i].high - owned[i].low;
    printf("sigma0: %lu KiB of memory in %u ranges\n", total >> 10, owned_count);

    L4_ThreadId_t client;
    L4_MsgTag_t tag = L4_Wait(&client);
    for (;;) {
        while (L4_IpcFailed(tag))
            tag = L4_Wait(&client);
        L4_Word_t label = L4_Label(tag) & label_mask;
        L4_Word_t mr1 = 0, mr2 = 0;
        L4_StoreMR(1, &mr1);
        L4_StoreMR(2, &mr2);

        if ((label & ~0xfUL) == ((-2UL << 4) & label_mask) && L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0) {
            L4_Word_t page = mr1 & ~(PAGE_SIZE - 1);
            if (!available(page, PAGE_SIZE)) {
                printf("sigma0: page fault at %lx (ip %lx) from %lx: not memory sigma0 can give\n", mr1, mr2,
                       client.raw);
                tag = L4_Wait(&client);
                continue;
            }
            take(page, PAGE_SIZE);
            load_map_reply(L4_FpageAddRights(L4_FpageLog2(page, PAGE_BITS), L4_FullyAccessible), page);
        } else if (label == ((-6UL << 4) & label_mask) && L4_TypedWords(tag) == 0 &&
                   (L4_UntypedWords(tag) == 2 || L4_UntypedWords(tag) == 3)) {
            L4_Fpage_t wanted = {.raw = mr1};
            L4_Fpage_t given = grant_request(client, wanted, mr2);
            load_map_reply(given, L4_IsNilFpage(given) || L4_IsIoFpage(given) ? 0 : L4_Address(given));
        } else {
            load_map_reply(L4_Nilpage, 0);  /* not a sigma0 request: refuse */
        }
        tag = L4_ReplyWait(client, &client);
    }
}
