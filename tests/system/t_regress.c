/* SPDX-License-Identifier: MIT */
/* REG: regressions found by a review of the string-item, mapping and IPC code: each test is
 * the scenario that showed a bug (a caller queued before a string reply, a hand-off lost in
 * a nested fault IPC, partners deleted during a copy, a sender's fault queued at a busy
 * pager, grants into the top page, syscalls at the top of user memory, closed waits on a
 * deleted thread's local id, the sender's transfer timeout). */
#include "systest.h"

static unsigned char src[4096] __attribute__((aligned(4096)));
static unsigned char dst[4096] __attribute__((aligned(4096)));
static unsigned char backing[4][4096] __attribute__((aligned(4096)));
static unsigned char grant_me[4096] __attribute__((aligned(4096)));

static void fill(unsigned char *p, unsigned long n, unsigned seed)
{
    for (unsigned long i = 0; i < n; ++i)
        p[i] = (unsigned char)(seed * 31u + i * 7u + (i >> 8));
}

/* A pager: maps backing[which] at each fault after delay_ms (silent: never answers). */
static volatile L4_Word_t pager_delay_ms, pager_silent, pager_faults;
static volatile L4_Word_t pager_pre_delay_ms;
static void pager(L4_Word_t which)
{
    for (;;) {
        if (pager_pre_delay_ms)
            sleep_ms(pager_pre_delay_ms);
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(5000), &from);
        if (L4_IpcFailed(tag) || !is_page_fault(tag))
            continue;
        pager_faults++;
        if (pager_silent)
            continue;
        L4_Word_t page = mr(1) & ~(PAGE_SIZE - 1);
        if (pager_delay_ms)
            sleep_ms(pager_delay_ms);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Fpage_t f = L4_FpageLog2((L4_Word_t)backing[which], 12);
        L4_Set_Rights(&f, L4_ReadWriteOnly);
        L4_MsgAppendMapItem(&msg, L4_MapItem(f, page));
        L4_MsgLoad(&msg);
        L4_Send_Timeout(from, ms_time(500));
    }
}

/* ---------------- R1: caller whose call was queued gets a string reply */
static volatile L4_Word_t r1_server_result, r1_server_error;
static void r1_server(L4_Word_t arg)
{
    (void)arg;
    sleep_ms(50); /* the caller queues */
    L4_ThreadId_t from;
    L4_MsgTag_t t = L4_Wait_Timeout(ms_time(1000), &from);
    if (L4_IpcFailed(t)) {
        r1_server_error = 0xdead;
        park();
    }
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, src));
    L4_MsgLoad(&msg);
    L4_MsgTag_t s = L4_Send_Timeout(from, ms_time(300));
    r1_server_result = s.raw;
    r1_server_error = L4_IpcFailed(s) ? L4_ErrorCode() : 0;
    park();
}

static void r1(void)
{
    fill(src, 4096, 1);
    for (int i = 0; i < 4096; ++i)
        dst[i] = 0;
    r1_server_result = r1_server_error = 0;
    L4_ThreadId_t server = spawn(r1_server, 0, -1, sigma0_tid);
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, dst));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_MsgTag_t tag = L4_Niltag;
    L4_Set_MsgTag(tag);
    L4_MsgTag_t got = L4_Call_Timeouts(server, ms_time(1000), ms_time(1000));
    L4_Word_t err = L4_IpcFailed(got) ? L4_ErrorCode() : 0;
    L4_Accept(L4_UntypedWordsAcceptor);
    sleep_ms(400);
    kill_thread(server);
    CHECK(L4_IpcSucceeded(got), "the call failed: tag %#lx ErrorCode %#lx; server send tag %#lx error %#lx", got.raw,
          err, r1_server_result, r1_server_error);
    CHECK(dst[0] == src[0] && dst[99] == src[99], "bytes missing");
}

