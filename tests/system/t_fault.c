/* SPDX-License-Identifier: MIT */
/* PF: page faults as IPC to the pager. */
#include "systest.h"

static L4_Word_t pf_write_target[512] __attribute__((aligned(4096)));
static L4_Word_t pf_read_target[512] __attribute__((aligned(4096)));
static L4_Word_t alias_source[512] __attribute__((aligned(4096)));

/* Faulting loads and stores at known addresses (rdi = address; load returns the value). */
extern char pf_load_at[], pf_store_at[];
L4_Word_t pf_load(L4_Word_t address);
void pf_store(L4_Word_t address, L4_Word_t value);
__asm__(".text\n"
        ".globl pf_load\n"
        ".type pf_load, @function\n"
        "pf_load:\n"
        ".globl pf_load_at\n"
        "pf_load_at:\n"
        "    movq (%rdi), %rax\n"
        "    ret\n"
        ".size pf_load, . - pf_load\n"
        ".globl pf_store\n"
        ".type pf_store, @function\n"
        "pf_store:\n"
        ".globl pf_store_at\n"
        "pf_store_at:\n"
        "    movq %rsi, (%rdi)\n"
        "    ret\n"
        ".size pf_store, . - pf_store\n");

/* Starts executing here in a new space: the very first fetch faults. */
static void first_fault_child(void)
{
    report_to_main(0, 0, 0, 0);
    park();
}

