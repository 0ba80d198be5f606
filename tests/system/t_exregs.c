/* SPDX-License-Identifier: MIT */
/* EXR: ExchangeRegisters. */
#include "systest.h"

#define STATE_HALTED 1UL
#define STATE_RECEIVING 2UL
#define STATE_SENDING 4UL

struct exregs_out {
    L4_ThreadId_t result, pager;
    L4_Word_t control, sp, ip, flags, handle, error;
};

static struct exregs_out exregs(L4_ThreadId_t dest, L4_Word_t control, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags,
                                L4_Word_t handle, L4_ThreadId_t pager)
{
    struct exregs_out o;
    set_error_code(0xee);
    o.result = L4_ExchangeRegisters(dest, control, sp, ip, flags, handle, pager, &o.control, &o.sp, &o.ip, &o.flags,
                                    &o.handle, &o.pager);
    o.error = L4_ErrorCode();
    return o;
}

static struct exregs_out read_regs(L4_ThreadId_t dest) { return exregs(dest, 0, 0, 0, 0, 0, L4_nilthread); }

static struct {
    volatile L4_Word_t tag, error, word, handle, pager, done;
} got;

static void blocked_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_MsgTag_t tag = recv_ms(main_tid, 2000, 0);
    got.tag = tag.raw;
    got.error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    got.word = mr(1);
    got.handle = L4_UserDefinedHandle();
    got.pager = L4_Pager().raw;
    got.done = 1;
    report_to_main(0, 0, 0, 0);
}

static L4_ThreadId_t start_blocked_receiver(void)
{
    got.tag = got.error = got.word = got.handle = got.pager = got.done = 0;
    L4_ThreadId_t t = spawn_simple(blocked_receiver, 0);
    if (!L4_IsNilThread(t) && !wait_state(t, STATE_RECEIVING, 1000)) {
        fail("receiver never blocked");
        return L4_nilthread;
    }
    return t;
}

static void read_blocked_thread(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = read_regs(t);
    L4_Word_t k = slot_of(t);
    CHECK(o.result.raw == utcb_of_slot(k), "result %#lx, expected the local id %#lx (ErrorCode %lu)", o.result.raw,
          utcb_of_slot(k), o.error);
    CHECK((o.control & 7) == STATE_RECEIVING, "state %#lx, expected receiving only (2)", o.control);
    /* It resumes in its KIP stub, whose jmp *%rbx takes it back to its caller; a kernel-mode
     * task resumes at rbx itself, its caller's code (kernel_task_ipc_entry). */
    if (suite_in_ring0())
        CHECK(o.ip >= image_low && o.ip < image_high, "ring 0: old IP %#lx, expected its caller's code in the image",
              o.ip);
    else
        CHECK(IN_STUB_PAGE(o.ip), "old IP %#lx, expected inside the KIP's system-call stubs", o.ip);
    L4_Word_t top = stack_top_of_slot(k);
    CHECK(o.sp < top && o.sp > top - STACK_BYTES, "old SP %#lx outside its stack (top %#lx)", o.sp, top);
}

static void local_gives_global(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t local = {.raw = utcb_of_slot(slot_of(t))};
    struct exregs_out o = read_regs(local);
    CHECK(o.result.raw == t.raw, "ExchangeRegisters on local id %#lx returned %#lx, expected the global id %#lx",
          local.raw, o.result.raw, t.raw);
}

static void set_handle(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = exregs(t, 0x40, 0, 0, 0, 0xfeed5eed, L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "setting the handle failed with ErrorCode %lu", o.error);
    o = read_regs(t);
    CHECK(o.handle == 0xfeed5eed, "next ExchangeRegisters reports handle %#lx", o.handle);
    load_msg(LABEL_PING, 1, 1, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "send failed");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "no report");
    CHECK(got.handle == 0xfeed5eed, "the thread reads UserDefinedHandle %#lx", got.handle);
}

static void set_pager(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t pager = L4_GlobalId(3980, 9);
    struct exregs_out o = exregs(t, 0x80, 0, 0, 0, 0, pager);
    CHECK(o.pager.raw == sigma0_tid.raw, "old pager %#lx, expected sigma0 %#lx", o.pager.raw, sigma0_tid.raw);
    o = read_regs(t);
    CHECK(o.pager.raw == pager.raw, "pager now %#lx, expected %#lx", o.pager.raw, pager.raw);
    load_msg(LABEL_PING, 1, 1, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "send failed");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "no report");
    CHECK(got.pager == pager.raw, "the thread reads Pager %#lx", got.pager);
}

