/* SPDX-License-Identifier: MIT */
/* IRQ: interrupts as IPC. The device is channel 0 of the PIT (ISA line 0), which the
 * kernel does not use: in rate-generator mode it raises its line every period and needs
 * no acknowledgement of its own, so what reaches a handler is exactly what the kernel lets
 * through. The suite, as the root task, gets the PIT's ports (0x40-0x43) from sigma0.
 * Every wait is bounded. */
#include "systest.h"

#include <l4/amd64/arch.h>

#define PIT_LINE 0
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182UL
#define IRQ_LABEL (((L4_Word_t)-1 << 4) & LABEL_MASK)

static inline void outb(L4_Word_t port, L4_Word_t value)
{
    __asm__ volatile("outb %b0, %w1" : : "a"(value), "Nd"(port));
}

static int have_pit_ports;

/* The PIT's four ports from sigma0, once (the root task may ask for ports). */
static int claim_pit_ports(void)
{
    if (have_pit_ports)
        return 1;
    L4_Fpage_t ports = L4_IoFpageLog2(PIT_CHANNEL0, 2);
    ports.raw |= L4_FullyAccessible;
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, ports, L4_IoFpageLog2(0, 16));
    L4_Accept(L4_UntypedWordsAcceptor);
    have_pit_ports = !L4_IsNilFpage(got);
    return have_pit_ports;
}

/* Channel 0 as a rate generator (mode 2) of hz interrupts per second, or, with hz 0,
 * stopped: mode 0 with the longest count raises the line once more, 55 ms later. */
static void pit_periodic(L4_Word_t hz)
{
    L4_Word_t count = hz == 0 ? 0xffff : PIT_HZ / hz;
    outb(PIT_COMMAND, hz == 0 ? 0x30 : 0x34); /* channel 0, low then high byte, mode 0 or 2 */
    outb(PIT_CHANNEL0, count & 0xff);
    outb(PIT_CHANNEL0, count >> 8);
}

#define NEED_PIT() CHECK(claim_pit_ports(), "sigma0 did not give the root task the PIT ports 0x40-0x43")

static L4_ThreadId_t pit_irq(void) { return L4_GlobalId(PIT_LINE, 1); }

static int is_interrupt(L4_MsgTag_t tag) { return is_label(tag, IRQ_LABEL) && L4_UntypedWords(tag) == 0 && L4_TypedWords(tag) == 0; }

/* The answer that unmasks the line. */
static L4_MsgTag_t acknowledge(L4_ThreadId_t irq)
{
    L4_LoadMR(0, 0);
    return send_ms(irq, 100);
}

/* Stops the device and detaches the line, whatever the test left. */
static void pit_quiet(void)
{
    if (have_pit_ports)
        pit_periodic(0);
    L4_DeassociateInterrupt(pit_irq());
}

/* ------------------------------------------------------------------ a counting handler */

static volatile L4_Word_t handled, handler_bad_messages;

/* Receives interrupts from the PIT line and answers them. */
static void counting_handler(L4_Word_t unused)
{
    (void)unused;
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag))
            continue;
        if (!L4_IsThreadEqual(from, pit_irq()) || !is_interrupt(tag)) {
            ++handler_bad_messages;
            continue;
        }
        ++handled;
        L4_LoadMR(0, 0);
        L4_Send(from);
    }
}

static void delivered_only_after_association(void)
{
    NEED_PIT();
    handled = handler_bad_messages = 0;
    L4_ThreadId_t handler = spawn(counting_handler, 0, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(handler), "no handler thread");
    pit_periodic(1000);
    sleep_ms(30); /* about 30 periods with nobody associated */
    L4_Word_t before = handled;
    CHECK(L4_AssociateInterrupt(pit_irq(), handler) == 1, "association failed (ErrorCode %lu)", L4_ErrorCode());
    sleep_ms(30);
    L4_Word_t after = handled;
    pit_quiet();
    CHECK(before == 0, "%lu interrupts reached the handler before the association", before);
    CHECK(after >= 5, "only %lu interrupts in 30 ms after the association (1000 Hz)", after);
    CHECK(handler_bad_messages == 0, "the handler got %lu messages that are not interrupts", handler_bad_messages);
}