/* ---------------- R2: nested fault IPC overwrites hand_off_ */
static volatile L4_Word_t r2_b_done, r2_a_result, r2_a_error;
static L4_ThreadId_t r2_a;
static void r2_server(L4_Word_t arg)
{
    (void)arg;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(2000, (void *)(WINDOW(60) + 0x100)));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_ThreadId_t from;
    L4_MsgTag_t t = L4_Wait_Timeout(ms_time(2000), &from); /* B's call */
    if (L4_IpcFailed(t)) {
        r2_a_error = 0xdead;
        park();
    }
    sleep_ms(60); /* T queues its string */
    L4_Set_MsgTag(L4_Niltag);
    L4_ThreadId_t next;
    L4_MsgTag_t r = L4_ReplyWait_Timeout(from, ms_time(2000), &next);
    r2_a_result = r.raw;
    r2_a_error = L4_IpcFailed(r) ? L4_ErrorCode() : 0;
    park();
}
static void r2_b(L4_Word_t arg)
{
    (void)arg;
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t t = L4_Call_Timeouts(r2_a, ms_time(2000), ms_time(2000));
    r2_b_done = L4_IpcFailed(t) ? 2 : 1;
    park();
}
static void r2_t(L4_Word_t arg)
{
    (void)arg;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, src));
    L4_MsgLoad(&msg);
    (void)L4_Send_Timeout(r2_a, ms_time(2000));
    park();
}
static void r2(void)
{
    fill(src, 4096, 2);
    r2_b_done = r2_a_result = r2_a_error = 0;
    pager_delay_ms = pager_silent = pager_faults = 0;
    L4_ThreadId_t p = spawn(pager, 0, -1, sigma0_tid);
    r2_a = spawn(r2_server, 0, -1, p);
    CHECK(wait_state(r2_a, 2, 1000) != 0, "A never waited");
    L4_ThreadId_t b = spawn(r2_b, 0, -1, sigma0_tid);
    sleep_ms(10);
    L4_ThreadId_t t = spawn(r2_t, 0, -1, sigma0_tid);
    sleep_ms(500);
    L4_Word_t done = r2_b_done;
    L4_Word_t bstate = thread_state(b, 0, 0);
    kill_thread(t);
    kill_thread(b);
    kill_thread(r2_a);
    kill_thread(p);
    CHECK(done == 1, "B's call never returned (done %lu, exregs state %lu); A: tag %#lx err %#lx, pager faults %lu",
          done, bstate, r2_a_result, r2_a_error, pager_faults);
}

/* ---------------- R3: sender deleted during a receiver-side fault */
static volatile L4_Word_t r3_tag, r3_err, r3_done;
static void r3_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(2000, (void *)(WINDOW(61) + 0x100)));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_ThreadId_t from;
    L4_MsgTag_t t = L4_Wait_Timeout(ms_time(2000), &from);
    r3_tag = t.raw;
    r3_err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    r3_done = 1;
    park();
}
static void r3_sender(L4_Word_t to)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, src));
    L4_MsgLoad(&msg);
    (void)L4_Send_Timeout((L4_ThreadId_t){.raw = to}, ms_time(2000));
    park();
}
static void r3(void)
{
    fill(src, 4096, 3);
    r3_tag = r3_err = r3_done = 0;
    pager_delay_ms = 100;
    pager_silent = pager_faults = 0;
    L4_ThreadId_t p = spawn(pager, 1, -1, sigma0_tid);
    L4_ThreadId_t r = spawn(r3_receiver, 0, -1, p);
    CHECK(wait_state(r, 2, 1000) != 0, "R never waited");
    L4_ThreadId_t s = spawn(r3_sender, r.raw, -1, sigma0_tid);
    sleep_ms(40);
    kill_thread(s); /* while R waits for its pager */
    sleep_ms(300);
    kill_thread(r);
    kill_thread(p);
    pager_delay_ms = 0;
    CHECK(r3_done, "R never finished");
    CHECK(L4_IpcFailed((L4_MsgTag_t){.raw = r3_tag}) && (r3_err & 0xf) == IPC_ERR(TERN_IPC_ERROR_ABORTED, RECV_PHASE),
          "R's receive: tag %#lx ErrorCode %#lx (expected aborted, 7): the copy went on from the deleted sender; "
          "pager faults %lu", r3_tag, r3_err, pager_faults);
}