static volatile L4_Word_t spin_count;

static void spinner(L4_Word_t arg)
{
    (void)arg;
    for (;;)
        ++spin_count;
}

static void halt_and_resume(void)
{
    spin_count = 0;
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    sleep_ms(20);
    CHECK(spin_count != 0, "spinner did not run");
    L4_ThreadState_t before = L4_Stop(t);
    CHECK(!L4_ThreadWasHalted(before), "state before the stop already halted (%#lx)", before.raw);
    L4_Word_t c1 = spin_count;
    sleep_ms(30);
    L4_Word_t c2 = spin_count;
    CHECK(c1 == c2, "halted thread kept running (%lu -> %lu)", c1, c2);
    CHECK(read_regs(t).control & STATE_HALTED, "state does not say halted");
    L4_Start(t);
    sleep_ms(30);
    CHECK(spin_count != c2, "resumed thread does not run");
    CHECK(!(read_regs(t).control & STATE_HALTED), "state still says halted after L4_Start");
}

static void abort_receive(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = exregs(t, 2, 0, 0, 0, 0, L4_nilthread);
    CHECK(o.control & STATE_RECEIVING, "state before the abort %#lx lacks receiving", o.control);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "no report after the abort");
    L4_MsgTag_t tag = {.raw = got.tag};
    CHECK(L4_IpcFailed(tag) && got.error == IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE),
          "receiver's tag %#lx ErrorCode %lu, expected canceled in the receive phase (%lu)", got.tag, got.error,
          IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE));
}

static void blocked_sender(L4_Word_t arg)
{
    (void)arg;
    load_msg(LABEL_PING, 1, 0xdead, 0, 0);
    L4_MsgTag_t tag = send_ms(main_tid, 2000);
    got.tag = tag.raw;
    got.error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    got.done = 1;
    report_to_main(0, 0, 0, 0);
}

static void abort_send(void)
{
    got.done = 0;
    L4_ThreadId_t t = spawn_simple(blocked_sender, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, STATE_SENDING, 1000), "sender never blocked");
    struct exregs_out o = exregs(t, 4, 0, 0, 0, 0, L4_nilthread);
    CHECK(o.control & STATE_SENDING, "state before the abort %#lx lacks sending", o.control);
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "first message after the abort is tag %#lx (MR1 %#lx), expected the report: the "
          "aborted message was still delivered", tag.raw, mr(1));
    CHECK(got.error == IPC_ERR(TERN_IPC_ERROR_CANCELED, SEND_PHASE),
          "sender's ErrorCode %lu, expected canceled in the send phase (%lu)", got.error,
          IPC_ERR(TERN_IPC_ERROR_CANCELED, SEND_PHASE));
}

static L4_Word_t redirect_stack[512] __attribute__((aligned(16)));

static void redirected(void)
{
    report_to_main(1, 0xd1, 0, 0);
    park();
}

static void redirect_running(void)
{
    spin_count = 0;
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    sleep_ms(20);
    struct exregs_out o = exregs(t, 0x18, (L4_Word_t)&redirect_stack[512] - 8, (L4_Word_t)redirected, 0, 0,
                                 L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "ExchangeRegisters failed with ErrorCode %lu", o.error);
    CHECK(o.ip >= image_low && o.ip < image_high, "old IP %#lx not in the image [%#lx, %#lx)", o.ip, image_low,
          image_high);
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == 0xd1, "the thread did not continue at the new IP (tag %#lx)",
          tag.raw);
}

static void other_space(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    /* The child's ExchangeRegisters of the main thread, whose pager (sigma0) is in neither
     * space. (The main thread's of the child, which it pages, succeeds: EXR0022.) */
    CHECK(u->result[U_EXREGS_MAIN] == 0 && u->error[U_EXREGS_MAIN] == L4_ERROR_INVALID_THREAD,
          "ExchangeRegisters on a thread of another space: result %#lx, ErrorCode %lu; expected nilthread and 2",
          u->result[U_EXREGS_MAIN], u->error[U_EXREGS_MAIN]);
}

