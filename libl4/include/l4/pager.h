// SPDX-License-Identifier: MIT
// libl4: a small library for writing pagers (a Tern addition; X.2 has none). A pager is a
// thread that answers the page faults of other threads ("its clients") by mapping them
// pages of its own address space; it gets those pages from its own pager in turn, up to
// sigma0. This library does the protocol so that a pager is one callback:
//
//   static L4_Fpage_t resolve(L4_Pager_t *pager, L4_PagerFault_t *fault)
//   {
//       // which page of my own space backs fault->address? nil refuses the fault
//   }
//   ...
//   L4_Pager_t pager;
//   L4_Pager_Init(&pager, resolve, 0);
//   L4_Pager_Serve(&pager);  // never returns
//
// The protocol (l4/pagefault.h): the kernel turns a page fault into a call from the
// faulting thread to its pager with label -2 << 4 | access (r 4, w 2, x 1), MR1 = fault
// address, MR2 = instruction pointer; the faulter restarts once a reply arrives, mapped or
// not. The library replies with one map (or grant) item of the fpage resolve chose, sent so
// that it covers the fault address: an fpage of 2^s bytes lands at the fault address
// rounded down to 2^s. A pager can only give what it has: the library touches the pages of
// that fpage in its own space first, so that they fault in from its own pager, with write
// access when the fault was a write. docs/pager.md is a tutorial.
//
// All functions are for one thread at a time per L4_Pager_t; none keeps state outside it.
#ifndef L4_PAGER_H
#define L4_PAGER_H

#include <l4/types.h>
#include <l4/message.h>