static void message_is_from_interrupt_thread(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed (ErrorCode %lu)", L4_ErrorCode());
    pit_periodic(1000);
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(L4_anythread, 200, &from);
    L4_Word_t raw = tag.raw;
    int ok = L4_IpcSucceeded(tag) != 0;
    if (ok)
        acknowledge(pit_irq());
    pit_quiet();
    CHECK(ok, "no interrupt within 200 ms (ErrorCode %lu)", L4_ErrorCode());
    CHECK(L4_IsThreadEqual(from, pit_irq()), "the message came from %#lx, not the interrupt thread %#lx", from.raw,
          pit_irq().raw);
    CHECK(is_interrupt(tag), "tag %#lx: not label -1 << 4 with no words", raw);
}

static void reply_unmasks(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed (ErrorCode %lu)", L4_ErrorCode());
    pit_periodic(1000);
    L4_MsgTag_t first = recv_ms(pit_irq(), 200, 0);
    L4_MsgTag_t while_masked = recv_ms(pit_irq(), 20, 0);
    L4_Word_t masked_error = L4_ErrorCode();
    L4_MsgTag_t ack = acknowledge(pit_irq());
    L4_MsgTag_t second = recv_ms(pit_irq(), 200, 0);
    if (L4_IpcSucceeded(second))
        acknowledge(pit_irq());
    pit_quiet();
    CHECK(L4_IpcSucceeded(first), "no first interrupt");
    CHECK(L4_IpcFailed(while_masked) && masked_error == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "an interrupt came before the first was answered (tag %#lx, ErrorCode %lu)", while_masked.raw,
          masked_error);
    CHECK(L4_IpcSucceeded(ack), "the answer failed (ErrorCode %lu)", L4_ErrorCode());
    CHECK(L4_IpcSucceeded(second) && is_interrupt(second), "no interrupt after the answer (tag %#lx)", second.raw);
}

static void detach_stops_delivery(void)
{
    NEED_PIT();
    handled = handler_bad_messages = 0;
    L4_ThreadId_t handler = spawn(counting_handler, 0, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(handler), "no handler thread");
    CHECK(L4_AssociateInterrupt(pit_irq(), handler) == 1, "association failed");
    pit_periodic(1000);
    sleep_ms(20);
    L4_Word_t attached = handled;
    CHECK(L4_DeassociateInterrupt(pit_irq()) == 1, "deassociation failed (ErrorCode %lu)", L4_ErrorCode());
    /* An interrupt delivered just before the detach may wait in the handler, which runs
     * below the main thread's priority: it counts as attached. The handler takes it now;
     * after that, with the PIT still running, nothing may come. */
    L4_ThreadSwitch(handler);
    L4_Word_t at_detach = handled;
    sleep_ms(20);
    L4_Word_t detached = handled - at_detach;
    /* Another handler (the main thread) takes over. */
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "second association failed");
    L4_MsgTag_t tag = recv_ms(pit_irq(), 200, 0);
    if (L4_IpcSucceeded(tag))
        acknowledge(pit_irq());
    L4_Word_t late = handled - at_detach;
    pit_quiet();
    CHECK(attached >= 3, "only %lu interrupts while attached", attached);
    CHECK(detached == 0 && late == 0, "%lu interrupts reached the detached handler", late);
    CHECK(L4_IpcSucceeded(tag) && is_interrupt(tag), "the new handler got no interrupt (tag %#lx)", tag.raw);
}

