// SPDX-License-Identifier: MIT
// Compile-only check: every libl4 header at once under -std=c99 -pedantic-errors, and a
// call of (nearly) every C function of the interface, so that the compiler's flow-based
// warnings see their bodies too. Never run: it only has to compile cleanly.
#include <l4/arch.h>
#include <l4/bootinfo.h>
#include <l4/ipc.h>
#include <l4/kcp.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/misc.h>
#include <l4/pagefault.h>
#include <l4/pager.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/tracebuffer.h>
#include <l4/types.h>
#include <l4/amd64/compat.h>
#include <l4io.h>
#include <config.h>

L4_Word_t x2_exercise_c_interface(L4_ThreadId_t partner, void *buffer);

static L4_Word_t sink;

static void use(L4_Word_t value)
{
    sink ^= value;
}

static void exercise_types(void)
{
    L4_Fpage_t f = L4_FpageLog2(0x100000, 12);
    L4_ThreadId_t t = L4_GlobalId(600, 1);
    L4_Clock_t c;
    L4_Time_t time = L4_TimePeriod(1500);
    c.raw = 10;
    use(L4_IsNilFpage(f) + L4_Rights(f) + L4_Address(f) + L4_Size(f) + L4_SizeLog2(f));
    f = L4_Set_Rights(&f, L4_ReadWriteOnly);
    f = L4_FpageAddRights(f, L4_eXecutable);
    f = L4_FpageAddRightsTo(&f, L4_Readable);
    f = L4_FpageRemoveRights(f, L4_Writable);
    f = L4_FpageRemoveRightsFrom(&f, L4_FullyAccessible);
    f = L4_Fpage(0x200000, 0x3000);
    use(f.raw + L4_CompleteAddressSpace.raw + L4_Nilpage.raw + f.X.s);
    use(L4_Version(t) + L4_ThreadNo(t) + L4_IsThreadEqual(t, L4_nilthread) + L4_IsThreadNotEqual(t, L4_anythread));
    use(L4_IsNilThread(t) + L4_IsLocalId(t) + L4_IsGlobalId(L4_anylocalthread) + t.global.X.thread_no);
    c = L4_ClockAddUsec(c, 5);
    c = L4_ClockSubUsec(c, 2);
    use(L4_IsClockEarlier(c, c) + L4_IsClockLater(c, c) + L4_IsClockEqual(c, c) + L4_IsClockNotEqual(c, c));
    use((L4_Word_t)time.raw + (L4_Word_t)time.period.e + (L4_Word_t)L4_Never.raw + (L4_Word_t)L4_ZeroTime.raw);
    use(__L4_Rdtsc());
}

