/* SPDX-License-Identifier: MIT */
/* DEL: deleting threads (and spaces) while others depend on them. */
#include "systest.h"

static L4_Word_t delete_thread(L4_ThreadId_t t)
{
    L4_Word_t r = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    if (r == 1)
        forget_thread(t);
    return r;
}

static volatile L4_Word_t result_error, result_done;

static void closed_receiver(L4_Word_t from_raw)
{
    L4_ThreadId_t from = {.raw = from_raw};
    L4_MsgTag_t tag = recv_ms(from, 2000, 0);
    result_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    result_done = 1;
    report_to_main(0, 0, 0, 0);
}

static void idle_thread(L4_Word_t arg)
{
    (void)arg;
    recv_ms(sigma0_tid, 3000, 0);
}

static void partner_of_receiver_deleted(void)
{
    result_done = 0;
    L4_ThreadId_t awaited = spawn_simple(idle_thread, 0);
    CHECK(!L4_IsNilThread(awaited), "no thread");
    L4_ThreadId_t r = spawn_simple(closed_receiver, awaited.raw);
    CHECK(!L4_IsNilThread(r) && wait_state(r, 2, 1000), "receiver never blocked");
    CHECK(delete_thread(awaited) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    L4_MsgTag_t tag = recv_ms(r, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the receiver still waits after its partner was deleted (tag %#lx)", tag.raw);
    CHECK(result_error == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE), "its receive ended with ErrorCode %lu, "
          "expected no partner in the receive phase (%lu)", result_error,
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, RECV_PHASE));
}

static void sender_to(L4_Word_t to_raw)
{
    L4_ThreadId_t to = {.raw = to_raw};
    load_msg(LABEL_PING, 1, 0xdd, 0, 0);
    L4_MsgTag_t tag = send_ms(to, 2000);
    result_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    result_done = 1;
    report_to_main(0, 0, 0, 0);
}

static void receiver_deleted_under_sender(void)
{
    result_done = 0;
    L4_ThreadId_t busy = spawn_simple(idle_thread, 0);
    CHECK(!L4_IsNilThread(busy), "no thread");
    L4_ThreadId_t s = spawn_simple(sender_to, busy.raw);
    CHECK(!L4_IsNilThread(s) && wait_state(s, 4, 1000), "sender never blocked");
    CHECK(delete_thread(busy) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    L4_MsgTag_t tag = recv_ms(s, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the sender still waits after its receiver was deleted (tag %#lx)", tag.raw);
    CHECK(result_error == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE), "its send ended with ErrorCode %lu, "
          "expected no partner in the send phase (%lu)", result_error, IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE));
}

static void queued_sender_deleted(void)
{
    L4_ThreadId_t s = spawn_simple(sender_to, main_tid.raw);
    CHECK(!L4_IsNilThread(s) && wait_state(s, 4, 1000), "sender never blocked");
    CHECK(delete_thread(s) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(0), &from);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "after deleting the queued sender the main thread still received from %#lx (tag %#lx)", from.raw, tag.raw);
}

static volatile L4_Word_t server_reply_error;

static void slow_server(L4_Word_t arg)
{
    (void)arg;
    L4_ThreadId_t client = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(ms_time(2000), &client);
    if (L4_IpcFailed(tag))
        return;
    recv_ms(main_tid, 2000, 0); /* wait for the go */
    load_msg(LABEL_PING, 1, 1, 0, 0);
    tag = L4_Reply(client);
    server_reply_error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    report_to_main(0, 0, 0, 0);
}

static void caller(L4_Word_t server_raw)
{
    L4_ThreadId_t server = {.raw = server_raw};
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_Call_Timeouts(server, ms_time(2000), ms_time(2000));
}

static void caller_deleted_before_reply(void)
{
    server_reply_error = 0xee;
    L4_ThreadId_t s = spawn_simple(slow_server, 0);
    CHECK(!L4_IsNilThread(s) && wait_state(s, 2, 1000), "server never waited");
    L4_ThreadId_t c = spawn_simple(caller, s.raw);
    CHECK(!L4_IsNilThread(c), "no caller");
    CHECK(wait_state(c, 2, 1000), "caller never reached its receive phase");
    CHECK(delete_thread(c) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    load_msg(LABEL_START, 0, 0, 0, 0);
    CHECK(L4_IpcSucceeded(send_ms(s, 1000)), "go message failed");
    CHECK(is_label(recv_ms(s, 1000, 0), LABEL_REPORT), "no report from the server");
    CHECK(server_reply_error == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE), "reply to the deleted caller ended "
          "with ErrorCode %lu, expected no partner (%lu)", server_reply_error,
          IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE));
}

static void quiet_child(void)
{
    report_to_main(0, 0, 0, 0);
    park();
}

