// SPDX-License-Identifier: MIT
// An X.2 program in C++ (built unchanged against libl4), using the C++ overloads and
// operators: it inspects the kernel interface page, asks sigma0 for memory, builds and
// takes apart message objects, string items and acceptors, and talks to a worker thread.
#include <l4/arch.h>
#include <l4/bootinfo.h>
#include <l4/ipc.h>
#include <l4/kcp.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/misc.h>
#include <l4/pagefault.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/tracebuffer.h>
#include <l4/types.h>
#include L4_COMPAT_H_LOCATION
#include <config.h>
#include <l4io.h>

namespace {

int failures;

// The runtime runs global constructors before main.
struct Constructed {
    Constructed() : value(42) {}
    int value;
};
Constructed constructed;

void check(bool ok, const char *what)
{
    printf("  %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        ++failures;
}

L4_KernelInterfacePage_t *kip;
L4_ThreadId_t worker_tid;
L4_Word_t worker_stack[2048] __attribute__((aligned(16)));

// A server: answers label 1 with the sum of the untyped words, label 2 with a map item of
// the page it got from sigma0.
void worker()
{
    L4_ThreadId_t client;
    L4_Msg_t msg;
    L4_MsgTag_t tag = L4_Wait(&client);
    for (;;) {
        L4_Store(tag, &msg);
        L4_Word_t sum = 0;
        for (L4_Word_t i = 0; i < L4_UntypedWords(tag); ++i)
            sum += L4_Get(&msg, i);
        L4_Clear(&msg);
        L4_Append(&msg, sum);
        L4_Set_Label(&msg, L4_Label(tag) + 0x100);
        L4_Load(&msg);
        tag = L4_ReplyWait(client, L4_Never, &client);
    }
}

void inspect_kip()
{
    printf("KIP at %p: magic %s, API version %lx.%lx, kernel id %lx, \"%s\"\n", static_cast<void *>(kip),
           kip->magic == L4_MAGIC ? "ok" : "BAD", static_cast<L4_Word_t>(kip->ApiVersion.x.version),
           static_cast<L4_Word_t>(kip->ApiVersion.x.subversion), L4_KernelId(), L4_KernelVersionString(kip));
    check(L4_ApiVersion() == kip->ApiVersion.raw && kip->ApiVersion.x.version == L4_APIVERSION_X2,
          "API version is X.2");
    check(kip->ThreadInfo.X.UserBase == L4_ThreadIdUserBase(kip), "thread info bitfields agree with accessors");
    check(L4_ThreadNo(L4_Myself()) == L4_ThreadIdUserBase(kip) + 2, "root task is user base + 2");
    printf("  threads: %lu bits, system base %lu, user base %lu\n", L4_ThreadIdBits(kip),
           L4_ThreadIdSystemBase(kip), L4_ThreadIdUserBase(kip));
    printf("  pages %lx rights %lx, UTCB size %lu align 2^%lu area 2^%lu, KIP area 2^%lu, %lu processor(s)\n",
           L4_PageSizeMask(kip), L4_PageRights(kip), L4_UtcbSize(kip), L4_UtcbAlignmentLog2(kip),
           L4_UtcbAreaSizeLog2(kip), L4_KipAreaSizeLog2(kip), L4_NumProcessors(kip));
    L4_ProcDesc_t *cpu = L4_ProcDesc(kip, 0);
    check(cpu != nullptr && L4_ProcDesc(kip, L4_NumProcessors(kip)) == nullptr, "processor descriptors");
    if (cpu != nullptr)
        printf("  cpu 0: %lu kHz internal, %lu kHz external\n", L4_InternalFreq(cpu), L4_ExternalFreq(cpu));
    for (L4_Word_t i = 0; L4_Feature(kip, i) != nullptr; ++i)
        printf("  feature: %s\n", L4_Feature(kip, i));
    check(!L4_HasFeature("no-such-feature"), "unknown feature absent");
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        L4_MemoryDesc_t *desc = L4_MemoryDesc(kip, i);
        printf("  memory %2lu: [%012lx, %012lx] type %lx%s\n", i, L4_Low(desc), L4_High(desc), L4_Type(desc),
               L4_IsVirtual(desc) ? " virtual" : "");
    }
    check(L4_MemoryDesc(kip, L4_NumMemoryDescriptors(kip)) == nullptr, "memory descriptor list ends");
}

void ask_sigma0()
{
    L4_ThreadId_t sigma0 = L4_GlobalId(kip->ThreadInfo.X.UserBase, 1);
    // Any page, placed at a free address of ours through the receive window.
    auto *window = reinterpret_cast<volatile L4_Word_t *>(0x40000000UL);
    L4_Fpage_t page = L4_Sigma0_GetAny(sigma0, 12, L4_FpageLog2(reinterpret_cast<L4_Word_t>(window), 12));
    check(!L4_IsNilFpage(page) && L4_SizeLog2(page) == 12, "sigma0 gives any page");
    if (!L4_IsNilFpage(page)) {
        window[0] = 0x1234;
        window[511] = 0x5678;
        check(window[0] + window[511] == 0x68ac, "page is mapped writable");
        printf("  got physical page %lx\n", L4_Address(page));
        // The same page again: sigma0 hands each page out once.
        L4_Fpage_t again = L4_Sigma0_GetPage_RcvWindow(sigma0, L4_FpageLog2(L4_Address(page), 12) + L4_ReadWriteOnly,
                                                       L4_FpageLog2(0x40001000UL, 12));
        check(L4_IsNilFpage(again), "a page is not given twice");
        L4_Fpage_t flushed = L4_Flush(L4_FpageLog2(reinterpret_cast<L4_Word_t>(window), 12) + L4_FullyAccessible);
        check(L4_Address(flushed) == reinterpret_cast<L4_Word_t>(window), "flush returns the fpage");
    }
}

void build_messages()
{
    L4_Msg_t msg;
    L4_Clear(&msg);
    L4_Append(&msg, 1UL);
    L4_Append(&msg, 2);
    L4_Append(&msg, L4_MapItem(L4_FpageLog2(0x200000, 21) + L4_Readable, 0x200000));
    L4_Append(&msg, 3UL);  // untyped words stay before typed ones
    L4_MsgTag_t tag = L4_MsgTag(&msg);
    check(L4_UntypedWords(tag) == 3 && L4_TypedWords(tag) == 2, "append keeps u and t");
    check(L4_Get(&msg, 2) == 3, "untyped word moved in front of the map item");
    L4_MapItem_t map;
    check(L4_Get(&msg, 0, &map) == 2 && L4_MapItem(map) && L4_SndBase(map) == 0x200000 &&
              L4_Rights(L4_SndFpage(map)) == L4_Readable && L4_SizeLog2(L4_SndFpage(map)) == 21,
          "map item round trip");
    L4_Put(&msg, 0, 7UL);
    L4_Word_t w;
    L4_Get(&msg, 0, &w);
    check(w == 7, "put and get of a word");
    L4_Set_Label(&msg, 0xabc);
    check(L4_Label(&msg) == 0xabc && L4_Label(L4_MsgTag(&msg)) == 0xabc, "label");
    L4_MsgTag_t other = L4_Niltag + 5;
    other += 6;
    check(L4_Label(other) == 6 && other != tag && !(other == tag), "tag operators");
    L4_MsgTag_t sigma0_tag = L4_Niltag;
    L4_Set_Label(&sigma0_tag, (~0UL - 5) << 4);
    check(sigma0_tag.raw == 0xffffffffffa00000UL, "sigma0 label -6 << 4 encodes as X.2 does");

    L4_GrantItem_t grant = L4_GrantItem(L4_FpageLog2(0x1000, 12), 0);
    L4_MapItem_t as_map;
    as_map.raw[0] = grant.raw[0];
    as_map.raw[1] = grant.raw[1];
    check(L4_GrantItem(grant) && !L4_IsMapItem(as_map), "grant item");

    char text[64];
    L4_StringItem_t strings[4];
    strings[0] = L4_StringItem(16, text);
    strings[0] += static_cast<void *>(text + 16);
    check(L4_Substrings(&strings[0]) == 2 && L4_Substring(&strings[0], 2) == text + 16, "substring address added");
    strings[0] += L4_StringItem(8, text + 32);
    check(L4_CompoundString(&strings[0]) && L4_StringItem(&strings[0]), "compound string item");

    L4_MsgBuffer_t buffer;
    L4_Clear(&buffer);
    L4_Append(&buffer, L4_StringItem(32, text));
    L4_Append(&buffer, L4_StringItem(32, text + 32));
    L4_Acceptor_t accept = L4_StringItemsAcceptor + L4_MapGrantItems(L4_CompleteAddressSpace);
    check(L4_StringItems(accept) && L4_MapGrantItems(accept) &&
              L4_RcvWindow(accept).raw == L4_CompleteAddressSpace.raw,
          "acceptor operators");
    accept -= L4_StringItemsAcceptor;
    check(!L4_StringItems(accept), "acceptor removal");
    L4_Accept(accept, &buffer);
    check(L4_Accepted().raw == accept.raw, "acceptor in BR0");
}

void check_types()
{
    L4_Fpage_t f = L4_Fpage(0x12345000, 0x3000);
    check(L4_SizeLog2(f) == 14 && L4_Address(f) == 0x12344000, "fpage size rounds up");
    f += L4_Writable;
    f = f + L4_eXecutable - L4_Writable;
    check(L4_Rights(f) == L4_eXecutable, "fpage rights operators");
    check(L4_TimePeriod(1000).raw == 1000 && L4_TimePeriod(2048).raw == ((2 << 10) | 512) &&
              L4_TimePeriod(0).raw == L4_ZeroTime.raw,
          "time periods");
    L4_Clock_t a = L4_SystemClock();
    L4_Clock_t b = a + 5;
    check(b > a && (b - a).raw == 5 && b - 5 == a && a != b, "clock operators");
    L4_ThreadId_t me = L4_Myself();
    check(me == L4_GlobalId(L4_ThreadNo(me), L4_Version(me)) && me != L4_nilthread && L4_IsGlobalId(me) &&
              L4_IsLocalId(L4_MyLocalId()) && L4_anylocalthread.raw == ~0UL << 6,
          "thread ids");
    check(L4_ThreadId(L4_ThreadId32(me)) == me, "32-bit thread ids convert");
    check(L4_GlobalId(L4_MyLocalId()) == me && L4_LocalId(me) == L4_MyLocalId(), "ExchangeRegisters id lookup");
    check(L4_IsIoFpage(L4_IoFpage(0x3f8, 8)) && L4_IoFpagePort(L4_IoFpageLog2(0x3f8, 3)) == 0x3f8,
          "I/O fpages");
}

void talk_to_worker()
{
    L4_ThreadId_t me = L4_Myself();
    worker_tid = L4_GlobalId(L4_ThreadNo(me) + 5, 1);
    L4_Word_t utcb = L4_MyLocalId().raw + 5 * L4_UtcbSize(kip);
    L4_Word_t ok = L4_ThreadControl(worker_tid, me, me, L4_Pager(), reinterpret_cast<void *>(utcb));
    check(ok != 0, "worker created");
    if (ok == 0)
        return;
    L4_Start(worker_tid, reinterpret_cast<L4_Word_t>(worker_stack + 2048), reinterpret_cast<L4_Word_t>(worker));
    L4_Set_UserDefinedHandle(worker_tid, 0x77);
    check(L4_UserDefinedHandle(worker_tid) == 0x77, "user-defined handle of another thread");
    check(L4_Pager(worker_tid) == L4_Pager(), "pager of another thread");

    L4_Msg_t msg;
    L4_Clear(&msg);
    L4_Word_t words[3] = {10, 20, 30};
    L4_Put(&msg, 1, 3, words, 0, nullptr);
    L4_Load(&msg);
    L4_MsgTag_t tag = L4_Call(worker_tid, L4_TimePeriod(1000000), L4_TimePeriod(1000000));
    L4_Store(tag, &msg);
    check(L4_IpcSucceeded(tag) && L4_Label(tag) == 0x101 && L4_Get(&msg, 0) == 60, "call with overloads");

    L4_Time_t slice, quantum;
    check(L4_Set_Priority(worker_tid, 50) != L4_SCHEDRESULT_ERROR, "set priority");
    L4_Word_t state = L4_Timeslice(worker_tid, &slice, &quantum);
    printf("  worker: schedule state %lu, time slice %x\n", state, static_cast<unsigned>(slice.raw));
    L4_Yield();
    L4_Tbuf_RecordEvent(1, "worker done", 1);
}

}  // namespace