static void exercise_messages(void *buffer)
{
    L4_Msg_t msg;
    L4_MsgBuffer_t strings;
    L4_StringItem_t item = L4_StringItem(64, buffer);
    L4_StringItem_t big[4];
    L4_MapItem_t map = L4_MapItem(L4_FpageLog2(0x1000, 12), 0x1000);
    L4_GrantItem_t grant = L4_GrantItem(L4_FpageLog2(0x2000, 12), 0);
    L4_CtrlXferItem_t ctrl[8];
    L4_Word_t words[4] = {1, 2, 3, 4};
    L4_Word_t out[8];
    L4_MsgTag_t tag = L4_Niltag;
    L4_Acceptor_t accept;
    int i;

    for (i = 0; i < 8; ++i)
        ctrl[i].raw[0] = 0;
    tag = L4_MsgTagAddLabel(tag, 0x42);
    tag = L4_MsgTagAddLabelTo(&tag, 0x43);
    L4_Set_Label(&tag, 7);
    use(L4_Label(tag) + L4_UntypedWords(tag) + L4_TypedWords(tag) + L4_IsMsgTagEqual(tag, L4_MsgTag()) +
        L4_IsMsgTagNotEqual(tag, tag) + tag.X.u);
    L4_Set_MsgTag(tag);

    use(L4_IsMapItem(map) + L4_MapItemSndFpage(map).raw + L4_MapItemSndBase(map));
    use(L4_IsGrantItem(grant) + L4_GrantItemSndFpage(grant).raw + L4_GrantItemSndBase(grant));

    big[0] = L4_StringItem(16, buffer);
    L4_AddSubstringAddressTo(&big[0], buffer);
    L4_AddSubstringTo(&big[0], &item);
    use(L4_IsStringItem(&item) + L4_CompoundString(&big[0]) + L4_Substrings(&big[0]) +
        (L4_Word_t)L4_Substring(&big[0], 1));
    use(L4_CacheAlloctionHint(item).raw +
        L4_IsCacheAllocationHintEqual(L4_UseDefaultCacheAllocation, L4_CacheAlloctionHint(item)) +
        L4_IsCacheAllocationHintNotEqual(L4_UseDefaultCacheAllocation, L4_UseDefaultCacheAllocation));
    item = L4_AddCacheAllocationHint(item, L4_UseDefaultCacheAllocation);
    item = L4_AddCacheAllocationHintTo(&item, L4_UseDefaultCacheAllocation);

    L4_CtrlXferItemInit(&ctrl[0], 1);
    L4_FaultConfCtrlXferItemInit(&ctrl[0], 2, 0x5);
    use(L4_IsCtrlXferItem(&ctrl[0]));

    L4_MsgClear(&msg);
    L4_MsgPut(&msg, 0x10, 4, words, 0, 0);
    L4_MsgGet(&msg, out, out + 4);
    L4_Set_MsgMsgTag(&msg, L4_MsgMsgTag(&msg));
    L4_Set_MsgLabel(&msg, L4_MsgLabel(&msg) + 1);
    L4_MsgAppendWord(&msg, 5);
    L4_MsgAppendMapItem(&msg, map);
    L4_MsgAppendGrantItem(&msg, grant);
    L4_MsgAppendSimpleStringItem(&msg, item);
    L4_MsgAppendStringItem(&msg, &big[0]);
    L4_MsgAppendCtrlXferItem(&msg, &ctrl[0]);
    L4_AppendFaultConfCtrlXferItems(&msg, 0x3, 0x1, 0);
    L4_MsgPutWord(&msg, 0, 9);
    L4_MsgPutMapItem(&msg, 0, map);
    L4_MsgPutGrantItem(&msg, 2, grant);
    L4_MsgPutSimpleStringItem(&msg, 4, item);
    L4_MsgPutStringItem(&msg, 6, &item);
    L4_MsgPutCtrlXferItem(&msg, 8, &ctrl[0]);
    use(L4_MsgWord(&msg, 0));
    L4_MsgGetWord(&msg, 1, out);
    use(L4_MsgGetMapItem(&msg, 0, &map) + L4_MsgGetGrantItem(&msg, 2, &grant) + L4_MsgGetStringItem(&msg, 4, big) +
        L4_MsgGetCtrlXferItem(&msg, 1, &ctrl[0]));
    L4_MsgLoad(&msg);
    L4_MsgStore(L4_MsgTag(), &msg);

    accept = L4_MapGrantItems(L4_CompleteAddressSpace);
    accept = L4_AddAcceptor(accept, L4_StringItemsAcceptor);
    accept = L4_AddAcceptorTo(accept, L4_CtrlXferAcceptor);
    accept = L4_RemoveAcceptor(accept, L4_CtrlXferAcceptor);
    accept = L4_RemoveAcceptorFrom(accept, L4_UntypedWordsAcceptor);
    use(L4_HasStringItems(accept) + L4_HasMapGrantItems(accept) + L4_RcvWindow(accept).raw);
    L4_MsgBufferClear(&strings);
    L4_MsgBufferAppendSimpleRcvString(&strings, item);
    L4_MsgBufferAppendRcvString(&strings, &big[0]);
    L4_Accept(accept);
    L4_AcceptStrings(accept, &strings);
    use(L4_Accepted().raw);
}