/* ---------------- R4: receiver deleted mid-copy leaves the sender's transfer_broken_ set */
static volatile L4_Word_t r4_send_err, r4_recv_tag, r4_recv_err, r4_u_done;
static L4_ThreadId_t r4_s;
static void r4_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(2000, (void *)(WINDOW(62) + 0x100)));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_ThreadId_t from;
    (void)L4_Wait_Timeout(ms_time(3000), &from);
    park();
}
static void r4_sender(L4_Word_t to)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, src));
    L4_MsgLoad(&msg);
    L4_MsgTag_t t = L4_Send_Timeout((L4_ThreadId_t){.raw = to}, ms_time(2000));
    r4_send_err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    sleep_ms(100); /* U queues meanwhile */
    L4_ThreadId_t from;
    L4_MsgTag_t r = L4_Wait_Timeout(ms_time(1000), &from);
    r4_recv_tag = r.raw;
    r4_recv_err = L4_IpcFailed(r) ? L4_ErrorCode() : 0;
    park();
}
static void r4_u(L4_Word_t arg)
{
    (void)arg;
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t t = L4_Send_Timeout(r4_s, ms_time(500));
    r4_u_done = L4_IpcFailed(t) ? 2 : 1;
    park();
}
static void r4(void)
{
    fill(src, 4096, 4);
    r4_send_err = r4_recv_tag = r4_recv_err = r4_u_done = 0;
    pager_delay_ms = 0;
    pager_silent = 1;
    pager_faults = 0;
    L4_ThreadId_t p = spawn(pager, 2, -1, sigma0_tid);
    L4_ThreadId_t r = spawn(r4_receiver, 0, -1, p);
    CHECK(wait_state(r, 2, 1000) != 0, "R never waited");
    r4_s = spawn(r4_sender, r.raw, -1, sigma0_tid);
    sleep_ms(40);
    kill_thread(r);
    sleep_ms(30);
    L4_ThreadId_t u = spawn(r4_u, 0, -1, sigma0_tid);
    sleep_ms(1200);
    L4_Word_t ustate = thread_state(u, 0, 0);
    kill_thread(u);
    kill_thread(r4_s);
    kill_thread(p);
    pager_silent = 0;
    CHECK((r4_send_err & 0xf) == IPC_ERR(TERN_IPC_ERROR_ABORTED, SEND_PHASE), "S's send: ErrorCode %#lx, expected aborted", r4_send_err);
    CHECK(r4_u_done == 1 && L4_IpcSucceeded((L4_MsgTag_t){.raw = r4_recv_tag}),
          "after the abort S's next receive: tag %#lx ErrorCode %#lx; its sender U: done %lu, exregs state %lu",
          r4_recv_tag, r4_recv_err, r4_u_done, ustate);
}

/* ---------------- R6: the sender's *send* XferTimeout must be the one used */
static volatile L4_Word_t r6_tag, r6_err;
static void r6_sender(L4_Word_t to)
{
    /* snd xfer never, rcv xfer 20 ms: a fault answered after 100 ms must not time out. */
    L4_Set_XferTimeouts(L4_Timeouts(L4_Never, ms_time(20)));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, (void *)(WINDOW(63) + 0x200)));
    L4_MsgLoad(&msg);
    (void)L4_Send_Timeout((L4_ThreadId_t){.raw = to}, ms_time(2000));
    park();
}
static void r6(void)
{
    pager_delay_ms = 100;
    pager_silent = pager_faults = 0;
    fill(backing[3], 4096, 6);
    L4_ThreadId_t p = spawn(pager, 3, -1, sigma0_tid);
    L4_ThreadId_t s = spawn(r6_sender, main_tid.raw, -1, p);
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, dst));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_MsgTag_t t = recv_ms(s, 2000, 0);
    L4_Word_t err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    L4_Accept(L4_UntypedWordsAcceptor);
    sleep_ms(200);
    kill_thread(s);
    kill_thread(p);
    pager_delay_ms = 0;
    CHECK(L4_IpcSucceeded(t), "receive failed with ErrorCode %#lx (sender's snd XferTimeout is never)", err);
}

/* ---------------- R5: grant into the top page of the address space */
static volatile L4_Word_t r5_done;
static void r5_receiver(L4_Word_t arg)
{
    (void)arg;
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(0xfffffffffffff000UL, 12)));
    L4_ThreadId_t from;
    (void)L4_Wait_Timeout(ms_time(2000), &from);
    r5_done = 1;
    park();
}
static void r5(void)
{
    grant_me[0] = 1;
    L4_ThreadId_t r = spawn(r5_receiver, 0, -1, sigma0_tid);
    CHECK(wait_state(r, 2, 1000) != 0, "R never waited");
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Fpage_t f = L4_FpageLog2((L4_Word_t)grant_me, 12);
    L4_Set_Rights(&f, L4_FullyAccessible);
    L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, 0));
    L4_MsgLoad(&msg);
    L4_MsgTag_t t = send_ms(r, 1000);
    L4_Word_t error = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    for (int i = 0; i < 100 && !r5_done; ++i)
        sleep_ms(1);
    kill_thread(r);
    CHECK(L4_IpcSucceeded(t), "the grant's IPC failed with ErrorCode %#lx", error);
    CHECK(r5_done, "the receiver did not get the message");
    /* Nothing was granted (no page there), so the page is still this thread's. */
    CHECK(grant_me[0] == 1, "the granted page changed");
}


