/* SPDX-License-Identifier: MIT */
/* SPC: SpaceControl and threads in new address spaces. */
#include "systest.h"


#define KIP8K L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2) /* the KIP and its stub page */
#define UTCB64K L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2)

#define EXPECT_ERROR(call, code, what)                                                                              \
    do {                                                                                                            \
        L4_Word_t result_ = (call);                                                                                 \
        CHECK(result_ == 0 && L4_ErrorCode() == (code), "%s: result %lu, ErrorCode %lu; expected 0 and %lu", what, \
              result_, L4_ErrorCode(), (L4_Word_t)(code));                                                          \
    } while (0)

static void identity_child(void)
{
    void *k = L4_GetKernelInterface();
    L4_Word_t version, flags, id;
    void *asked = L4_KernelInterface(&version, &flags, &id);
    L4_Word_t magic = *(volatile L4_Word_t *)KIP_AREA;
    (void)k;
    load_msg(LABEL_REPORT, 3, L4_MyLocalId().raw, (L4_Word_t)asked, magic);
    send_ms(main_tid, 2000);
    park();
}

static void child_runs(void)
{
    L4_ThreadId_t child = spawn_child(identity_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(child, 2000, &from);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the thread in the new space (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_ErrorCode());
    CHECK(from.raw == child.raw, "report came from %#lx, expected the child's global id %#lx", from.raw, child.raw);
    CHECK(mr(1) == UTCB_AREA, "child's local id %#lx, expected %#lx", mr(1), UTCB_AREA);
    CHECK(child_faults > 0, "the child ran without a single page fault");
}

static void child_sees_kip(void)
{
    L4_ThreadId_t child = spawn_child(identity_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the child (tag %#lx)", tag.raw);
    CHECK(mr(2) == KIP_AREA, "KernelInterface in the child returned %#lx, expected its KIP area %#lx", mr(2), KIP_AREA);
    CHECK((mr(3) & 0xffffffffUL) == 0x4be6344cUL, "the child read %#lx at its KIP area, expected the magic",
          mr(3));
}

static void areas_fixed(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    L4_Word_t r = space_control(t, 0, KIP8K, UTCB64K, 0);
    CHECK(r == 1, "first SpaceControl returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(0x10000000, 12), L4_FpageLog2(0x20000000, 16), 0), L4_ERROR_INVALID_SPACE,
                 "setting the areas again");
    r = space_control(t, 0, L4_Nilpage, L4_Nilpage, 0);
    CHECK(r == 1, "repeating SpaceControl with nil areas returned %lu, ErrorCode %lu", r, L4_ErrorCode());
}

static void kip_area_too_small(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(KIP_AREA, 11), UTCB64K, 0), L4_ERROR_KIP_AREA, "2 KiB KIP area");
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(KIP_AREA, 12), UTCB64K, 0), L4_ERROR_KIP_AREA, "4 KiB KIP area (no stub page)");
    EXPECT_ERROR(space_control(t, 0, L4_Nilpage, UTCB64K, 0), L4_ERROR_KIP_AREA, "nil KIP area");
    CHECK(space_control(t, 0, KIP8K, UTCB64K, 0) == 1, "valid areas refused afterwards (ErrorCode %lu)", L4_ErrorCode());
}

static void utcb_area_invalid(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 0, KIP8K, L4_Nilpage, 0), L4_ERROR_UTCB_AREA, "nil UTCB area");
    EXPECT_ERROR(space_control(t, 0, KIP8K, L4_FpageLog2(UTCB_AREA, 10), 0), L4_ERROR_UTCB_AREA, "1 KiB UTCB area");
}

static void overlapping_areas(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(UTCB_AREA + 0x4000, 13), UTCB64K, 0), L4_ERROR_KIP_AREA,
                 "KIP area inside the UTCB area");
}

static void missing_space(void)
{
    EXPECT_ERROR(space_control(L4_GlobalId(3995, 1), 0, KIP8K, UTCB64K, 0), L4_ERROR_INVALID_SPACE, "nonexistent space");
}

static void unprivileged_space_control(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_SPACE_CONTROL] == 0 && u->error[U_SPACE_CONTROL] == L4_ERROR_NO_PRIVILEGE,
          "result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_SPACE_CONTROL], u->error[U_SPACE_CONTROL]);
}