/* EXR0022: the child (a new space) is paged by the main thread; its first read of
 * pager_probe faults, and the main thread, its pager, cancels that fault IPC with
 * ExchangeRegisters instead of answering (as l4test's "Sender abort" and "Receiver abort"
 * do). The child faults again at the same place, and goes on once that one is answered. */
static volatile L4_Word_t pager_probe[512] __attribute__((aligned(4096)));

static void pager_probe_child(void)
{
    L4_Word_t value = pager_probe[0];
    report_to_main(1, value, 0, 0);
    park();
}

static void pager_of_other_space(void)
{
    pager_probe[0] = 0x5a5a;
    L4_ThreadId_t child = spawn_child(pager_probe_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    int probe_faults = 0;
    struct exregs_out o = {.error = 0};
    L4_MsgTag_t tag = L4_Niltag;
    for (int i = 0; i < 100; ++i) {
        L4_ThreadId_t from = L4_nilthread;
        tag = recv_ms(child, 1000, &from);
        if (!is_page_fault(tag))
            break;
        if ((mr(1) & ~(PAGE_SIZE - 1)) == (L4_Word_t)pager_probe && probe_faults++ == 0) {
            o = exregs(child, 6 /* cancel send and receive */, 0, 0, 0, 0, L4_nilthread);
            continue; /* unanswered: the child's fault IPC was cancelled, or it waits for ever */
        }
        if (!answer_page_fault(from))
            break;
    }
    CHECK(!L4_IsNilThread(o.result), "its pager's ExchangeRegisters on the child failed with ErrorCode %lu", o.error);
    CHECK(probe_faults == 2, "the child faulted %d times on the probe page, expected twice (again after the cancel)",
          probe_faults);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == 0x5a5a, "the child did not go on to read the page (tag %#lx)",
          tag.raw);
}

/* An interrupt thread is a kernel thread: no space, no UTCB, no pager to ask about. */
static void interrupt_thread_refused(void)
{
    struct exregs_out o = read_regs(L4_GlobalId(7, 1));
    CHECK(L4_IsNilThread(o.result) && o.error == L4_ERROR_INVALID_THREAD, "result %#lx, ErrorCode %lu", o.result.raw,
          o.error);
}

static void missing_thread(void)
{
    struct exregs_out o = read_regs(L4_GlobalId(3981, 1));
    CHECK(L4_IsNilThread(o.result) && o.error == L4_ERROR_INVALID_THREAD, "result %#lx, ErrorCode %lu", o.result.raw,
          o.error);
    o = read_regs(L4_nilthread);
    CHECK(L4_IsNilThread(o.result) && o.error == L4_ERROR_INVALID_THREAD, "nilthread: result %#lx, ErrorCode %lu",
          o.result.raw, o.error);
}

/* Every failed system call returns 0 in all of its outputs (docs/abi.md), not its inputs. */
static void failure_clears_outputs(void)
{
    struct exregs_out o = exregs(L4_GlobalId(3981, 1), 0x40, 0x5678, 0x9abc, 0x202, 0x1234, L4_GlobalId(600, 1));
    CHECK(L4_IsNilThread(o.result) && o.error == L4_ERROR_INVALID_THREAD, "result %#lx, ErrorCode %lu", o.result.raw,
          o.error);
    CHECK(o.control == 0 && o.sp == 0 && o.ip == 0 && o.flags == 0 && o.handle == 0 && L4_IsNilThread(o.pager),
          "outputs control %#lx sp %#lx ip %#lx flags %#lx handle %#lx pager %#lx, expected all 0", o.control, o.sp,
          o.ip, o.flags, o.handle, o.pager.raw);
}

/* X.2 defines the control bits up to d (9) and no error but invalid thread: the bits above
 * are ignored, the call does what the defined ones say. */
static void unknown_bits_ignored(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = exregs(t, 1UL << 20 | 1UL << 63 | 0x40, 0, 0, 0, 0x5eed, L4_nilthread);
    CHECK(o.result.raw == utcb_of_slot(slot_of(t)), "control bits 20 and 63 with set-handle: result %#lx, ErrorCode "
          "%lu; expected the local id", o.result.raw, o.error);
    CHECK(read_regs(t).handle == 0x5eed, "the handle was not set");
    CHECK((read_regs(t).control & 7) == STATE_RECEIVING, "the thread is no longer receiving");
}

