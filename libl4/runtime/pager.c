/* SPDX-License-Identifier: MIT */
/* libl4: the pager library (l4/pager.h): serving page faults through a resolve callback,
 * getting memory from the own pager, revoking what was given, starting clients. */
#include <l4/ipc.h>
#include <l4/message.h>
#include <l4/pager.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/tern/kernel_labels.h>
#include <l4/tern/page.h>

void L4_Pager_Init(L4_Pager_t *pager, L4_PagerResolve_t resolve, void *data)
{
    pager->resolve = resolve;
    pager->other = 0;
    pager->data = data;
    pager->faults = 0;
    pager->refused = 0;
    pager->errors = 0;
}

L4_Bool_t L4_Pager_IsPageFault(L4_MsgTag_t tag)
{
    return tern_protocol_label(L4_Label(tag)) == TERN_LABEL_PAGE_FAULT; /* the access in the low bits */
}

static void load_error(L4_Word_t reason, L4_Word_t label)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, L4_PAGER_ERROR_LABEL);
    L4_MsgAppendWord(&msg, reason);
    L4_MsgAppendWord(&msg, label);
    L4_MsgLoad(&msg);
}

void L4_Pager_ReplyError(L4_ThreadId_t to, L4_Word_t reason, L4_Word_t label)
{
    load_error(reason, label);
    L4_Reply(to);
}

/* Answers a page fault whose message is in the MRs: loads the reply (L4_PAGER_REPLY) or
 * refuses (L4_PAGER_NO_REPLY); L4_PAGER_UNKNOWN for any other message. */
static int answer_fault(L4_Pager_t *pager, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    if (!L4_Pager_IsPageFault(tag))
        return L4_PAGER_UNKNOWN;
    if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
        ++pager->errors;
        load_error(L4_PAGER_ERROR_MALFORMED, L4_Label(tag) & TERN_LABEL_MASK);
        return L4_PAGER_REPLY;
    }
    L4_PagerFault_t fault;
    fault.faulter = from;
    fault.access = L4_Label(tag) & L4_FullyAccessible;
    L4_StoreMR(1, &fault.address);
    L4_StoreMR(2, &fault.ip);
    fault.grant = 0;
    L4_Fpage_t fpage = pager->resolve(pager, &fault);
    if (L4_IsNilFpage(fpage)) {
        ++pager->refused;
        return L4_PAGER_NO_REPLY;
    }
    if (L4_Rights(fpage) == 0)
        L4_Set_Rights(&fpage, L4_FullyAccessible);
    /* Only what the pager has can be given: fault it in from the own pager first. */
    L4_Pager_Touch(L4_Address(fpage), L4_Size(fpage), fault.access & L4_Rights(fpage) & L4_Writable);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    if (fault.grant)
        L4_MsgAppendGrantItem(&msg, L4_GrantItem(fpage, fault.address));
    else
        L4_MsgAppendMapItem(&msg, L4_MapItem(fpage, fault.address));
    L4_MsgLoad(&msg);
    ++pager->faults;
    return L4_PAGER_REPLY;
}

int L4_Pager_Handle(L4_Pager_t *pager, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    int result = answer_fault(pager, from, tag);
    if (result == L4_PAGER_REPLY)
        L4_Reply(from);
    return result;
}

void L4_Pager_Serve(L4_Pager_t *pager)
{
    L4_ThreadId_t from;
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        int result = L4_PAGER_NO_REPLY; /* a failed receive: just wait again */
        if (L4_IpcSucceeded(tag)) {
            result = answer_fault(pager, from, tag);
            if (result == L4_PAGER_UNKNOWN && pager->other != 0)
                result = pager->other(pager, from, tag);
            if (result == L4_PAGER_UNKNOWN) {
                ++pager->errors;
                load_error(L4_PAGER_ERROR_UNKNOWN, L4_Label(tag) & TERN_LABEL_MASK);
                result = L4_PAGER_REPLY;
            }
        }
        /* A reply that fails (the client is gone, or only sent) ends the IPC before its
         * receive phase: the next round waits again. */
        tag = result == L4_PAGER_REPLY ? L4_ReplyWait(from, &from) : L4_Wait(&from);
    }
}