static void activate_before_areas(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    L4_Word_t r = L4_ThreadControl(t, t, main_tid, main_tid, (void *)UTCB_AREA);
    CHECK(r == 1, "a UTCB and pager before SpaceControl: result %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Word_t old;
    CHECK(L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old) == 2, "the thread became active before its space had areas");
}

static void kip_area_kernel_half(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(0xffff800000000000UL, 13), UTCB64K, 0), L4_ERROR_KIP_AREA,
                 "KIP area in the kernel half");
    EXPECT_ERROR(space_control(t, 0, L4_FpageLog2(0x0000800000000000UL, 13), UTCB64K, 0), L4_ERROR_KIP_AREA,
                 "KIP area at the first non-canonical address");
    EXPECT_ERROR(space_control(t, 0, KIP8K, L4_FpageLog2(0xffff800000000000UL, 16), 0), L4_ERROR_UTCB_AREA,
                 "UTCB area in the kernel half");
}

/* Two threads in one child space talk by local ids. */
static void local_server_child(void)
{
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, L4_anylocalthread, L4_Timeouts(L4_Never, ms_time(2000)), &from);
    L4_Word_t word = mr(1);
    load_msg(LABEL_REPORT, 3, from.raw, word, L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
    send_ms(main_tid, 2000);
    park();
}

static void local_client_child(void)
{
    L4_ThreadId_t server = {.raw = UTCB_AREA};
    load_msg(LABEL_PING, 1, 0x99, 0, 0);
    send_ms(server, 2000);
    park();
}

static void second_thread_local_ipc(void)
{
    L4_ThreadId_t first = spawn_child(local_server_child, 0);
    CHECK(!L4_IsNilThread(first), "no child");
    L4_ThreadId_t second = new_tid();
    set_error_code(0xee);
    L4_Word_t r = L4_ThreadControl(second, first, main_tid, main_tid, (void *)(UTCB_AREA + UTCB_SIZE));
    CHECK(r == 1, "adding a thread to the child's space returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    remember_child(second);
    load_msg(0, 2, (L4_Word_t)local_client_child, child_stack_top(1), 0);
    CHECK(L4_IpcSucceeded(send_ms(second, 1000)), "start message failed with ErrorCode %lu", L4_ErrorCode());
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(L4_anythread, 2000, &from);
    CHECK(is_label(tag, LABEL_REPORT) && from.raw == first.raw, "no report from the first child thread (tag %#lx from "
          "%#lx)", tag.raw, from.raw);
    CHECK(mr(3) == 0, "its receive failed with ErrorCode %lu", mr(3));
    CHECK(mr(2) == 0x99, "it received %#lx, expected 0x99", mr(2));
    CHECK(mr(1) == UTCB_AREA + UTCB_SIZE, "it saw the sender as %#lx, expected the local id %#lx", mr(1),
          UTCB_AREA + UTCB_SIZE);
}

static void foreign_sender_child(void)
{
    load_msg(LABEL_PING, 1, 0x77, 0, 0);
    send_ms(main_tid, 2000);
    park();
}

static void anylocal_ignores_foreign(void)
{
    L4_ThreadId_t child = spawn_child(foreign_sender_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(L4_anylocalthread, 100, &from);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "anylocalthread receive took a message from %#lx of another space (tag %#lx, ErrorCode %lu)", from.raw,
          tag.raw, L4_ErrorCode());
    tag = serve_child(L4_anythread, 2000, &from);
    CHECK(is_label(tag, LABEL_PING) && mr(1) == 0x77, "the foreign message did not arrive afterwards (tag %#lx)",
          tag.raw);
    CHECK(from.raw == child.raw, "open wait saw %#lx, expected the global id %#lx", from.raw, child.raw);
}

static void unknown_control_bits(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 1UL << 20, KIP8K, UTCB64K, 0), L4_ERROR_INVALID_PARAM, "control bit 20");
    CHECK(space_control(t, 0, KIP8K, UTCB64K, 0) == 1, "valid areas refused afterwards (ErrorCode %lu): the refused call changed "
          "the space", L4_ErrorCode());
}