static void first_fault_is_fetch(void)
{
    L4_ThreadId_t child = spawn_child(first_fault_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(child, 1000, &from);
    CHECK(is_page_fault(tag), "first message from the new thread is not a page fault (tag %#lx, ErrorCode %lu)",
          tag.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    L4_Word_t ip = (L4_Word_t)first_fault_child;
    CHECK(from.raw == child.raw, "fault came from %#lx, expected %#lx", from.raw, child.raw);
    CHECK(L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0, "fault tag %#lx, expected u = 2, t = 0", tag.raw);
    CHECK((L4_Label(tag) & 0xf) == 1, "access bits %#lx, expected x (1) for an instruction fetch",
          L4_Label(tag) & 0xf);
    CHECK(mr(1) == ip && mr(2) == ip, "fault address %#lx IP %#lx, expected both %#lx (the start IP)", mr(1), mr(2),
          ip);
    CHECK(answer_page_fault(from), "could not answer the fault");
    tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the child did not run on after its faults were answered (tag %#lx)", tag.raw);
}

static void writing_child(void)
{
    volatile L4_Word_t *p = pf_write_target;
    p[37] = 0x77;
    report_to_main(0, 0, 0, 0);
    park();
}

static const struct fault_record *find_fault(L4_Word_t address)
{
    for (unsigned i = 0; i < fault_log_count; ++i)
        if (fault_log[i].address == address)
            return &fault_log[i];
    return 0;
}

static void write_fault(void)
{
    fault_log_count = 0;
    pf_write_target[37] = 0;
    L4_ThreadId_t child = spawn_child(writing_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the child did not finish (tag %#lx)", tag.raw);
    const struct fault_record *f = find_fault((L4_Word_t)&pf_write_target[37]);
    CHECK(f != 0, "no fault at the written address %#lx among %u faults", (L4_Word_t)&pf_write_target[37],
          fault_log_count);
    CHECK((f->label & 0xf) == 2, "write fault access bits %#lx, expected w (2)", f->label & 0xf);
    CHECK(f->ip >= image_low && f->ip < image_high, "fault IP %#lx not in the image", f->ip);
    CHECK(pf_write_target[37] == 0x77, "the child's write did not reach the page the pager mapped (%#lx)",
          pf_write_target[37]);
}

static void reading_child(void)
{
    volatile L4_Word_t *p = pf_read_target;
    report_to_main(1, p[11], 0, 0);
    park();
}

static void read_fault(void)
{
    fault_log_count = 0;
    pf_read_target[11] = 0xabc123;
    L4_ThreadId_t child = spawn_child(reading_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the child did not finish (tag %#lx)", tag.raw);
    CHECK(mr(1) == 0xabc123, "the child read %#lx, expected 0xabc123", mr(1));
    const struct fault_record *f = find_fault((L4_Word_t)&pf_read_target[11]);
    CHECK(f != 0, "no fault at the read address %#lx among %u faults", (L4_Word_t)&pf_read_target[11],
          fault_log_count);
    CHECK((f->label & 0xf) == 4, "read fault access bits %#lx, expected r (4)", f->label & 0xf);
}

static void loader(L4_Word_t address)
{
    L4_Word_t v = pf_load(address);
    report_to_main(1, v, 0, 0);
}

static void storer(L4_Word_t address)
{
    pf_store(address, 0x1234);
    report_to_main(1, 0x1234, 0, 0);
}

static L4_MsgTag_t map_reply(L4_ThreadId_t to, L4_Word_t source, L4_Word_t send_base)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(source, 12), L4_FullyAccessible), send_base));
    L4_MsgLoad(&msg);
    return send_ms(to, 500);
}

static void own_space_fault(void)
{
    for (int i = 0; i < 512; ++i)
        alias_source[i] = 0xa1a5000000000000UL + (L4_Word_t)i;
    L4_Word_t w = WINDOW(30);
    L4_ThreadId_t t = spawn(loader, w + 0x10, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "no page fault from the thread (tag %#lx)", tag.raw);
    CHECK((L4_Label(tag) & 0xf) == 4, "access %#lx, expected r", L4_Label(tag) & 0xf);
    CHECK(mr(1) == w + 0x10, "fault address %#lx, expected %#lx", mr(1), w + 0x10);
    CHECK(mr(2) == (L4_Word_t)pf_load_at, "fault IP %#lx, expected the load at %#lx", mr(2), (L4_Word_t)pf_load_at);
    CHECK(L4_IpcSucceeded(map_reply(t, (L4_Word_t)alias_source, w)), "reply failed with ErrorCode %lu",
          L4_ErrorCode());
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the thread did not continue after the mapping reply (tag %#lx, MR1 %#lx)",
          tag.raw, mr(1));
    CHECK(mr(1) == alias_source[2], "the restarted load read %#lx, expected %#lx", mr(1), alias_source[2]);
}

static volatile L4_Word_t nopager_reported;

static void nopager_loader(L4_Word_t address)
{
    L4_Word_t v = pf_load(address);
    nopager_reported = 1;
    report_to_main(1, v, 0, 0);
}

static void restarted(void)
{
    report_to_main(1, 0x5ea, 0, 0);
    park();
}

static L4_Word_t restart_stack[512] __attribute__((aligned(16)));

static void no_pager_halts(void)
{
    nopager_reported = 0;
    L4_ThreadId_t t = spawn(nopager_loader, WINDOW(31), -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Set_PagerOf(t, L4_nilthread); /* before it runs: the main thread has the higher priority */
    L4_MsgTag_t tag = recv_ms(t, 50, 0);
    CHECK(L4_IpcFailed(tag) && !nopager_reported, "a thread without pager went on after a page fault");
    CHECK(L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE), "waiting for it ended with ErrorCode %lu",
          L4_ErrorCode());
}

static void restart_after_fault_halt(void)
{
    nopager_reported = 0;
    L4_ThreadId_t t = spawn(nopager_loader, WINDOW(32), -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Set_PagerOf(t, L4_nilthread); /* before it runs: the main thread has the higher priority */
    sleep_ms(20);
    CHECK(!nopager_reported, "the thread went on after its fault");
    L4_Start_SpIp(t, (L4_Word_t)&restart_stack[512] - 8, (L4_Word_t)restarted);
    L4_MsgTag_t tag = recv_ms(t, 500, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == 0x5ea, "the thread halted for a fault without pager did not run at "
          "the IP and SP ExchangeRegisters gave it (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
}

static void empty_reply_refaults(void)
{
    L4_Word_t w = WINDOW(33);
    for (int i = 0; i < 512; ++i)
        alias_source[i] = 0xe0e0000000000000UL + (L4_Word_t)i;
    L4_ThreadId_t t = spawn(loader, w, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag) && mr(1) == w, "no page fault at %#lx (tag %#lx)", w, tag.raw);
    load_msg(0, 0, 0, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "empty reply failed with ErrorCode %lu", L4_ErrorCode());
    tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "after an empty reply the thread did not fault again (tag %#lx)", tag.raw);
    CHECK(mr(1) == w && mr(2) == (L4_Word_t)pf_load_at, "second fault at %#lx IP %#lx, expected %#lx IP %#lx", mr(1),
          mr(2), w, (L4_Word_t)pf_load_at);
    CHECK(L4_IpcSucceeded(map_reply(t, (L4_Word_t)alias_source, w)), "mapping reply failed");
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == alias_source[0], "after the mapping reply: tag %#lx MR1 %#lx",
          tag.raw, mr(1));
}

static void missing_pager_halts(void)
{
    nopager_reported = 0;
    L4_ThreadId_t t = spawn(nopager_loader, WINDOW(34), -1, L4_GlobalId(3960, 1));
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 50, 0);
    CHECK(L4_IpcFailed(tag) && !nopager_reported, "a thread whose pager does not exist went on after a fault");
}

/* Cancels t's IPC in both phases, as l4test's pager does with a fault it will not serve. */
static void cancel_ipc_of(L4_ThreadId_t t)
{
    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadId_t pager;
    (void)L4_ExchangeRegisters(t, 6 /* cancel send and receive */, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip,
                               &flags, &handle, &pager);
}

#define CANCEL_MRS 64

static void mrs_loader(L4_Word_t address)
{
    for (int i = 0; i < CANCEL_MRS; ++i)
        L4_LoadMR(i, 0xca0c000000000000UL + (L4_Word_t)i);
    L4_Word_t v = pf_load(address);
    L4_Word_t intact = 1;
    for (int i = 0; i < CANCEL_MRS; ++i) {
        L4_Word_t w = 0;
        L4_StoreMR(i, &w);
        if (w != 0xca0c000000000000UL + (L4_Word_t)i)
            intact = 0;
    }
    report_to_main(2, v, intact, 0);
}

/* l4test's "Pagefault cancelled": the pager cancels the page-fault IPC with ExchangeRegisters
 * instead of answering; the thread goes on at the faulting instruction and faults again,
 * once in each phase (the pager had taken the fault: the reply wait; the pager was busy: the
 * send). Its message registers are as it left them. */
static void cancelled_fault_refaults(void)
{
    L4_Word_t w = WINDOW(35);
    for (int i = 0; i < 512; ++i)
        alias_source[i] = 0xcace000000000000UL + (L4_Word_t)i;
    L4_ThreadId_t t = spawn(mrs_loader, w + 0x18, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag) && mr(1) == w + 0x18, "no page fault at %#lx (tag %#lx, MR1 %#lx)", w + 0x18, tag.raw,
          mr(1));
    cancel_ipc_of(t); /* it waits for the reply */
    tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "after its page-fault IPC was cancelled in the receive phase the thread did not fault "
          "again (tag %#lx, ErrorCode %lu)", tag.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    CHECK(mr(1) == w + 0x18 && mr(2) == (L4_Word_t)pf_load_at, "second fault at %#lx IP %#lx, expected %#lx IP %#lx",
          mr(1), mr(2), w + 0x18, (L4_Word_t)pf_load_at);
    cancel_ipc_of(t);
    CHECK(wait_state(t, 4, 1000) != 0, "the thread did not send its third page-fault IPC");
    cancel_ipc_of(t); /* it waits to send: this main thread does not receive */
    tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag) && mr(1) == w + 0x18 && mr(2) == (L4_Word_t)pf_load_at,
          "after its page-fault IPC was cancelled in the send phase the thread did not fault again (tag %#lx, MR1 "
          "%#lx, MR2 %#lx)", tag.raw, mr(1), mr(2));
    CHECK(L4_IpcSucceeded(map_reply(t, (L4_Word_t)alias_source, w)), "mapping reply failed");
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the thread did not go on after the mapping reply (tag %#lx)", tag.raw);
    CHECK(mr(1) == alias_source[3], "the restarted load read %#lx, expected %#lx", mr(1), alias_source[3]);
    CHECK(mr(2) == 1, "the thread's message registers changed across its cancelled page faults");
}