/* A thread blocked in a receive from the main thread, which is its exception handler. */
static void handled_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(main_tid);
    (void)recv_ms(main_tid, 2000, 0);
    report_to_main(1, 0x0dd, 0, 0); /* not reached: it resumes at a bad IP or SP */
}

/* Where the main thread's exception reply resumes it. */
static void after_exception(void)
{
    report_to_main(1, 0x600d, 0, 0);
    park();
}

#define NON_CANONICAL_IP 0x0000800000001000UL
#define NON_CANONICAL_SP 0x0000800000002000UL

/* Receives t's exception message, checks its vector(s), rip or rsp, and resumes it at
 * after_exception on its own stack; 1 once t ran there. */
static int expect_exception(L4_ThreadId_t t, L4_Word_t vector_a, L4_Word_t vector_b, int field, L4_Word_t value,
                            const char *what)
{
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    if (!is_exception(tag)) {
        fail("%s: no exception message (tag %#lx, ErrorCode %lu)", what, tag.raw,
             L4_IpcFailed(tag) ? L4_ErrorCode() : 0);
        return 0;
    }
    L4_Word_t words[EXC_WORDS];
    for (int i = 0; i < EXC_WORDS; ++i)
        words[i] = mr(i + 1);
    L4_Word_t vector = words[X_VECTOR - 1], error = words[X_ERROR - 1], reported = words[field - 1];
    words[X_RIP - 1] = (L4_Word_t)after_exception;
    words[X_RSP - 1] = stack_top_of_slot(slot_of(t));
    load_words(0, EXC_WORDS, words);
    if (L4_IpcFailed(send_ms(t, 500))) {
        fail("%s: the exception reply failed: ErrorCode %lu", what, L4_ErrorCode());
        return 0;
    }
    if ((vector != vector_a && vector != vector_b) || error != 0 || reported != value) {
        fail("%s: vector %lu, error code %#lx, %s %#lx; expected vector %lu or %lu, error code 0, %#lx", what, vector,
             error, field == X_RIP ? "rip" : "rsp", reported, vector_a, vector_b, value);
        return 0;
    }
    tag = recv_ms(t, 1000, 0);
    if (!is_label(tag, LABEL_REPORT) || mr(1) != 0x600d) {
        fail("%s: the thread did not go on where the reply put it (tag %#lx, MR1 %#lx)", what, tag.raw, mr(1));
        return 0;
    }
    return 1;
}

static L4_ThreadId_t start_handled_receiver(void)
{
    L4_ThreadId_t t = spawn_simple(handled_receiver, 0);
    if (!L4_IsNilThread(t) && !wait_state(t, STATE_RECEIVING, 1000)) {
        fail("receiver never blocked");
        return L4_nilthread;
    }
    return t;
}

/* A non-canonical IP is stored; the thread takes #GP(0) at it when it resumes, whether its
 * receive is cancelled (the general return) or a message ends it (the IPC hand-off), and
 * the handler's reply lets it go on. The kernel never returns to user mode there: iretq
 * would fault in ring 0 on Intel CPUs. */
static void non_canonical_ip(void)
{
    L4_ThreadId_t t = start_handled_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = exregs(t, 0x10 | 0x02, 0, NON_CANONICAL_IP, 0, 0, L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "setting IP %#lx failed with ErrorCode %lu", NON_CANONICAL_IP, o.error);
    if (!expect_exception(t, 13, 13, X_RIP, NON_CANONICAL_IP, "IP set, receive cancelled"))
        return;

    t = start_handled_receiver();
    CHECK(!L4_IsNilThread(t), "no second thread");
    o = exregs(t, 0x10, 0, NON_CANONICAL_IP, 0, 0, L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "setting IP %#lx failed with ErrorCode %lu", NON_CANONICAL_IP, o.error);
    o = read_regs(t);
    CHECK(o.ip == NON_CANONICAL_IP && (o.control & 7) == STATE_RECEIVING,
          "IP %#lx, state %#lx; expected the IP stored and the thread still receiving", o.ip, o.control);
    load_msg(LABEL_PING, 1, 1, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(t, 500)), "send failed: ErrorCode %lu", L4_ErrorCode());
    if (!expect_exception(t, 13, 13, X_RIP, NON_CANONICAL_IP, "IP set, message received"))
        return;
}