static void refused_changes_nothing(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    EXPECT_ERROR(space_control(t, 1, L4_FpageLog2(KIP_AREA, 11), UTCB64K, 0), L4_ERROR_KIP_AREA,
                 "reflection bit with a 2 KiB KIP area");
    L4_Word_t old = 0xee;
    L4_Word_t r = space_control(t, 0, KIP8K, UTCB64K, &old);
    CHECK(r == 1, "valid SpaceControl returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    CHECK(old == 0, "old control is %#lx: the refused call switched syscall reflection on", old);
}

static void reflecting_child(void)
{
    L4_Set_ExceptionHandler(main_tid);
    L4_Word_t a = TERN_SYSCALL_SYSTEM_CLOCK, d = 0x1234;
    __asm__ __volatile__("syscall" : "+a"(a), "+D"(d) : : "rcx", "r11", "memory");
    L4_Word_t a2 = TERN_SYSCALL_SYSTEM_CLOCK, d2 = a;
    __asm__ __volatile__("syscall" : "+a"(a2), "+D"(d2) : : "rcx", "r11", "memory");
    for (;;)
        __asm__ __volatile__("pause");
}

static void syscall_reflection(void)
{
    L4_ThreadId_t child = spawn_child_control(reflecting_child, 0, 1);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag), "the child's syscall did not come as exception IPC (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_ErrorCode());
    CHECK(L4_UntypedWords(tag) == EXC_WORDS, "exception message has %lu words", L4_UntypedWords(tag));
    CHECK(mr(X_VECTOR) == TERN_VECTOR_SYSCALL, "vector %lu, expected 256 (reflected syscall)", mr(X_VECTOR));
    CHECK(mr(X_RAX) == TERN_SYSCALL_SYSTEM_CLOCK && mr(X_RDI) == 0x1234, "rax %#lx rdi %#lx, expected %#x and 0x1234",
          mr(X_RAX), mr(X_RDI), TERN_SYSCALL_SYSTEM_CLOCK);
    tag = reply_exception(child, mr(X_RIP), 0xabcdef);
    CHECK(L4_IpcSucceeded(tag), "reply failed with ErrorCode %lu", L4_ErrorCode());
    tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag), "the second syscall did not come as exception IPC (tag %#lx)", tag.raw);
    CHECK(mr(X_RDI) == 0xabcdef, "the child saw rax %#lx after the reply, expected 0xabcdef", mr(X_RDI));
}

/* Three reflected syscalls, each reporting the result of the one before in rdi. */
static void chained_reflecting_child(void)
{
    L4_Set_ExceptionHandler(main_tid);
    L4_Word_t a = 1, d = 0xd1, s = 0x51, b = 0xb1;
    __asm__ __volatile__("syscall" : "+a"(a), "+D"(d), "+S"(s), "+d"(b) : : "rcx", "r11", "memory");
    L4_Word_t a2 = 2, d2 = a, s2 = s, b2 = b;
    __asm__ __volatile__("syscall" : "+a"(a2), "+D"(d2), "+S"(s2), "+d"(b2) : : "rcx", "r11", "memory");
    L4_Word_t a3 = 3, d3 = a2, s3 = s2, b3 = b2;
    __asm__ __volatile__("syscall" : "+a"(a3), "+D"(d3), "+S"(s3), "+d"(b3) : : "rcx", "r11", "memory");
    for (;;)
        __asm__ __volatile__("pause");
}