/* A thread with the given id, running counting_handler, made by hand (spawn picks new ids). */
static int respawn_counting_handler(L4_ThreadId_t tid)
{
    int k = reserve_slot(tid, counting_handler, 0);
    if (k == 0 || L4_ThreadControl(tid, main_tid, main_tid, sigma0_tid, (void *)utcb_of_slot((L4_Word_t)k)) != 1)
        return 0;
    L4_Set_Priority(tid, 200);
    L4_Start_SpIp(tid, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    return 1;
}

static void handler_deletion_detaches(void)
{
    NEED_PIT();
    handled = 0;
    L4_ThreadId_t handler = spawn(counting_handler, 0, 200, sigma0_tid);
    CHECK(!L4_IsNilThread(handler), "no handler thread");
    CHECK(L4_AssociateInterrupt(pit_irq(), handler) == 1, "association failed");
    pit_periodic(1000);
    sleep_ms(10);
    L4_Word_t first = handled;
    kill_thread(handler);
    /* A new thread with the very same id was never associated: it must get nothing. */
    handled = 0;
    int again = respawn_counting_handler(handler);
    sleep_ms(20); /* interrupts keep coming from the device */
    L4_Word_t stray = handled;
    if (again)
        kill_thread(handler);
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association after the deletion failed (ErrorCode %lu)",
          L4_ErrorCode());
    L4_MsgTag_t tag = recv_ms(pit_irq(), 200, 0);
    if (L4_IpcSucceeded(tag))
        acknowledge(pit_irq());
    pit_quiet();
    CHECK(first >= 3, "the first handler got only %lu interrupts", first);
    CHECK(again, "the handler's id could not be made again (ErrorCode %lu)", L4_ErrorCode());
    CHECK(stray == 0, "%lu interrupts reached a new thread with the deleted handler's id", stray);
    CHECK(L4_IpcSucceeded(tag) && is_interrupt(tag), "no interrupt for the new handler (tag %#lx)", tag.raw);
}

static void edges_before_answer_make_one(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed");
    pit_periodic(1000);
    L4_MsgTag_t first = recv_ms(pit_irq(), 200, 0);
    sleep_ms(15);         /* about 15 edges while the first is unanswered */
    pit_periodic(0);      /* stopped: its one last edge comes 55 ms later */
    L4_MsgTag_t before = recv_ms(pit_irq(), 0, 0);
    acknowledge(pit_irq());
    L4_MsgTag_t remembered = recv_ms(pit_irq(), 10, 0);
    if (L4_IpcSucceeded(remembered))
        acknowledge(pit_irq());
    L4_MsgTag_t extra = recv_ms(pit_irq(), 20, 0);
    if (L4_IpcSucceeded(extra))
        acknowledge(pit_irq());
    pit_quiet();
    CHECK(L4_IpcSucceeded(first), "no first interrupt");
    CHECK(L4_IpcFailed(before), "a second interrupt came before the answer");
    CHECK(L4_IpcSucceeded(remembered) && is_interrupt(remembered),
          "the edges that came before the answer were lost (tag %#lx, ErrorCode %lu)", remembered.raw, L4_ErrorCode());
    CHECK(L4_IpcFailed(extra), "they made more than one interrupt");
}

static void busy_ms(L4_Word_t ms)
{
    L4_Word_t until = now_us() + ms * 1000;
    while (now_us() < until) {
    }
}

/* A handler below the interrupt threads' priority: answers with a plain send after edges
 * came, keeps running, then looks whether the remembered edge is queued for it. */
static void answering_handler(L4_Word_t unused)
{
    (void)unused;
    L4_MsgTag_t first = L4_Receive_Timeout(pit_irq(), ms_time(200));
    busy_ms(3); /* edges arrive meanwhile */
    L4_LoadMR(0, 0);
    L4_MsgTag_t answer = L4_Send_Timeout(pit_irq(), ms_time(100));
    busy_ms(3); /* the interrupt thread must have run at once and queued the next */
    L4_MsgTag_t queued = L4_Receive_Timeout(pit_irq(), L4_ZeroTime);
    if (L4_IpcSucceeded(queued)) {
        L4_LoadMR(0, 0);
        L4_Send_Timeout(pit_irq(), ms_time(100));
    }
    report_to_main(3, L4_IpcSucceeded(first) != 0, L4_IpcSucceeded(answer) != 0, L4_IpcSucceeded(queued) != 0);
    park();
}