/* ---------------- R7: hand_off_ target deleted while the replier waits in a sender-side fault */
static volatile L4_Word_t r7_b_after_delete, r7_b_deleted, r7_a_err, r7_a_done;
static L4_ThreadId_t r7_a;
static void r7_server(L4_Word_t arg)
{
    (void)arg;
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, dst));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_ThreadId_t from;
    L4_MsgTag_t t = L4_Wait_Timeout(ms_time(2000), &from); /* B's call */
    if (L4_IpcFailed(t))
        park();
    sleep_ms(60); /* T queues its string (in an unmapped window, slow pager) */
    L4_Set_MsgTag(L4_Niltag);
    L4_ThreadId_t next;
    L4_MsgTag_t r = L4_ReplyWait_Timeout(from, ms_time(2000), &next);
    r7_a_err = L4_IpcFailed(r) ? L4_ErrorCode() : 0;
    r7_a_done = 1;
    park();
}
static void r7_b(L4_Word_t arg)
{
    (void)arg;
    L4_Set_MsgTag(L4_Niltag);
    (void)L4_Call_Timeouts(r7_a, ms_time(2000), ms_time(2000));
    if (r7_b_deleted)
        r7_b_after_delete = 1;
    park();
}
static void r7_t(L4_Word_t arg)
{
    (void)arg;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, (void *)(WINDOW(64) + 0x200)));
    L4_MsgLoad(&msg);
    (void)L4_Send_Timeout(r7_a, ms_time(2000));
    park();
}
static void r7(void)
{
    r7_b_after_delete = r7_b_deleted = r7_a_err = r7_a_done = 0;
    pager_delay_ms = 150;
    pager_silent = pager_faults = 0;
    L4_ThreadId_t p = spawn(pager, 0, -1, sigma0_tid);
    r7_a = spawn(r7_server, 0, -1, sigma0_tid);
    CHECK(wait_state(r7_a, 2, 1000) != 0, "A never waited");
    L4_ThreadId_t b = spawn(r7_b, 0, -1, sigma0_tid);
    sleep_ms(10);
    L4_ThreadId_t t = spawn(r7_t, 0, -1, p);
    sleep_ms(120); /* A now replies to B and waits in T's fault */
    r7_b_deleted = 1;
    kill_thread(b);
    sleep_ms(500);
    kill_thread(t);
    kill_thread(r7_a);
    kill_thread(p);
    pager_delay_ms = 0;
    CHECK(!r7_b_after_delete, "B ran again after it was deleted (A: done %lu err %#lx, faults %lu)", r7_a_done,
          r7_a_err, pager_faults);
    CHECK(r7_a_done, "A never finished (faults %lu)", pager_faults);
}