static void result_reply(void)
{
    L4_ThreadId_t child = spawn_child_control(chained_reflecting_child, 0, suite_in_ring0() ? 3 : 1);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag) && mr(X_RAX) == 1, "no first syscall (tag %#lx, rax %lu)", tag.raw, mr(X_RAX));
    L4_Word_t rip = mr(X_RIP);
    CHECK(mr(X_RCX) == rip, "rcx %#lx is not the return address %#lx, as after syscall", mr(X_RCX), rip);
    load_msg(0, 1, 0x5e5017, 0, 0); /* the one-word reply: rax alone */
    CHECK(L4_IpcSucceeded(send_ms(child, 500)), "the one-word reply failed (ErrorCode %lu)", L4_ErrorCode());
    tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag) && mr(X_RAX) == 2, "no second syscall (tag %#lx, rax %lu)", tag.raw, mr(X_RAX));
    CHECK(mr(X_RDI) == 0x5e5017, "the child saw rax %#lx after the one-word reply, expected 0x5e5017", mr(X_RDI));
    CHECK(mr(X_RSI) == 0x51 && mr(X_RDX) == 0xb1, "rsi %#lx rdx %#lx changed (expected 0x51 and 0xb1)", mr(X_RSI),
          mr(X_RDX));
    CHECK(mr(X_RIP) > rip && mr(X_RIP) < rip + 64, "the second syscall's rip %#lx is not just after the first's %#lx",
          mr(X_RIP), rip);
    kill_thread(child);
}

/* The next message from the child after a reply that had a receive phase: a page fault
 * it may take on the way is answered and the wait goes on. */
static L4_MsgTag_t after_page_faults(L4_MsgTag_t tag, L4_ThreadId_t from, L4_ThreadId_t child)
{
    while (L4_IpcSucceeded(tag) && is_page_fault(tag) && from.raw == child.raw) {
        if (!answer_page_fault(from))
            break;
        tag = serve_child(child, 2000, &from);
    }
    return tag;
}

static void reply_and_wait_to_reflected(void)
{
    L4_ThreadId_t child = spawn_child_control(chained_reflecting_child, 0, suite_in_ring0() ? 3 : 1);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag) && mr(X_RAX) == 1, "no first syscall (tag %#lx, rax %lu)", tag.raw, mr(X_RAX));
    /* The answer with a receive from anyone and no timeout: the Linux server's way. */
    L4_ThreadId_t from = L4_nilthread;
    load_msg(0, 1, 0x5e5017, 0, 0);
    tag = L4_Ipc(child, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
    tag = after_page_faults(tag, from, child);
    CHECK(is_exception(tag) && mr(X_RAX) == 2, "no second syscall after a reply and wait from anyone (tag %#lx, rax %lu)",
          tag.raw, mr(X_RAX));
    CHECK(mr(X_RDI) == 0x5e5017 && mr(X_RSI) == 0x51 && mr(X_RDX) == 0xb1,
          "after the first answer the child had rdi %#lx rsi %#lx rdx %#lx (expected 0x5e5017, 0x51, 0xb1)", mr(X_RDI),
          mr(X_RSI), mr(X_RDX));
    /* The answer with a closed receive from the child, with a timeout. */
    load_msg(0, 1, 0x77, 0, 0);
    tag = L4_Ipc(child, child, L4_Timeouts(L4_Never, ms_time(2000)), &from);
    tag = after_page_faults(tag, from, child);
    CHECK(is_exception(tag) && mr(X_RAX) == 3, "no third syscall after a reply and closed wait (tag %#lx, rax %lu)",
          tag.raw, mr(X_RAX));
    CHECK(mr(X_RDI) == 0x77 && mr(X_RSI) == 0x51 && mr(X_RDX) == 0xb1,
          "after the second answer the child had rdi %#lx rsi %#lx rdx %#lx (expected 0x77, 0x51, 0xb1)", mr(X_RDI),
          mr(X_RSI), mr(X_RDX));
    kill_thread(child);
}

/* Never names an exception handler itself: a Linux binary's first instruction could be this. */
static void unaware_reflecting_child(void)
{
    L4_Word_t a = 39 /* Linux's getpid */, d = 0x5150;
    __asm__ __volatile__("syscall" : "+a"(a), "+D"(d) : : "rcx", "r11", "memory");
    for (;;)
        __asm__ __volatile__("pause");
}

static void start_names_handler(void)
{
    L4_ThreadId_t child = spawn_child_handled(unaware_reflecting_child, 0, suite_in_ring0() ? 3 : 1, main_tid);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_exception(tag), "the syscall of a child whose start message named the handler did not come as exception "
          "IPC (tag %#lx, ErrorCode %lu)", tag.raw, L4_ErrorCode());
    CHECK(mr(X_VECTOR) == TERN_VECTOR_SYSCALL && mr(X_RAX) == 39 && mr(X_RDI) == 0x5150,
          "vector %lu, rax %lu, rdi %#lx; expected 256, 39 and 0x5150", mr(X_VECTOR), mr(X_RAX), mr(X_RDI));
    kill_thread(child);
}