static void exercise_kip(void)
{
    void *kip = L4_GetKernelInterface();
    L4_KernelInterfacePage_t *page = (L4_KernelInterfacePage_t *)kip;
    L4_Word_t year, month, day, i;
    L4_MemoryDesc_t *desc;
    L4_ProcDesc_t *proc = L4_ProcDesc(kip, 0);
    L4_KernelGenDate(kip, &year, &month, &day);
    use(year + month + day + L4_ApiVersion() + L4_ApiFlags() + L4_KernelId() + L4_KernelVersion(kip) +
        L4_KernelSupplier(kip) + L4_NumProcessors(kip) + L4_PageSizeMask(kip) + L4_PageRights(kip));
    use(L4_ThreadIdBits(kip) + L4_ThreadIdSystemBase(kip) + L4_ThreadIdUserBase(kip) + L4_ReadPrecision(kip) +
        L4_SchedulePrecision(kip) + L4_UtcbAreaSizeLog2(kip) + L4_UtcbAreaSize(kip) + L4_UtcbAlignmentLog2(kip));
    use(L4_UtcbSize(kip) + L4_KipAreaSizeLog2(kip) + L4_KipAreaSize(kip) + L4_BootInfo(kip) +
        (L4_Word_t)L4_KernelVersionString(kip) + (L4_Word_t)L4_Feature(kip, 0) + L4_HasFeature("smallspaces"));
    use(page->ThreadInfo.X.UserBase + page->MemoryInfo.n + page->ApiVersion.x.version + page->Ipc);
    for (i = 0; i < L4_NumMemoryDescriptors(kip); ++i) {
        desc = L4_MemoryDesc(kip, i);
        use(L4_IsMemoryDescVirtual(desc) + L4_MemoryDescType(desc) + L4_MemoryDescLow(desc) + L4_MemoryDescHigh(desc));
    }
    if (proc != 0)
        use(L4_ProcDescExternalFreq(proc) + L4_ProcDescInternalFreq(proc));
}

static void exercise_boot_info(const void *info)
{
    L4_BootRec_t *rec;
    L4_Word_t i;
    if (!L4_BootInfo_Valid(info))
        return;
    use(L4_BootInfo_Size(info));
    rec = L4_BootInfo_FirstEntry(info);
    for (i = 0; i < L4_BootInfo_Entries(info); ++i, rec = L4_BootRec_Next(rec)) {
        switch (L4_BootRec_Type(rec)) {
        case L4_BootInfo_Module:
            use(L4_Module_Start(rec) + L4_Module_Size(rec) + (L4_Word_t)L4_Module_Cmdline(rec));
            break;
        case L4_BootInfo_SimpleExec:
            use(L4_SimpleExec_TextVstart(rec) + L4_SimpleExec_TextPstart(rec) + L4_SimpleExec_TextSize(rec) +
                L4_SimpleExec_DataVstart(rec) + L4_SimpleExec_DataPstart(rec) + L4_SimpleExec_DataSize(rec) +
                L4_SimpleExec_BssVstart(rec) + L4_SimpleExec_BssPstart(rec) + L4_SimpleExec_BssSize(rec) +
                L4_SimpleExec_InitialIP(rec) + L4_SimpleExec_Flags(rec) + L4_SimpleExec_Label(rec) +
                (L4_Word_t)L4_SimpleExec_Cmdline(rec));
            L4_SimpleExec_Set_Flags(rec, 0);
            L4_SimpleExec_Set_Label(rec, 0);
            break;
        case L4_BootInfo_EFITables:
            use(L4_EFI_Systab(rec) + L4_EFI_Memmap(rec) + L4_EFI_MemmapSize(rec) + L4_EFI_MemdescSize(rec) +
                L4_EFI_MemdescVersion(rec));
            break;
        case L4_BootInfo_Multiboot:
            use(L4_MBI_Address(rec));
            break;
        default:
            break;
        }
    }
}