static void remembered_edge_after_send_answer(void)
{
    NEED_PIT();
    L4_ThreadId_t handler = spawn(answering_handler, 0, 100, sigma0_tid);
    CHECK(!L4_IsNilThread(handler), "no handler thread");
    CHECK(L4_AssociateInterrupt(pit_irq(), handler) == 1, "association failed");
    pit_periodic(1000);
    L4_MsgTag_t tag = recv_ms(handler, 1000, 0);
    pit_quiet();
    CHECK(is_label(tag, LABEL_REPORT), "no report from the handler (tag %#lx)", tag.raw);
    CHECK(mr(1) == 1 && mr(2) == 1, "first interrupt %lu, answer %lu", mr(1), mr(2));
    CHECK(mr(3) == 1, "the edges that came before a send-only answer were not queued while the handler ran on");
}

static void inactive_handler_refused(void)
{
    /* A thread that exists but has no UTCB yet cannot receive: refused as a handler. */
    L4_ThreadId_t inactive = new_tid();
    CHECK(L4_ThreadControl(inactive, main_tid, main_tid, L4_nilthread, (void *)-1) == 1,
          "could not create an inactive thread (ErrorCode %lu)", L4_ErrorCode());
    set_error_code(99);
    L4_Word_t result = L4_AssociateInterrupt(pit_irq(), inactive);
    L4_Word_t error = L4_ErrorCode();
    L4_ThreadControl(inactive, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    L4_DeassociateInterrupt(pit_irq());
    CHECK(result == 0 && error == 5, "associating an inactive thread: %lu, ErrorCode %lu (want 0, 5)", result, error);
}

static void bad_associations(void)
{
    struct {
        L4_ThreadId_t irq, space, scheduler, handler;
        L4_Word_t utcb, error;
        const char *what;
    } cases[] = {
        {L4_GlobalId(2, 1), L4_GlobalId(2, 1), L4_nilthread, main_tid, ~0UL, 2, "line 2 (the PIC cascade)"},
        {L4_GlobalId(32, 1), L4_GlobalId(32, 1), L4_nilthread, main_tid, ~0UL, 2, "line 32 (after the MSI lines)"},
        {L4_GlobalId(PIT_LINE, 2), L4_GlobalId(PIT_LINE, 2), L4_nilthread, main_tid, ~0UL, 2, "version 2"},
        {pit_irq(), pit_irq(), L4_nilthread, L4_GlobalId(3999, 1), ~0UL, 5, "a handler that does not exist"},
        {pit_irq(), pit_irq(), L4_nilthread, L4_GlobalId(4, 1), ~0UL, 5, "another interrupt thread as handler"},
        {pit_irq(), main_tid, L4_nilthread, main_tid, ~0UL, 2, "a space specifier other than itself"},
        {pit_irq(), pit_irq(), L4_nilthread, L4_nilthread, ~0UL, 2, "no handler"},
        {pit_irq(), pit_irq(), main_tid, main_tid, ~0UL, 5, "a scheduler"},
        {pit_irq(), pit_irq(), L4_nilthread, main_tid, 0x7ffffff00000UL, 5, "a UTCB location"},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        set_error_code(99);
        L4_Word_t result = L4_ThreadControl(cases[i].irq, cases[i].space, cases[i].scheduler, cases[i].handler,
                                            (void *)cases[i].utcb);
        CHECK(result == 0 && L4_ErrorCode() == cases[i].error, "%s: result %lu, ErrorCode %lu (want %lu)",
              cases[i].what, result, L4_ErrorCode(), cases[i].error);
    }
    /* An interrupt thread is no space: ThreadControl and SpaceControl refuse it as one. */
    L4_Word_t old;
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed");
    set_error_code(99);
    L4_Word_t made = L4_ThreadControl(new_tid(), pit_irq(), main_tid, main_tid, (void *)-1);
    L4_Word_t made_error = L4_ErrorCode();
    set_error_code(99);
    L4_Word_t spaced = L4_SpaceControl(pit_irq(), 0, L4_Nilpage, L4_Nilpage, L4_nilthread, &old);
    L4_Word_t spaced_error = L4_ErrorCode();
    L4_DeassociateInterrupt(pit_irq());
    CHECK(made == 0 && made_error == 3, "a thread in an interrupt thread's space: %lu, ErrorCode %lu", made, made_error);
    CHECK(spaced == 0 && spaced_error == 3, "SpaceControl on an interrupt thread: %lu, ErrorCode %lu", spaced,
          spaced_error);
}

static void messages_to_interrupt_thread(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed");
    /* The handler's answer with nothing outstanding does nothing and succeeds. */
    L4_MsgTag_t idle_ack = acknowledge(pit_irq());
    /* A thread that is not the handler: no partner, whatever the state of the line. */
    L4_ThreadId_t other = spawn_simple((thread_fn)park, 0);
    CHECK(!L4_IsNilThread(other), "no second thread");
    CHECK(L4_IpcSucceeded(idle_ack), "the handler's answer with nothing outstanding failed (ErrorCode %lu)",
          L4_ErrorCode());
    pit_quiet();
    CHECK(L4_AssociateInterrupt(pit_irq(), other) == 1, "association with the second thread failed");
    set_error_code(99);
    L4_MsgTag_t stranger = acknowledge(pit_irq());
    L4_Word_t error = L4_ErrorCode();
    L4_DeassociateInterrupt(pit_irq());
    CHECK(L4_IpcFailed(stranger) && error == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "a message from a thread that is not the handler: tag %#lx, ErrorCode %lu", stranger.raw, error);
    /* An interrupt thread that was never associated does not exist. */
    set_error_code(99);
    L4_MsgTag_t never = send_ms(L4_GlobalId(12, 1), 10);
    CHECK(L4_IpcFailed(never) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "sending to a never associated interrupt thread: ErrorCode %lu", L4_ErrorCode());
}

static void unprivileged_child(void)
{
    set_error_code(99);
    L4_Word_t result = L4_AssociateInterrupt(pit_irq(), L4_Myself());
    report_to_main(2, result, L4_ErrorCode(), 0);
    park();
}

static void unprivileged_cannot_associate(void)
{
    L4_ThreadId_t child = spawn_child(unprivileged_child, 0);
    CHECK(!L4_IsNilThread(child), "no child task");
    remember_child(child);
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "no report from the child (tag %#lx)", tag.raw);
    CHECK(mr(1) == 0 && mr(2) == 1, "an unprivileged association returned %lu with ErrorCode %lu (want 0, 1)",
          mr(1), mr(2));
}