/* ---------------- R9: the sender's fault IPC is queued at its busy pager */
static volatile L4_Word_t r9_send_tag, r9_send_err, r9_send_done;
static void r9_sender(L4_Word_t to)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_PING);
    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem(100, (void *)(WINDOW(65) + 0x200)));
    L4_MsgLoad(&msg);
    L4_MsgTag_t t = L4_Send_Timeout((L4_ThreadId_t){.raw = to}, ms_time(2000));
    r9_send_tag = t.raw;
    r9_send_err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    r9_send_done = 1;
    park();
}
static volatile L4_Word_t r9_rx_tag, r9_rx_err, r9_rx_done;
static void r9_receiver(L4_Word_t from)
{
    L4_MsgBuffer_t buffer;
    L4_MsgBufferClear(&buffer);
    L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem(4096, dst));
    L4_AcceptStrings(L4_StringItemsAcceptor, &buffer);
    L4_MsgTag_t t = L4_Receive_Timeout(L4_anythread, ms_time(1000));
    (void)from;
    r9_rx_tag = t.raw;
    r9_rx_err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    r9_rx_done = 1;
    park();
}
static void r9(void)
{
    r9_send_tag = r9_send_err = r9_send_done = r9_rx_tag = r9_rx_err = r9_rx_done = 0;
    pager_delay_ms = 0;
    pager_pre_delay_ms = 100; /* busy: the fault queues */
    pager_silent = pager_faults = 0;
    fill(backing[0], 4096, 9);
    L4_ThreadId_t r = spawn(r9_receiver, 0, -1, sigma0_tid);
    CHECK(wait_state(r, 2, 1000) != 0, "R never waited");
    L4_ThreadId_t p = spawn(pager, 0, -1, sigma0_tid);
    L4_ThreadId_t s = spawn(r9_sender, r.raw, -1, p);
    sleep_ms(1500);
    L4_Word_t rstate = thread_state(r, 0, 0);
    pager_pre_delay_ms = 0;
    kill_thread(s);
    kill_thread(r);
    kill_thread(p);
    CHECK(r9_rx_done && L4_IpcSucceeded((L4_MsgTag_t){.raw = r9_rx_tag}),
          "receiver: done %lu tag %#lx ErrorCode %#lx exregs state %lu; sender: done %lu tag %#lx ErrorCode %#lx, "
          "faults %lu", r9_rx_done, r9_rx_tag, r9_rx_err, rstate, r9_send_done, r9_send_tag, r9_send_err,
          pager_faults);
}

/* ---------------- R11: syscall in the last two bytes of user space */
static void r11(void)
{
    /* Asked for a page there, sigma0 sends its map item; the kernel must map nothing. */
    L4_Word_t top = 0x00007ffffffff000UL;
    L4_ThreadId_t dog = start_watchdog(3000);
    (void)L4_Sigma0_GetAny(sigma0_tid, 12, L4_FpageLog2(top, 12));
    kill_thread(dog);
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_Word_t label = 0, address = 0;
    enum probe_result r = probe(top + 4096 - 8, 0, 0, 0, &label, &address);
    CHECK(r == PROBE_FAULT, "the last user page answered the probe with %d, expected a fault: it must stay unmapped",
          (int)r);
    CHECK(address == top + 4096 - 8, "the probe faulted at %#lx", address);
}

/* ---------------- R12: closed wait on a local id, partner deleted */
static volatile L4_Word_t r12_b_local, r12_done, r12_err;
static void r12_b(L4_Word_t arg) { (void)arg; park(); }
static void r12_a(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t t = L4_Ipc(L4_nilthread, (L4_ThreadId_t){.raw = r12_b_local}, L4_Timeouts(L4_Never, L4_Never), &from);
    r12_err = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
    r12_done = 1;
    park();
}
static void r12(void)
{
    r12_done = r12_err = 0;
    L4_ThreadId_t b = spawn(r12_b, 0, -1, sigma0_tid);
    r12_b_local = L4_LocalIdOf(b).raw;
    L4_ThreadId_t a = spawn(r12_a, 0, -1, sigma0_tid);
    CHECK(wait_state(a, 2, 1000) != 0, "A never waited");
    kill_thread(b);
    sleep_ms(100);
    L4_Word_t st = thread_state(a, 0, 0);
    kill_thread(a);
    CHECK(r12_done && (r12_err & 0xf) == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE), "A (closed wait on B's local id %#lx): done %lu err %#lx state %lu after B's deletion",
          r12_b_local, r12_done, r12_err, st);
}

static const struct systest regress_tests[] = {
    {"REG0001", "a caller whose call was queued gets a string reply", r1},
    {"REG0002", "a replied-to caller runs although the replier's string copy made a fault IPC", r2},
    {"REG0003", "deleting the sender during the receiver's own fault IPC aborts the copy cleanly", r3},
    {"REG0004", "a sender whose receiver was deleted mid-copy receives normally afterwards", r4},
    {"REG0005", "a grant into the top page of the address space maps nothing and harms nothing", r5},
    {"REG0006", "the sender's send XferTimeout (not its receive one) bounds a copy", r6},
    {"REG0007", "a replied-to caller deleted during the replier's copy is not run again", r7},
    {"REG0009", "a sender whose string fault queues at a busy pager completes its IPC", r9},
    {"REG0011", "the last user page cannot be mapped (a syscall there would return non-canonically)", r11},
    {"REG0012", "a closed wait on a local id ends with no partner when that thread is deleted", r12},
};
SYSTEST_GROUP(regress) = {"regress", regress_tests, SYSTEST_COUNT(regress_tests)};