static void kernel_address_fault(void)
{
    L4_ThreadId_t t = spawn(loader, 0xffff800000100000UL, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "reading kernel memory did not give a page fault message (tag %#lx, MR1 %#lx)", tag.raw,
          mr(1));
    CHECK(mr(1) == 0xffff800000100000UL && mr(2) == (L4_Word_t)pf_load_at, "fault address %#lx IP %#lx", mr(1),
          mr(2));
}

static void write_to_text_fault(void)
{
    L4_Word_t target = (L4_Word_t)first_fault_child;
    L4_ThreadId_t t = spawn(storer, target, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "writing the own text did not fault (tag %#lx)", tag.raw);
    CHECK((L4_Label(tag) & 0xf) == 2 && mr(1) == target && mr(2) == (L4_Word_t)pf_store_at,
          "fault access %#lx address %#lx IP %#lx, expected w at %#lx from %#lx", L4_Label(tag) & 0xf, mr(1), mr(2),
          target, (L4_Word_t)pf_store_at);
}

static const struct systest fault_tests[] = {
    {"PF0001", "a new space's first fault is the fetch at its start IP, sent to the pager as x access",
     first_fault_is_fetch},
    {"PF0002", "a write fault reports the w access, exact address and an IP in the image", write_fault},
    {"PF0003", "a read fault reports the r access and the pager's mapping supplies the data", read_fault},
    {"PF0004", "a fault in the own space reaches the thread's pager with address and faulting IP, the " "map reply restarts the access",
     own_space_fault},
    {"PF0005", "a thread without pager stops at its page fault", no_pager_halts},
    {"PF0006", "a thread stopped at a fault without pager runs again when ExchangeRegisters gives it IP and SP",
     restart_after_fault_halt},
    {"PF0007", "an empty pager reply makes the thread fault again at the same place", empty_reply_refaults},
    {"PF0008", "a thread whose pager does not exist stops at its page fault", missing_pager_halts},
    {"PF0009", "a user read of kernel memory is a page fault sent to the pager", kernel_address_fault},
    {"PF0010", "a write to the own read-only text is a w page fault", write_to_text_fault},
    {"PF0011", "a page-fault IPC cancelled by ExchangeRegisters (reply wait or send) makes the thread fault again "
     "at the same instruction, its MRs unchanged", cancelled_fault_refaults},
};
SYSTEST_GROUP(fault) = {"fault", fault_tests, SYSTEST_COUNT(fault_tests)};