static void exercise_threads(L4_ThreadId_t t)
{
    L4_Word_t sp, ip, flags, control;
    L4_ThreadId_t pager;
    L4_ThreadState_t state = L4_Stop(t);
    L4_Time_t slice, quantum;
    use(L4_ThreadWasHalted(state) + L4_ThreadWasReceiving(state) + L4_ThreadWasSending(state) +
        L4_ThreadWasIpcing(state));
    use(L4_MyGlobalId().raw + L4_MyLocalId().raw + L4_Myself().raw + L4_ProcessorNo() + L4_UserDefinedHandle());
    L4_Set_UserDefinedHandle(1);
    L4_Set_Pager(L4_Pager());
    L4_Set_ExceptionHandler(L4_ExceptionHandler());
    use(L4_ErrorCode() + (L4_Word_t)L4_ErrorCode_String(L4_ERROR_NO_MEM) + L4_XferTimeouts());
    L4_Set_XferTimeouts(0);
    use(L4_IntendedReceiver().raw + L4_ActualSender().raw + L4_WordSizeMask() + L4_ThreadWord(0));
    L4_Set_VirtualSender(t);
    L4_Set_ThreadWord(1, 2);
    L4_Reset_WordSizeMask();
    use(L4_GlobalIdOf(t).raw + L4_LocalIdOf(t).raw + L4_SameThreads(t, t) + L4_UserDefinedHandleOf(t));
    L4_Set_UserDefinedHandleOf(t, 3);
    pager = L4_PagerOf(t);
    L4_Set_PagerOf(t, pager);
    L4_Start(t);
    L4_Start_SpIp(t, 0x1000, 0x2000);
    L4_Start_SpIpFlags(t, 0x1000, 0x2000, 0);
    state = L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
    state = L4_AbortReceive_and_stop(t);
    state = L4_AbortReceive_and_stop_SpIpFlags(t, &sp, &ip, &flags);
    state = L4_AbortSend_and_stop(t);
    state = L4_AbortSend_and_stop_SpIpFlags(t, &sp, &ip, &flags);
    state = L4_AbortIpc_and_stop(t);
    state = L4_AbortIpc_and_stop_SpIpFlags(t, &sp, &ip, &flags);
    use(state.raw + sp + ip + flags);
    use(L4_AssociateInterrupt(L4_GlobalId(1, 1), t) + L4_DeassociateInterrupt(L4_GlobalId(1, 1)));
    use(L4_ConfCtrlXferItems(t) + L4_ReadCtrlXferItems(t) + L4_WriteCtrlXferItems(t));
    use(L4_ThreadControl(t, t, L4_Myself(), L4_Pager(), (void *)0x7ffffff00c00));
    use(L4_SpaceControl(t, 0, L4_FpageLog2(0x7fffffff0000, 13), L4_FpageLog2(0x7ffffff00000, 16), L4_nilthread,
                        &control) + control);
    L4_Yield();
    L4_ThreadSwitch(t);
    use(L4_Set_Priority(t, 100) + L4_Set_ProcessorNo(t, 0) + L4_Set_Timeslice(t, L4_TimePeriod(10000), L4_Never));
    use(L4_Timeslice(t, &slice, &quantum) + slice.raw + quantum.raw + L4_Set_PreemptionDelay(t, 200, 1000));
    use(L4_Set_Stride(t, 1) + L4_HS_Schedule(t, 0, t, 1, 1, &control));
    use(L4_SystemClock().raw + L4_EnablePreemption() + L4_DisablePreemption() + L4_PreemptionPending());
    use(L4_EnablePreemptionFaultException() + L4_DisablePreemptionFaultException());
    L4_Set_CopFlag(1);
    L4_Clr_CopFlag(1);
}

static void exercise_ipc(L4_ThreadId_t t)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Call(t);
    L4_Set_Propagation(&tag);
    use(L4_IpcSucceeded(tag) + L4_IpcFailed(tag) + L4_IpcPropagated(tag) + L4_IpcRedirected(tag) + L4_IpcXcpu(tag));
    tag = L4_Call_Timeouts(t, L4_Never, L4_TimePeriod(1000));
    tag = L4_Send(t);
    tag = L4_Send_Timeout(t, L4_ZeroTime);
    tag = L4_Reply(t);
    tag = L4_Receive(t);
    tag = L4_Receive_Timeout(t, L4_TimePeriod(5));
    tag = L4_Wait(&from);
    tag = L4_Wait_Timeout(L4_TimePeriod(5), &from);
    tag = L4_ReplyWait(from, &from);
    tag = L4_ReplyWait_Timeout(from, L4_ZeroTime, &from);
    tag = L4_Lcall(L4_LocalIdOf(t));
    tag = L4_LreplyWait(from, &from);
    tag = L4_Lreply_Wait(from, &from);
    tag = L4_Ipc(t, t, L4_Timeouts(L4_Never, L4_Never), &from);
    tag = L4_Lipc(t, t, L4_Timeouts(L4_Never, L4_Never), &from);
    L4_Sleep(L4_TimePeriod(1000));
    use(tag.raw + from.raw);
}