/* A non-canonical SP is stored and loaded; the thread's first stack access faults in user
 * mode: #SS(0) on the CPU, #GP(0) under QEMU's TCG. */
static void non_canonical_sp(void)
{
    L4_ThreadId_t t = start_handled_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    struct exregs_out o = exregs(t, 0x08 | 0x02, NON_CANONICAL_SP, 0, 0, 0, L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "setting SP %#lx failed with ErrorCode %lu", NON_CANONICAL_SP, o.error);
    if (!expect_exception(t, 12, 13, X_RSP, NON_CANONICAL_SP, "SP set, receive cancelled"))
        return;
}

static void user_flags_only(void)
{
    spin_count = 0;
    L4_ThreadId_t t = spawn_simple(spinner, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    sleep_ms(20);
    L4_Stop(t);
    /* CF and OF set; IF (bit 9) and IOPL (13..12) asked cleared and set. */
    struct exregs_out o = exregs(t, 0x20, 0, 0, 0x801 | 0x3000, 0, L4_nilthread);
    CHECK(!L4_IsNilThread(o.result), "setting flags failed with ErrorCode %lu", o.error);
    o = read_regs(t);
    CHECK((o.flags & 0x801) == 0x801, "flags %#lx: CF/OF not set", o.flags);
    CHECK((o.flags & 0x200) != 0, "flags %#lx: interrupts disabled for a user thread", o.flags);
    CHECK((o.flags & 0x3000) == 0, "flags %#lx: user thread got I/O privilege", o.flags);
    L4_Word_t c = spin_count;
    L4_Start(t);
    sleep_ms(30);
    CHECK(spin_count != c, "the thread does not run after the flags change");
}

static void stop_keeps_receive(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Stop(t);
    load_msg(LABEL_PING, 1, 0x5151, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 200);
    CHECK(L4_IpcSucceeded(tag), "send to a stopped thread blocked in receive failed with ErrorCode %lu",
          L4_ErrorCode());
    sleep_ms(20);
    CHECK(!got.done, "the halted thread ran after receiving");
    L4_Start(t);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "no report after L4_Start");
    CHECK(got.error == 0 && got.word == 0x5151, "the thread got ErrorCode %lu word %#lx, expected the message",
          got.error, got.word);
}

static void abort_receive_and_stop(void)
{
    L4_ThreadId_t t = start_blocked_receiver();
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadState_t s = L4_AbortReceive_and_stop(t);
    CHECK(L4_ThreadWasReceiving(s), "returned state %#lx lacks receiving", s.raw);
    sleep_ms(20);
    CHECK(!got.done, "the stopped thread ran");
    L4_Start(t);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "no report after L4_Start");
    CHECK(got.error == IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE), "its receive ended with ErrorCode %lu, "
          "expected %lu", got.error, IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE));
}

static void read_self(void)
{
    volatile L4_Word_t marker = 0;
    struct exregs_out o = read_regs(main_tid);
    CHECK(o.result.raw == UTCB_AREA, "result %#lx, expected own local id", o.result.raw);
    CHECK((o.control & 7) == 0, "own state %#lx, expected running", o.control);
    CHECK(o.pager.raw == sigma0_tid.raw, "own pager %#lx", o.pager.raw);
    L4_Word_t here = (L4_Word_t)&marker;
    CHECK(o.sp <= here + 4096 && o.sp + 4096 >= here, "own SP %#lx far from the stack in use (%#lx)", o.sp, here);
}

/* An IP or SP in the kernel half is canonical: the thread gets there and its access faults
 * as a user page fault at that address, sent to its pager (here the main thread). */