void L4_Pager_Touch(L4_Word_t base, L4_Word_t size, L4_Word_t access)
{
    if (size == 0 || base + size < base)
        return;
    L4_Word_t first = base & ~(TERN_PAGE_SIZE - 1);
    L4_Word_t pages = (base + size - 1 - first) / TERN_PAGE_SIZE + 1;
    for (L4_Word_t i = 0; i < pages; ++i) {
        volatile L4_Word_t *word = (volatile L4_Word_t *)(first + i * TERN_PAGE_SIZE);
        if ((access & L4_Writable) != 0)
            __asm__ __volatile__("lock orq $0, %0" : "+m"(*word));
        else
            (void)*word;
    }
}

L4_Fpage_t L4_Pager_GetMemory(L4_Word_t base, int size_log2)
{
    L4_Fpage_t region = L4_FpageLog2(base, size_log2);
    L4_ThreadId_t own_pager = L4_Pager();
    if (L4_IsThreadEqual(own_pager, __L4_Sigma0_Id())) {
        L4_Word_t acceptor;
        L4_StoreBR(0, &acceptor);
        L4_Fpage_t got = L4_Sigma0_GetAny(own_pager, (L4_Word_t)size_log2, region);
        L4_LoadBR(0, acceptor);
        if (L4_IsNilFpage(got))
            return L4_Nilpage;
    } else {
        L4_Pager_Touch(base, L4_Size(region), L4_Writable);
    }
    return L4_FpageAddRights(region, L4_ReadWriteOnly);
}

/* Calls one of X.2's Unmap forms (unmap is L4_UnmapFpage, L4_Flush or L4_GetStatus) on
 * the fewest aligned fpages covering [base, base + size); ORs their access status. */
static L4_Word_t unmap_range(L4_Word_t base, L4_Word_t size, L4_Word_t rights, L4_Fpage_t (*unmap)(L4_Fpage_t))
{
    L4_Word_t status = 0;
    L4_Word_t end = (base + size + TERN_PAGE_SIZE - 1) & ~(TERN_PAGE_SIZE - 1);
    for (L4_Word_t at = base & ~(TERN_PAGE_SIZE - 1); at < end;) {
        L4_Word_t bytes = TERN_PAGE_SIZE;
        while ((at & (bytes * 2 - 1)) == 0 && at + bytes * 2 <= end && bytes < (1UL << 46))
            bytes *= 2;
        L4_Fpage_t fpage = L4_Fpage(at, bytes);
        L4_Set_Rights(&fpage, rights);
        status |= L4_Rights(unmap(fpage));
        at += bytes;
    }
    return status & (L4_Readable | L4_Writable | L4_eXecutable);
}

L4_Word_t L4_Pager_Unmap(L4_Word_t base, L4_Word_t size, L4_Word_t rights)
{
    return unmap_range(base, size, rights, L4_UnmapFpage);
}

L4_Word_t L4_Pager_Flush(L4_Word_t base, L4_Word_t size)
{
    return unmap_range(base, size, L4_FullyAccessible, L4_Flush);
}

L4_Word_t L4_Pager_AccessStatus(L4_Word_t base, L4_Word_t size)
{
    return unmap_range(base, size, 0, L4_GetStatus);
}

unsigned L4_Pager_MapItems(L4_Word_t own, L4_Word_t target, L4_Word_t size, L4_Word_t rights, L4_MapItem_t *items,
                           unsigned max)
{
    unsigned count = 0;
    for (L4_Word_t done = 0; done < size;) {
        L4_Word_t bytes = TERN_PAGE_SIZE;
        while (((own + done) & (bytes * 2 - 1)) == 0 && ((target + done) & (bytes * 2 - 1)) == 0 &&
               done + bytes * 2 <= size && bytes < (1UL << 46))
            bytes *= 2;
        if (count == max)
            return 0;
        L4_Fpage_t fpage = L4_Fpage(own + done, bytes);
        L4_Set_Rights(&fpage, rights);
        items[count++] = L4_MapItem(fpage, target + done);
        done += bytes;
    }
    return count;
}

int L4_Pager_Start(L4_ThreadId_t thread, L4_Word_t ip, L4_Word_t sp, const L4_MapItem_t *items, unsigned count,
                   L4_Time_t timeout)
{
    if (count > L4_PAGER_START_ITEMS)
        return 0;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, ip);
    L4_MsgAppendWord(&msg, sp);
    for (unsigned i = 0; i < count; ++i) {
        L4_Fpage_t fpage = L4_MapItemSndFpage(items[i]);
        L4_Pager_Touch(L4_Address(fpage), L4_Size(fpage), 0);
        L4_MsgAppendMapItem(&msg, items[i]);
    }
    L4_MsgLoad(&msg);
    return L4_IpcSucceeded(L4_Send_Timeout(thread, timeout)) ? 1 : 0;
}