static void exercise_memory(void)
{
    L4_Fpage_t pages[2];
    L4_Word_t attributes[4] = {0, 0, 0, 0};
    L4_Fpage_t f = L4_FpageLog2(0x40000000, 12);
    pages[0] = f;
    pages[1] = L4_FpageLog2(0x40001000, 12);
    f = L4_UnmapFpage(f);
    L4_UnmapFpages(2, pages);
    f = L4_Flush(f);
    L4_FlushFpages(2, pages);
    f = L4_GetStatus(f);
    use(L4_WasWritten(f) + L4_WasReferenced(f) + L4_WaseXecuted(f));
    use(L4_Set_PageAttribute(f, L4_DefaultMemory) + L4_Set_PageAttributes(2, pages, attributes));
    use(L4_ProcessorControl(0, 0, 0, 0));
    f = L4_Sigma0_GetPage(L4_nilthread, L4_FpageLog2(0x100000, 12));
    f = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, f, L4_CompleteAddressSpace);
    f = L4_Sigma0_GetPage_RcvWindow_High(L4_nilthread, f, L4_CompleteAddressSpace, 0);
    f = L4_Sigma0_GetAny(L4_nilthread, 12, L4_CompleteAddressSpace);
    use(f.raw + (L4_Word_t)L4_Sigma0_GetSpecial(L4_DedicatedMemoryType, 0, 4096));
    f = L4_IoFpageLog2(0x3f8, 3);
    f = L4_IoFpage(0x60, 5);
    use(L4_IoFpagePort(f) + L4_IoFpageSize(f) + L4_IoFpageSizeLog2(f) + L4_IsIoFpage(f));
}

static void exercise_misc(void)
{
    L4_ThreadId32_t id = L4_ThreadId32(L4_Myself());
    L4_PfRequest_t request;
    L4_PfReply_t reply;
    L4_KernelConfigurationPage_t *kcp = (L4_KernelConfigurationPage_t *)L4_GetKernelInterface();
    char text[32];
    request.raw[0] = 0;
    reply.raw[0] = 0;
    use(L4_ThreadIdFrom32(id).raw + L4_IsNilThread32(L4_nilthread32) + L4_IsLocalId32(id) + L4_IsGlobalId32(id) +
        L4_IsThreadEqual32(id, L4_anythread32) + L4_IsThreadNotEqual32(id, L4_anylocalthread32) +
        L4_Version32(L4_GlobalId32(1, 1)) + L4_ThreadNo32(id));
    use(request.X.wrx + reply.X.u + kcp->sigma0.ip + kcp->root_server.sp);
    L4_Tbuf_RecordEvent_0(1, "event");
    L4_Tbuf_RecordEvent_1(1, "event %x", 1);
    L4_Tbuf_RecordEvent_2(1, "event", 1, 2);
    L4_Tbuf_RecordEvent_3(1, "event", 1, 2, 3);
    L4_Tbuf_RecordEvent_4(1, "event", 1, 2, 3, 4);
    L4_Tbuf_IncCounter(1);
    L4_KDB_PrintChar('x');
    L4_KDB_PrintString("text");
    L4_KDB_ClearPage();
    if (sink == 42)
        L4_KDB_Exit(1);
    L4_KDB_ToggleBreakin();
    L4_KDB_SetThreadName(L4_Myself(), "name");
    use((L4_Word_t)L4_KDB_ReadChar() + (L4_Word_t)L4_KDB_ReadChar_Blocked() + (L4_Word_t)kd_inchar());
    L4_KDB_Enter("stop");
    L4_KDB_Enter();
    enter_kdebug("old name");
    use((L4_Word_t)snprintf(text, sizeof text, "%lu %s", sink, "x") + (L4_Word_t)printf("%d\n", 1));
    use((L4_Word_t)puts(text) + (L4_Word_t)putchar('c') + (L4_Word_t)getc());
    putc('d');
}

L4_Word_t x2_exercise_c_interface(L4_ThreadId_t partner, void *buffer)
{
    exercise_types();
    exercise_messages(buffer);
    exercise_kip();
    exercise_boot_info(buffer);
    exercise_threads(partner);
    exercise_ipc(partner);
    exercise_memory();
    exercise_misc();
    return sink;
}