static void queued_when_handler_busy(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed");
    pit_periodic(1000);
    sleep_ms(10); /* interrupts arrive while the handler waits for something else */
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = recv_ms(L4_anythread, 0, &from); /* zero timeout: only what is queued */
    int queued = L4_IpcSucceeded(tag) != 0;
    L4_MsgTag_t next = L4_MsgTag();
    if (queued) {
        acknowledge(pit_irq());
        next = recv_ms(pit_irq(), 200, 0);
        if (L4_IpcSucceeded(next))
            acknowledge(pit_irq());
    }
    pit_quiet();
    CHECK(queued, "nothing was queued for the handler (ErrorCode %lu)", L4_ErrorCode());
    CHECK(L4_IsThreadEqual(from, pit_irq()) && is_interrupt(tag), "the queued message (tag %#lx) came from %#lx",
          tag.raw, from.raw);
    CHECK(L4_IpcSucceeded(next) && is_interrupt(next), "no interrupt after answering the queued one (tag %#lx)",
          next.raw);
}

static void call_answers_and_waits(void)
{
    NEED_PIT();
    CHECK(L4_AssociateInterrupt(pit_irq(), main_tid) == 1, "association failed");
    pit_periodic(1000);
    L4_MsgTag_t first = recv_ms(pit_irq(), 200, 0);
    L4_Word_t got = 0;
    L4_MsgTag_t tag = first;
    /* The driver loop: each call answers the last interrupt and waits for the next. */
    while (L4_IpcSucceeded(tag) && is_interrupt(tag) && got < 20) {
        ++got;
        L4_LoadMR(0, 0);
        tag = L4_Ipc(pit_irq(), pit_irq(), L4_Timeouts(ms_time(100), ms_time(100)), &(L4_ThreadId_t){0});
    }
    if (L4_IpcSucceeded(tag))
        acknowledge(pit_irq());
    pit_quiet();
    CHECK(L4_IpcSucceeded(first), "no first interrupt");
    CHECK(got == 20, "the call loop stopped after %lu interrupts (tag %#lx, ErrorCode %lu)", got, tag.raw,
          L4_ErrorCode());
}