static void kernel_half_ip_sp(void)
{
    static const struct {
        L4_Word_t control, sp, ip, address;
        const char *what;
    } cases[] = {
        {0x10 | 0x02 | 0x80, 0, 0xffff800000001000UL, 0xffff800000001000UL, "IP"},
        {0x08 | 0x02 | 0x80, 0xffff800000002000UL, 0, 0xffff800000001ff8UL, "SP"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        L4_ThreadId_t t = start_handled_receiver();
        CHECK(!L4_IsNilThread(t), "no thread");
        struct exregs_out o = exregs(t, cases[i].control, cases[i].sp, cases[i].ip, 0, 0, main_tid);
        CHECK(!L4_IsNilThread(o.result), "setting a kernel-half %s failed with ErrorCode %lu", cases[i].what,
              o.error);
        L4_MsgTag_t tag = recv_ms(t, 1000, 0);
        if (suite_in_ring0()) {
            /* A kernel-mode task is never returned to there: #GP(0) to its handler (KMT0008). */
            CHECK(is_exception(tag) && mr(X_VECTOR) == 13, "ring 0, kernel-half %s: no #GP exception IPC (tag %#lx)",
                  cases[i].what, tag.raw);
            kill_thread(t);
            continue;
        }
        CHECK(is_page_fault(tag), "kernel-half %s: no page fault at the pager (tag %#lx)", cases[i].what, tag.raw);
        L4_Word_t address = mr(1);
        CHECK(address == cases[i].address || (i == 1 && address == cases[i].sp),
              "kernel-half %s: fault address %#lx, expected %#lx", cases[i].what, address, cases[i].address);
        kill_thread(t);
    }
}

static const struct systest exregs_tests[] = {
    {"EXR0001", "ExchangeRegisters reads a receiving thread (local id, state 2, IP in the KIP stubs or, in ring 0, its "
     "caller's code, SP in its stack)",
     read_blocked_thread},
    {"EXR0002", "ExchangeRegisters on a local id returns the global id", local_gives_global},
    {"EXR0003", "ExchangeRegisters sets the user-defined handle the thread then reads", set_handle},
    {"EXR0004", "ExchangeRegisters sets the pager and returns the old one", set_pager},
    {"EXR0005", "L4_Stop halts a running thread and L4_Start resumes it", halt_and_resume},
    {"EXR0006", "aborting a receive ends it with canceled in the receive phase (7)", abort_receive},
    {"EXR0007", "aborting a send ends it with canceled in the send phase (6) and drops the message", abort_send},
    {"EXR0008", "setting SP and IP of a running thread makes it continue there", redirect_running},
    {"EXR0009", "ExchangeRegisters on a thread of another space, not paged from the caller's, fails with invalid "
     "thread (2)", other_space},
    {"EXR0010", "ExchangeRegisters on a nonexistent or nil thread fails with invalid thread (2)", missing_thread},
    {"EXR0013", "ExchangeRegisters changes only user-modifiable flags", user_flags_only},
    {"EXR0014", "a halted thread blocked in receive still receives and runs on after L4_Start", stop_keeps_receive},
    {"EXR0015", "AbortReceive_and_stop cancels the receive (7) seen once the thread is started",
     abort_receive_and_stop},
    {"EXR0016", "ExchangeRegisters on oneself reports own local id, running state, pager and SP", read_self},
    {"EXR0017", "a failed ExchangeRegisters returns 0 in every output, not its inputs", failure_clears_outputs},
    {"EXR0018", "ExchangeRegisters ignores control bits above 9 (X.2) and does what the others say",
     unknown_bits_ignored},
    {"EXR0019", "a non-canonical IP set by ExchangeRegisters is stored; the thread takes #GP(0) there as exception "
     "IPC when it resumes (receive cancelled or message received) and goes on where the reply puts it",
     non_canonical_ip},
    {"EXR0020", "a non-canonical SP set by ExchangeRegisters is stored; the thread's first stack access faults as "
     "exception IPC reporting it", non_canonical_sp},
    {"EXR0021", "an IP or SP in the kernel half set by ExchangeRegisters faults as a user page fault at that "
     "address, sent to the pager (in ring 0: #GP(0) exception IPC)",
     kernel_half_ip_sp},
    {"EXR0022", "the threads of a thread's pager's space may ExchangeRegisters it (Pistachio's pagerexregs): its " "pager cancels its page-fault IPC, and it faults again", pager_of_other_space},
    {"EXR0023", "ExchangeRegisters on an interrupt thread fails with invalid thread (2)", interrupt_thread_refused},
};
SYSTEST_GROUP(exregs) = {"exregs", exregs_tests, SYSTEST_COUNT(exregs_tests)};