#if defined(__cplusplus)
extern "C" {
#endif

// One page fault, as resolve sees it.
typedef struct L4_PagerFault {
    L4_ThreadId_t faulter; // the thread that faulted (global id)
    L4_Word_t address;     // the fault address
    L4_Word_t access;      // what the access needed: L4_Readable, L4_Writable, L4_eXecutable bits
    L4_Word_t ip;          // the faulting instruction
    int grant;             // set by resolve: grant the fpage (the pager loses it) instead of mapping it
} L4_PagerFault_t;

typedef struct L4_PagerServer L4_Pager_t;

// Chooses the fpage of the pager's own space that resolves a fault, with the rights to
// give in its rights bits (none means L4_FullyAccessible; the kernel never gives more than
// the pager has). L4_Nilpage refuses: the faulter gets no reply and stays blocked in its
// fault (until it is deleted or its IPC is cancelled), and the pager goes on serving.
typedef L4_Fpage_t (*L4_PagerResolve_t)(L4_Pager_t *pager, L4_PagerFault_t *fault);

// What the library does with a message (results of L4_Pager_Handle and of an
// L4_PagerOther_t hook).
#define L4_PAGER_UNKNOWN 0  // not the pager's: nothing was sent
#define L4_PAGER_REPLY 1    // answered: the reply is in the MRs (hooks) or was sent (Handle)
#define L4_PAGER_NO_REPLY 2 // handled without a reply (a refused fault)

// Handles a message that is not a page fault, already received (tag, MRs); returns one of
// the results above. L4_PAGER_REPLY: the hook loaded a reply into the MRs, which the
// library sends to from. L4_PAGER_UNKNOWN: the library answers with the error reply.
typedef int (*L4_PagerOther_t)(L4_Pager_t *pager, L4_ThreadId_t from, L4_MsgTag_t tag);

// The error reply, sent (with a zero timeout) to whoever sent a message the pager does not
// understand: label L4_PAGER_ERROR_LABEL, MR1 = reason, MR2 = the label received.
#define L4_PAGER_ERROR_LABEL 0xe000UL
#define L4_PAGER_ERROR_UNKNOWN 1   // neither a page fault nor handled by the other hook
#define L4_PAGER_ERROR_MALFORMED 2 // a page-fault label without exactly 2 untyped words and no typed ones

struct L4_PagerServer {
    L4_PagerResolve_t resolve; // required
    L4_PagerOther_t other;     // optional hook for other messages (0: all get the error reply)
    void *data;                // the user's
    L4_Word_t faults;          // faults answered with a mapping
    L4_Word_t refused;         // faults resolve refused
    L4_Word_t errors;          // messages answered with the error reply
};

// Sets up a pager: resolve, no hook, data, counters zero.
void L4_Pager_Init(L4_Pager_t *pager, L4_PagerResolve_t resolve, void *data);

// Serves for ever: waits for messages from anyone and answers page faults through
// resolve, other messages through the hook or with the error reply. Replies are sent with
// a zero timeout, so no client can block the pager; a failed receive is simply repeated.
// The thread's acceptor is set to untyped words only (clients cannot map to the pager).
void L4_Pager_Serve(L4_Pager_t *pager) __attribute__((noreturn));

// One message already received (tag and MRs as the receive left them) from `from`: a
// page fault is answered as L4_Pager_Serve would (L4_PAGER_REPLY, or L4_PAGER_NO_REPLY
// when refused), a malformed one with the error reply (L4_PAGER_REPLY); anything else is
// left alone (L4_PAGER_UNKNOWN), for a pager that has its own receive loop.
int L4_Pager_Handle(L4_Pager_t *pager, L4_ThreadId_t from, L4_MsgTag_t tag);

// A page-fault label, whatever the words (the kernel's own messages have u = 2, t = 0).
L4_Bool_t L4_Pager_IsPageFault(L4_MsgTag_t tag);

// Sends the error reply with reason to `to` (zero timeout); the MRs are overwritten.
void L4_Pager_ReplyError(L4_ThreadId_t to, L4_Word_t reason, L4_Word_t label);

// Touches every page of [base, base + size) in the caller's space: reads a word of each,
// or, when access has L4_Writable, adds 0 to it atomically. Pages the caller does not
// have (or not with that access) fault in from its pager; contents stay unchanged.
void L4_Pager_Touch(L4_Word_t base, L4_Word_t size, L4_Word_t access);

// Gets 2^size_log2 bytes of memory (read-write) at base (aligned to that size) in the
// caller's space from the caller's pager: when that is sigma0, with one sigma0 request
// for any free fpage of that size (a 2 MiB one can be a single large page); otherwise by
// touching the range for writing, so that the pager maps it fault by fault. Returns the
// fpage now there (rights L4_ReadWriteOnly), or L4_Nilpage when sigma0 refused. The
// acceptor is restored afterwards.
L4_Fpage_t L4_Pager_GetMemory(L4_Word_t base, int size_log2);

// Takes rights (L4_Readable removes the mappings) away from every mapping derived from the
// caller's pages in [base, base + size), i.e. from its clients and their clients, keeping
// its own. Returns the access status (L4_Readable: referenced, L4_Writable: written) of
// those pages and everything derived from them since the last query, and resets it.
L4_Word_t L4_Pager_Unmap(L4_Word_t base, L4_Word_t size, L4_Word_t rights);

// As L4_Pager_Unmap with all rights, and the caller's own pages go too (X.2's Flush):
// the next touch faults to the caller's own pager.
L4_Word_t L4_Pager_Flush(L4_Word_t base, L4_Word_t size);

// The access status of [base, base + size) as L4_Pager_Unmap reports it, nothing revoked.
L4_Word_t L4_Pager_AccessStatus(L4_Word_t base, L4_Word_t size);

// Fills items with map items that map the caller's [own, own + size) to [target, target +
// size) of a thread whose receive window is its whole space (a page-fault reply or a
// start message), in the fewest naturally aligned fpages, with rights. All three page
// aligned. Returns how many, or 0 when they would be more than max.
unsigned L4_Pager_MapItems(L4_Word_t own, L4_Word_t target, L4_Word_t size, L4_Word_t rights, L4_MapItem_t *items,
                           unsigned max);

// At most this many map items fit in a start message (63 words: 2 untyped, 2 per item).
#define L4_PAGER_START_ITEMS 30

// Starts thread, which waits for its first message from the caller as its pager (it was
// created with the caller as pager), at ip with stack pointer sp; items (at most
// L4_PAGER_START_ITEMS) are mapped into its space before it runs a single instruction,
// after the caller touched their pages (for reading: a pager gives what it has). Returns 1,
// or 0 when the send failed (ErrorCode tells why) or there are too many items.
int L4_Pager_Start(L4_ThreadId_t thread, L4_Word_t ip, L4_Word_t sp, const L4_MapItem_t *items, unsigned count,
                   L4_Time_t timeout);

#if defined(__cplusplus)
}
#endif

#endif