/* The message-signalled lines (KIP0020) exist: each can be associated and detached. */
static void msi_lines_associate(void)
{
    for (L4_Word_t line = 24; line < 32; ++line) {
        CHECK(L4_AssociateInterrupt(L4_GlobalId(line, 1), main_tid) == 1,
              "associating MSI line %lu failed (ErrorCode %lu)", line, L4_ErrorCode());
        CHECK(L4_DeassociateInterrupt(L4_GlobalId(line, 1)) == 1, "detaching MSI line %lu failed (ErrorCode %lu)",
              line, L4_ErrorCode());
    }
}

static const struct systest irq_tests[] = {
    {"IRQ0001", "interrupts reach their handler only after the association", delivered_only_after_association},
    {"IRQ0002", "an interrupt arrives from the interrupt thread with label -1 << 4 and no words",
     message_is_from_interrupt_thread},
    {"IRQ0003", "no second interrupt reaches the handler before it answers the first; the answer lets it through",
     reply_unmasks},
    {"IRQ0004", "a detached line delivers nothing; a new handler gets its interrupts", detach_stops_delivery},
    {"IRQ0005", "deleting the handler detaches the line (a new thread with its id gets nothing); it can be associated again",
     handler_deletion_detaches},
    {"IRQ0006", "bad associations fail with X.2 error codes; an interrupt thread is no space", bad_associations},
    {"IRQ0007", "only the handler may answer; an answer with nothing outstanding succeeds",
     messages_to_interrupt_thread},
    {"IRQ0008", "an unprivileged task cannot associate an interrupt", unprivileged_cannot_associate},
    {"IRQ0009", "an interrupt for a handler that does not wait is queued and received later", queued_when_handler_busy},
    {"IRQ0010", "a call to the interrupt thread answers the interrupt and waits for the next", call_answers_and_waits},
    {"IRQ0011", "edges of an edge-triggered line before the answer make one interrupt after it",
     edges_before_answer_make_one},
    {"IRQ0012", "a thread that is not active cannot be a handler (ErrorCode 5)", inactive_handler_refused},
    {"IRQ0013", "after a send-only answer the interrupt thread preempts the handler to queue a remembered edge",
     remembered_edge_after_send_answer},
    {"IRQ0014", "the message-signalled lines 24-31 can each be associated and detached", msi_lines_associate},
};
SYSTEST_GROUP(irq) = {"irq", irq_tests, SYSTEST_COUNT(irq_tests)};