static void redirector_refused(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t);
    CHECK(L4_ThreadControl(t, t, main_tid, L4_nilthread, (void *)-1) == 1, "no thread in a new space (ErrorCode %lu)", L4_ErrorCode());
    L4_Word_t old;
    set_error_code(0xee);
    L4_Word_t r = L4_SpaceControl(t, 0, KIP8K, L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), main_tid,
                                  &old);
    CHECK(r == 0 && L4_ErrorCode() == 5, "a redirector: result %lu, ErrorCode %lu; expected 0 and 5", r,
          L4_ErrorCode());
    r = L4_SpaceControl(t, 0, KIP8K, L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_anythread, &old);
    CHECK(r == 1, "the refused call changed something: the areas could not be set afterwards (ErrorCode %lu)",
          L4_ErrorCode());
}

/* A space keeps 64 UTCB slots (the first 64 KiB of its UTCB area); a larger area is fine,
 * but a UTCB beyond the slots is refused, so two threads can never share one unseen. */
static void utcb_beyond_slots(void)
{
    L4_ThreadId_t t = fresh_space();
    CHECK(!L4_IsNilThread(t), "no space");
    const L4_Word_t area = 0x100000000000UL; /* 8 MiB, clear of the KIP area */
    CHECK(space_control(t, 0, KIP8K, L4_FpageLog2(area, 23), 0) == 1, "an 8 MiB UTCB area was refused (ErrorCode %lu)",
          L4_ErrorCode());
    L4_ThreadId_t second = new_tid();
    remember_child(second);
    L4_Word_t beyond = area + 4096 * UTCB_SIZE;
    set_error_code(0xee);
    L4_Word_t r = L4_ThreadControl(t, t, main_tid, main_tid, (void *)beyond);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_UTCB_AREA,
          "activation at the 4097th UTCB returned %lu, ErrorCode %lu (expected 0, 6)", r, L4_ErrorCode());
    set_error_code(0xee);
    r = L4_ThreadControl(second, t, main_tid, main_tid, (void *)beyond);
    CHECK(r == 0 && L4_ErrorCode() == L4_ERROR_UTCB_AREA,
          "a second thread at the 4097th UTCB returned %lu, ErrorCode %lu (expected 0, 6)", r, L4_ErrorCode());
    r = L4_ThreadControl(t, t, main_tid, main_tid, (void *)(area + 4095 * UTCB_SIZE));
    CHECK(r == 1, "activation at the 4096th UTCB failed with ErrorCode %lu", L4_ErrorCode());
}

/* Runs in a thread of the root task or of a child space: reports its local id. */
static void report_local_id(void)
{
    load_msg(LABEL_REPORT, 1, L4_MyLocalId().raw, 0, 0);
    send_ms(main_tid, 2000);
    park();
}

/* Activates tid in space at utcb, starts it on report_local_id with the given child stack
 * and checks its report. */
static void check_runs_at(L4_ThreadId_t tid, L4_ThreadId_t space, L4_Word_t utcb, unsigned stack, const char *what)
{
    set_error_code(0xee);
    L4_Word_t r = L4_ThreadControl(tid, space, main_tid, main_tid, (void *)utcb);
    CHECK(r == 1, "%s: activation at UTCB %#lx failed with ErrorCode %lu", what, utcb, L4_ErrorCode());
    load_msg(0, 2, (L4_Word_t)report_local_id, child_stack_top(stack), 0);
    CHECK(L4_IpcSucceeded(send_ms(tid, 1000)), "%s: start message failed (ErrorCode %lu)", what, L4_ErrorCode());
    L4_MsgTag_t tag = serve_child(tid, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "%s: no report (tag %#lx, ErrorCode %lu)", what, tag.raw, L4_ErrorCode());
    CHECK(mr(1) == utcb, "%s: its local id is %#lx, expected %#lx", what, mr(1), utcb);
}