// Never called: these need a privileged caller or state the test does not set up; they
// only have to compile.
void x2_compile_only(L4_ThreadId_t t, L4_BootRec_t *rec)
{
    L4_Word_t sp, ip, flags, control;
    L4_Fpage_t pages[2] = {L4_Nilpage, L4_Nilpage};
    L4_Word_t attributes[4] = {};
    (void)L4_Stop(t, &sp, &ip, &flags);
    (void)L4_AbortReceive_and_stop(t, &sp, &ip, &flags);
    (void)L4_AbortSend_and_stop(t, &sp, &ip, &flags);
    (void)l4_abort_send_and_stop(t, &sp, &ip, &flags);
    (void)L4_AbortIpc_and_stop(t, &sp, &ip, &flags);
    L4_Start(t, sp, ip, flags);
    (void)L4_SpaceControl(t, 0, L4_FpageLog2(0x7fffffff0000, 13), L4_FpageLog2(0x7ffffff00000, 16), L4_nilthread,
                          &control);
    L4_Unmap(2, pages);
    L4_Flush(2, pages);
    (void)L4_Unmap(pages[0]);
    (void)L4_Set_PageAttributes(2, pages, attributes);
    (void)L4_Sigma0_GetPage(t, pages[0], 1UL);
    (void)L4_Sigma0_GetPage(t, pages[0], 1UL, L4_CompleteAddressSpace);
    L4_ThreadId_t from;
    (void)L4_Send(t, L4_ZeroTime);
    (void)L4_Receive(t, L4_ZeroTime);
    (void)L4_Wait(L4_ZeroTime, &from);
    (void)L4_ReplyWait(t, &from);
    printf("%lu %lu\n", L4_Type(rec), L4_Next(rec)->type);
    L4_CtrlXferItem_t items[4];
    L4_Init(&items[0], 1);
    L4_Init(&items[0], 1, 3);
    L4_Msg_t msg;
    L4_Clear(&msg);
    L4_Append(&msg, &items[0]);
    L4_Put(&msg, 0, &items[0]);
    (void)L4_Get(&msg, 1, &items[0]);
    L4_Append(&msg, 0x3UL, 1UL, 0UL);
    L4_StringItem_t s = L4_StringItem(4, &msg);
    L4_Append(&msg, s);
    L4_Append(&msg, &s);
    L4_Put(&msg, 0, s);
    L4_Put(&msg, 0, &s);
    (void)L4_Get(&msg, 0, &s);
    L4_GrantItem_t g = L4_GrantItem(pages[0], 0);
    L4_Append(&msg, g);
    L4_Put(&msg, 0, g);
    (void)L4_Get(&msg, 0, &g);
    (void)L4_SndFpage(g);
    (void)L4_SndBase(g);
    L4_Word_t untyped[4];
    L4_Get(&msg, untyped, nullptr);
    L4_Set_MsgTag(&msg, L4_Niltag);
    L4_MsgBuffer_t buffer;
    L4_Clear(&buffer);
    L4_Append(&buffer, &s);
    s = s + L4_UseDefaultCacheAllocation;
    s += L4_UseDefaultCacheAllocation;
    (void)(L4_CacheAlloctionHint(s) == L4_UseDefaultCacheAllocation);
    (void)(L4_CacheAlloctionHint(s) != L4_UseDefaultCacheAllocation);
    (void)L4_KernelInterface();
    L4_Clock_t c = L4_SystemClock();
    (void)(c + c < c - c || c <= c || c >= c || c == c);
    L4_Acceptor_t a = L4_UntypedWordsAcceptor;
    a += L4_CtrlXferAcceptor;
    (void)(a - L4_CtrlXferAcceptor);
    L4_Fpage_t f = pages[0];
    f -= L4_Writable;
    (void)L4_Fpage(L4_IoFpage_t{f.raw});
    L4_ThreadId32_t id32 = L4_ThreadId32(t);
    (void)(id32 == L4_nilthread32 || id32 != L4_anythread32);
    L4_KDB_Enter("compile only");
}

int main()
{
    kip = static_cast<L4_KernelInterfacePage_t *>(L4_KernelInterface());
    printf("kip_sigma0 (C++): I am %lx\n", L4_Myself().raw);
    check(constructed.value == 42, "global constructors ran");
    inspect_kip();
    check_types();
    build_messages();
    ask_sigma0();
    talk_to_worker();
    printf("kip_sigma0 (C++): %d failures\n", failures);
    return failures;
}