static void space_destroyed_with_last_thread(void)
{
    L4_ThreadId_t child = spawn_child(quiet_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    CHECK(is_label(serve_child(child, 2000, 0), LABEL_REPORT), "child did not run");
    CHECK(delete_thread(child) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    L4_Word_t r = L4_ThreadControl(child, child, main_tid, L4_nilthread, (void *)-1);
    CHECK(r == 1, "recreating the thread in a new space returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    remember_child(child);
    L4_Word_t old;
    r = L4_SpaceControl(child, 0, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_nilthread,
                        &old);
    CHECK(r == 1, "the recreated space is not fresh: SpaceControl returned %lu, ErrorCode %lu", r, L4_ErrorCode());
}

static void number_reused_new_version(void)
{
    L4_ThreadId_t t = spawn_simple(idle_thread, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_Word_t k = slot_of(t);
    CHECK(delete_thread(t) == 1, "delete failed");
    L4_ThreadId_t v2 = L4_GlobalId(L4_ThreadNo(t), 2);
    int slot = reserve_slot(v2, idle_thread, 0);
    CHECK(slot != 0, "no slot");
    L4_Word_t r = L4_ThreadControl(v2, main_tid, main_tid, sigma0_tid, (void *)utcb_of_slot((L4_Word_t)slot));
    CHECK(r == 1, "creating version 2 returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    (void)k;
    L4_Start_SpIp(v2, stack_top_of_slot((L4_Word_t)slot), (L4_Word_t)thread_trampoline);
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 100);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "send to the old version: tag %#lx ErrorCode %lu", tag.raw, L4_ErrorCode());
    CHECK(thread_state(v2, 0, 0) != ~0UL, "the new version does not exist (ErrorCode %lu)", L4_ErrorCode());
}

static void timed_receiver(L4_Word_t ms)
{
    recv_ms(sigma0_tid, ms, 0);
    report_to_main(0, 0, 0, 0);
}

static void deleted_while_timing(void)
{
    L4_ThreadId_t t = spawn_simple(timed_receiver, 30);
    CHECK(!L4_IsNilThread(t) && wait_state(t, 2, 1000), "thread never blocked");
    CHECK(delete_thread(t) == 1, "delete failed");
    /* Create more threads so the freed thread object is reused while its timeout would fire. */
    L4_ThreadId_t u = spawn_simple(timed_receiver, 10);
    L4_ThreadId_t v = spawn_simple(timed_receiver, 80);
    CHECK(!L4_IsNilThread(u) && !L4_IsNilThread(v), "no new threads");
    L4_Word_t before = now_us();
    sleep_ms(60);
    CHECK(now_us() - before >= period_us(60), "the main thread's 60 ms sleep ended after %lu us", now_us() - before);
    CHECK(is_label(recv_ms(u, 500, 0), LABEL_REPORT), "a 10 ms receive timeout of a new thread did not end");
    L4_MsgTag_t tag = recv_ms(v, 0, 0);
    CHECK(L4_IpcFailed(tag), "the 80 ms receive timeout ended already after about 60 ms");
    CHECK(is_label(recv_ms(v, 500, 0), LABEL_REPORT), "the 80 ms receive timeout never ended");
}

static void faulting_loader(L4_Word_t address)
{
    L4_Word_t v = *(volatile L4_Word_t *)address;
    report_to_main(1, v, 0, 0);
}

static void deleted_during_fault(void)
{
    L4_ThreadId_t t = spawn(faulting_loader, WINDOW(50), -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_page_fault(tag), "no page fault (tag %#lx)", tag.raw);
    CHECK(delete_thread(t) == 1, "delete failed");
    load_msg(0, 0, 0, 0, 0);
    tag = send_ms(t, 100);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "reply to the deleted faulter: tag %#lx ErrorCode %lu", tag.raw, L4_ErrorCode());
}

static L4_Word_t owned_page[512] __attribute__((aligned(4096)));

static void page_reader_child(void)
{
    volatile L4_Word_t *p = owned_page;
    report_to_main(1, p[5], 0, 0);
    park();
}

static void frames_survive_space(void)
{
    for (int i = 0; i < 512; ++i)
        owned_page[i] = 0x0f0f000000000000UL + (L4_Word_t)i;
    L4_ThreadId_t child = spawn_child(page_reader_child, 0);
    CHECK(!L4_IsNilThread(child), "no child");
    L4_MsgTag_t tag = serve_child(child, 2000, 0);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == owned_page[5], "child read %#lx", mr(1));
    CHECK(delete_thread(child) == 1, "delete failed");
    /* New spaces take page-table pages: a freed frame of ours would be reused and zeroed. */
    for (int round = 0; round < 4; ++round) {
        L4_ThreadId_t c = spawn_child(page_reader_child, 0);
        CHECK(!L4_IsNilThread(c), "no child in round %d", round);
        tag = serve_child(c, 2000, 0);
        CHECK(is_label(tag, LABEL_REPORT), "child of round %d did not report", round);
        CHECK(delete_thread(c) == 1, "delete failed");
    }
    for (int i = 0; i < 512; ++i)
        CHECK(owned_page[i] == 0x0f0f000000000000UL + (L4_Word_t)i, "word %d of a page a deleted space had mapped "
              "is now %#lx", i, owned_page[i]);
}

static const struct systest delete_tests[] = {
    {"DEL0001", "deleting the partner of a closed receive ends it with no partner (5)", partner_of_receiver_deleted},
    {"DEL0002", "deleting a receiver ends the sends queued on it with no partner (4)", receiver_deleted_under_sender},
    {"DEL0003", "deleting a queued sender removes its message from the receiver's queue", queued_sender_deleted},
    {"DEL0004", "a reply to a caller deleted while waiting for it fails with no partner (4)",
     caller_deleted_before_reply},
    {"DEL0005", "deleting the last thread of a space destroys the space", space_destroyed_with_last_thread},
    {"DEL0006", "a deleted thread's number can be reused with a new version; the old id stays dead",
     number_reused_new_version},
    {"DEL0007", "deleting a thread with a pending timeout leaves other timeouts working", deleted_while_timing},
    {"DEL0008", "a pager's reply to a faulting thread deleted meanwhile fails with no partner", deleted_during_fault},
    {"DEL0009", "destroying a space leaves the frames it had mapped intact for their owner", frames_survive_space},
};
SYSTEST_GROUP(delete) = {"delete", delete_tests, SYSTEST_COUNT(delete_tests)};