/* X.2 programs (Pistachio's l4test) place UTCBs by thread number in the root task's UTCB
 * area and size new spaces' areas from it: the root's area holds 4096 UTCBs, and a new
 * space may have 1000 UTCBs at the same base. */
static void root_utcb_area_room(void)
{
    L4_ThreadId_t self = L4_MyLocalId();
    CHECK(self.raw == UTCB_AREA, "the root task's first UTCB is at %#lx, expected %#lx", self.raw, UTCB_AREA);
    static const L4_Word_t slots[] = {1023, 2048, 4095};
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; ++i) {
        L4_ThreadId_t tid = new_tid();
        remember_child(tid);
        check_runs_at(tid, main_tid, UTCB_AREA + slots[i] * UTCB_SIZE, i, "a root task thread");
        if (failed_now())
            return;
    }
    L4_ThreadId_t child = fresh_space();
    CHECK(!L4_IsNilThread(child), "no space");
    CHECK(space_control(child, 0, KIP8K, L4_Fpage(UTCB_AREA, 1000 * UTCB_SIZE), 0) == 1,
          "a UTCB area of 1000 UTCBs at the root's UTCB base was refused (ErrorCode %lu)", L4_ErrorCode());
    check_runs_at(child, child, UTCB_AREA + 300 * UTCB_SIZE, 3, "the thread in the new space");
}

static const struct systest space_tests[] = {
    {"SPC0001", "a thread in a new space starts on its pager's start message and reports by IPC", child_runs},
    {"SPC0002", "a thread in a new space finds the KIP at its KIP area", child_sees_kip},
    {"SPC0003", "SpaceControl sets the areas once (new areas later fail with invalid space (3), nil ones pass)",
     areas_fixed},
    {"SPC0004", "SpaceControl with a KIP area below 8 KiB (KIP and stub page) fails with invalid KIP area (7)",
     kip_area_too_small},
    {"SPC0005", "SpaceControl with a nil or 1 KiB UTCB area fails with invalid UTCB (6)", utcb_area_invalid},
    {"SPC0006", "SpaceControl with overlapping KIP and UTCB areas fails with invalid KIP area (7)", overlapping_areas},
    {"SPC0007", "SpaceControl on a nonexistent thread fails with invalid space (3)", missing_space},
    {"SPC0008", "SpaceControl by an unprivileged thread fails with no privilege (1)", unprivileged_space_control},
    {"SPC0009", "a thread given UTCB and pager before its space has areas stays inactive (X.2)", activate_before_areas},
    {"SPC0010", "KIP and UTCB areas outside the canonical user half are refused (7, 6)", kip_area_kernel_half},
    {"SPC0011", "a second thread added to a child space talks to the first by local ids", second_thread_local_ipc},
    {"SPC0012", "anylocalthread receive ignores a sender in another space, anythread takes it",
     anylocal_ignores_foreign},
    {"SPC0013", "SpaceControl with unknown control bits fails with invalid parameter (5)", unknown_control_bits},
    {"SPC0014", "a refused SpaceControl changes nothing (not even the control bits)", refused_changes_nothing},
    {"SPC0015", "with control bit 0 the space's syscalls come to the handler as exception IPC (vector 256)",
     syscall_reflection},
    {"SPC0017", "a UTCB beyond the 4096 slots of a space with a larger UTCB area is refused (invalid UTCB, 6)",
     utcb_beyond_slots},
    {"SPC0018", "the root task's UTCB area holds 4096 UTCBs, and a new space may have 1000 at the same base",
     root_utcb_area_room},
    {"SPC0016", "a redirector other than nilthread or anythread is refused with invalid parameter (5)",
     redirector_refused},
    {"SPC0020", "a one-word reply to a reflected syscall sets rax alone, and the thread goes on after its syscall",
     result_reply},
    {"SPC0021", "a reply and wait from anyone, and a reply and closed wait with a timeout, answer a reflected syscall: "
     "the thread goes on with rax set and its next syscall arrives", reply_and_wait_to_reflected},
    {"SPC0019", "a start message's third word names the new thread's exception handler: the reflected syscall of a "
     "thread that never named one reaches it", start_names_handler},
};
SYSTEST_GROUP(space) = {"space", space_tests, SYSTEST_COUNT(space_tests)};
