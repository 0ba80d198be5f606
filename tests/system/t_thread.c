/* SPDX-License-Identifier: MIT */
/* THR: ThreadControl (create, activate, modify, delete) and the thread's own TCRs. */
#include "systest.h"

static L4_Word_t tc(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t scheduler, L4_ThreadId_t pager,
                    L4_Word_t utcb)
{
    set_error_code(0xee);
    return L4_ThreadControl(dest, space, scheduler, pager, (void *)utcb);
}

static L4_Word_t delete_thread(L4_ThreadId_t t) { return tc(t, L4_nilthread, L4_nilthread, L4_nilthread, ~0UL); }

static void own_identity(void)
{
    L4_ThreadId_t expected = L4_GlobalId(L4_ThreadIdUserBase(kip) + 2, 1);
    CHECK(L4_MyGlobalId().raw == expected.raw, "MyGlobalId %#lx, expected %#lx", L4_MyGlobalId().raw, expected.raw);
    CHECK(L4_MyLocalId().raw == UTCB_AREA, "MyLocalId %#lx, expected %#lx", L4_MyLocalId().raw, UTCB_AREA);
    CHECK(L4_Pager().raw == sigma0_tid.raw, "Pager %#lx, expected sigma0 %#lx", L4_Pager().raw, sigma0_tid.raw);
    CHECK(L4_GlobalIdOf(L4_MyLocalId()).raw == expected.raw, "GlobalIdOf(own local id) is %#lx",
          L4_GlobalIdOf(L4_MyLocalId()).raw);
}

static void reporter(L4_Word_t arg)
{
    (void)arg;
    report_to_main(3, L4_MyGlobalId().raw, L4_MyLocalId().raw, L4_Pager().raw);
}

static void create_and_start(void)
{
    L4_ThreadId_t t = new_tid();
    int k = reserve_slot(t, reporter, 0);
    CHECK(k != 0, "no slot");
    L4_Word_t r = tc(t, main_tid, main_tid, sigma0_tid, utcb_of_slot((L4_Word_t)k));
    CHECK(r == 1, "ThreadControl returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Start_SpIp(t, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the new thread did not run and report (tag %#lx, ErrorCode %lu)", tag.raw,
          L4_ErrorCode());
}

static void new_thread_tcrs(void)
{
    L4_ThreadId_t t = new_tid();
    int k = reserve_slot(t, reporter, 0);
    CHECK(k != 0, "no slot");
    L4_ThreadId_t pager = L4_GlobalId(3990, 5); /* need not exist */
    L4_Word_t r = tc(t, main_tid, main_tid, pager, utcb_of_slot((L4_Word_t)k));
    CHECK(r == 1, "ThreadControl returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Start_SpIp(t, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    L4_MsgTag_t tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the new thread did not report (tag %#lx)", tag.raw);
    CHECK(mr(1) == t.raw, "its MyGlobalId is %#lx, expected %#lx", mr(1), t.raw);
    CHECK(mr(2) == utcb_of_slot((L4_Word_t)k), "its MyLocalId is %#lx, expected its UTCB %#lx", mr(2),
          utcb_of_slot((L4_Word_t)k));
    CHECK(mr(3) == pager.raw, "its Pager is %#lx, expected %#lx", mr(3), pager.raw);
}

#define EXPECT_ERROR(call, code, what)                                                                              \
    do {                                                                                                            \
        L4_Word_t result_ = (call);                                                                                 \
        CHECK(result_ == 0 && L4_ErrorCode() == (code), "%s: result %lu, ErrorCode %lu; expected 0 and %lu", what, \
              result_, L4_ErrorCode(), (L4_Word_t)(code));                                                          \
    } while (0)

static void nil_dest(void)
{
    EXPECT_ERROR(tc(L4_nilthread, main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD, "nil");
    EXPECT_ERROR(tc(L4_anythread, main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD, "anythread");
}

static void system_numbers(void)
{
    EXPECT_ERROR(tc(L4_GlobalId(300, 1), main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "kernel thread number 300");
    EXPECT_ERROR(tc(L4_GlobalId(5, 1), main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "interrupt thread number 5");
    EXPECT_ERROR(tc(L4_GlobalId(511, 1), main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "thread number 511, the last below the user base");
}

static void numbers_beyond_table(void)
{
    EXPECT_ERROR(tc(L4_GlobalId(MAX_THREADS, 1), main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "thread number MAX_THREADS");
    EXPECT_ERROR(tc(L4_GlobalId(0x3ffff, 1), main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "thread number 0x3ffff");
}

static void local_dest(void)
{
    L4_ThreadId_t local = {.raw = UTCB_AREA + 5 * UTCB_SIZE};
    EXPECT_ERROR(tc(local, main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD, "local id");
}

static void number_in_use(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "thread did not report");
    L4_ThreadId_t other = L4_GlobalId(L4_ThreadNo(t), 7);
    EXPECT_ERROR(tc(other, main_tid, main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_THREAD,
                 "creating version 7 of an existing version-1 thread");
    L4_Word_t state = thread_state(t, 0, 0);
    CHECK(state != ~0UL, "the existing thread is gone (ExchangeRegisters ErrorCode %lu)", L4_ErrorCode());
}

static void bad_space(void)
{
    EXPECT_ERROR(tc(new_tid(), L4_GlobalId(3991, 1), main_tid, L4_nilthread, ~0UL), L4_ERROR_INVALID_SPACE,
                 "space of a nonexistent thread");
}

static void bad_scheduler(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t); /* deleted after the test, should the refused call have created it */
    EXPECT_ERROR(tc(t, main_tid, L4_GlobalId(3992, 1), L4_nilthread, ~0UL), L4_ERROR_INVALID_SCHEDULER,
                 "nonexistent scheduler");
    CHECK(delete_thread(t) == 0, "the thread was created although the call failed");
}

/* X.2 lists a nil scheduler on a creating ThreadControl under invalid scheduler (4): no
 * thread and no space may come of it, in the caller's space or a new one. */
static void nil_scheduler_creates_nothing(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t); /* deleted after the test, should the refused call have created it */
    EXPECT_ERROR(tc(t, main_tid, L4_nilthread, main_tid, ~0UL), L4_ERROR_INVALID_SCHEDULER,
                 "new thread in this space, nil scheduler");
    CHECK(delete_thread(t) == 0, "the thread was created although the call failed");
    L4_ThreadId_t s = new_tid();
    remember_child(s);
    EXPECT_ERROR(tc(s, s, L4_nilthread, L4_nilthread, ~0UL), L4_ERROR_INVALID_SCHEDULER,
                 "new thread in a new space, nil scheduler");
    CHECK(delete_thread(s) == 0, "the thread and space were created although the call failed");
    /* The same calls with a scheduler succeed; an existing thread given nilthread keeps its own. */
    CHECK(tc(t, main_tid, main_tid, L4_nilthread, ~0UL) == 1, "creating with a scheduler failed: ErrorCode %lu",
          L4_ErrorCode());
    CHECK(tc(t, main_tid, L4_nilthread, L4_nilthread, ~0UL) == 1,
          "modifying an existing thread with a nil scheduler failed: ErrorCode %lu", L4_ErrorCode());
    CHECK(delete_thread(t) == 1, "deleting the thread failed: ErrorCode %lu", L4_ErrorCode());
}

static void utcb_outside_area(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t);
    EXPECT_ERROR(tc(t, main_tid, main_tid, main_tid, UTCB_AREA + (1UL << ROOT_UTCB_AREA_LOG2)), L4_ERROR_UTCB_AREA,
                 "UTCB just past the area");
    EXPECT_ERROR(tc(t, main_tid, main_tid, main_tid, 0x500000), L4_ERROR_UTCB_AREA, "UTCB in the image");
    EXPECT_ERROR(tc(t, main_tid, main_tid, main_tid, 0xffff800000000000UL), L4_ERROR_UTCB_AREA, "kernel UTCB");
    delete_thread(t);
}

static void utcb_misaligned(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t);
    EXPECT_ERROR(tc(t, main_tid, main_tid, L4_nilthread, UTCB_AREA + 60 * UTCB_SIZE + 0x100), L4_ERROR_UTCB_AREA,
                 "UTCB at a 256-byte offset");
    delete_thread(t);
}

static void reactivate_active(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    EXPECT_ERROR(tc(t, main_tid, main_tid, L4_nilthread, UTCB_AREA + 61 * UTCB_SIZE), L4_ERROR_UTCB_AREA,
                 "giving an active thread a new UTCB");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "the thread no longer runs");
}

static void utcb_in_use(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "thread did not report");
    L4_Word_t utcb = utcb_of_slot(slot_of(t));
    L4_ThreadId_t second = new_tid();
    remember_child(second);
    L4_Word_t r = tc(second, main_tid, main_tid, main_tid, utcb);
    L4_Word_t error = L4_ErrorCode();
    delete_thread(second);
    CHECK(r == 0, "a second thread was activated on the UTCB %#lx of thread %lx", utcb, t.raw);
    CHECK(error == L4_ERROR_UTCB_AREA, "refused with ErrorCode %lu, expected 6 (invalid UTCB)", error);
    L4_Word_t *first_utcb = (L4_Word_t *)utcb;
    CHECK(first_utcb[TERN_UTCB_MY_GLOBAL_ID / 8] == t.raw, "the first thread's UTCB now says MyGlobalId %#lx",
          first_utcb[TERN_UTCB_MY_GLOBAL_ID / 8]);
}

/* What a thread leaves in its UTCB (its exception handler, transfer timeouts, flags, user
 * handle, thread words, message registers) must not reach the next thread given that UTCB. */
static void reused_utcb_starts_clean(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "thread did not report");
    L4_Word_t utcb = utcb_of_slot(slot_of(t));
    L4_Word_t *words = (L4_Word_t *)utcb;
    const L4_Word_t dirty[] = {TERN_UTCB_USER_DEFINED_HANDLE, TERN_UTCB_EXCEPTION_HANDLER, TERN_UTCB_FLAGS,
                               TERN_UTCB_TRANSFER_TIMEOUTS, TERN_UTCB_THREAD_WORD0, TERN_UTCB_THREAD_WORD1,
                               TERN_UTCB_MR + 8 * 10, TERN_UTCB_BR + 8 * 2};
    for (unsigned i = 0; i < sizeof dirty / sizeof dirty[0]; ++i)
        words[dirty[i] / 8] = 0x5e5e0000UL + i;
    CHECK(delete_thread(t) == 1, "delete failed with ErrorCode %lu", L4_ErrorCode());
    forget_thread(t);
    L4_ThreadId_t second = new_tid();
    remember_child(second);
    L4_Word_t r = tc(second, main_tid, main_tid, main_tid, utcb);
    L4_Word_t error = L4_ErrorCode();
    L4_Word_t seen[sizeof dirty / sizeof dirty[0]];
    for (unsigned i = 0; i < sizeof dirty / sizeof dirty[0]; ++i)
        seen[i] = words[dirty[i] / 8];
    L4_Word_t global = words[TERN_UTCB_MY_GLOBAL_ID / 8];
    delete_thread(second);
    CHECK(r == 1, "activation on the freed UTCB failed with ErrorCode %lu", error);
    CHECK(global == second.raw, "the new thread's UTCB says MyGlobalId %#lx, expected %#lx", global, second.raw);
    for (unsigned i = 0; i < sizeof dirty / sizeof dirty[0]; ++i)
        CHECK(seen[i] == 0, "UTCB word %#lx still holds %#lx from the thread before", dirty[i], seen[i]);
}

static void delete_then_gone(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "thread did not report");
    L4_Word_t r = delete_thread(t);
    CHECK(r == 1, "delete returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    forget_thread(t);
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 100);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "send to the deleted thread: tag %#lx ErrorCode %lu", tag.raw, L4_ErrorCode());
    set_error_code(0xee);
    CHECK(thread_state(t, 0, 0) == ~0UL && L4_ErrorCode() == L4_ERROR_INVALID_THREAD,
          "ExchangeRegisters on the deleted thread did not fail with 2 (ErrorCode %lu)", L4_ErrorCode());
}

static void delete_missing(void)
{
    EXPECT_ERROR(delete_thread(L4_GlobalId(3993, 1)), L4_ERROR_INVALID_THREAD, "deleting a nonexistent thread");
}

static void delete_self(void)
{
    EXPECT_ERROR(delete_thread(main_tid), L4_ERROR_INVALID_THREAD, "deleting oneself");
    CHECK(L4_MyGlobalId().raw == main_tid.raw, "identity changed");
}

static void unprivileged_create(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_THREAD_CONTROL] == 0 && u->error[U_THREAD_CONTROL] == L4_ERROR_NO_PRIVILEGE,
          "result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_THREAD_CONTROL], u->error[U_THREAD_CONTROL]);
}

static void unprivileged_delete(void)
{
    const struct unpriv_results *u = unprivileged_results();
    CHECK(u->valid, "%s", u->why);
    CHECK(u->result[U_DELETE_MAIN] == 0 && u->error[U_DELETE_MAIN] == L4_ERROR_NO_PRIVILEGE,
          "result %lu, ErrorCode %lu; expected 0 and 1", u->result[U_DELETE_MAIN], u->error[U_DELETE_MAIN]);
}

static void inactive_thread(void)
{
    L4_ThreadId_t t = new_tid();
    int k = reserve_slot(t, reporter, 0);
    CHECK(k != 0, "no slot");
    L4_Word_t r = tc(t, main_tid, main_tid, L4_nilthread, ~0UL);
    CHECK(r == 1, "creating without activation returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    load_msg(LABEL_PING, 0, 0, 0, 0);
    L4_MsgTag_t tag = send_ms(t, 100);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_NO_PARTNER, SEND_PHASE),
          "send to an inactive thread: tag %#lx ErrorCode %lu, expected no partner (4)", tag.raw, L4_ErrorCode());
    set_error_code(0xee);
    CHECK(thread_state(t, 0, 0) == ~0UL && L4_ErrorCode() == L4_ERROR_INVALID_THREAD,
          "ExchangeRegisters on an inactive thread: ErrorCode %lu, expected 2", L4_ErrorCode());
    r = tc(t, main_tid, main_tid, main_tid, utcb_of_slot((L4_Word_t)k));
    CHECK(r == 1, "activating it later returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Start_SpIp(t, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "the activated thread did not run");
}

static void change_pager(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "thread did not report");
    L4_ThreadId_t pager = L4_GlobalId(3994, 3);
    L4_Word_t r = tc(t, main_tid, L4_nilthread, pager, ~0UL);
    CHECK(r == 1, "ThreadControl changing the pager returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadId_t old_pager;
    L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, &ip, &flags, &handle, &old_pager);
    CHECK(old_pager.raw == pager.raw, "the thread's pager is %#lx, expected %#lx", old_pager.raw, pager.raw);
}

static void move_between_spaces(void)
{
    L4_ThreadId_t t = spawn_simple(reporter, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    L4_ThreadId_t other = new_tid();
    remember_child(other);
    L4_Word_t r = tc(other, other, main_tid, L4_nilthread, ~0UL);
    CHECK(r == 1, "creating a thread in a new space returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    EXPECT_ERROR(tc(t, other, main_tid, L4_nilthread, ~0UL), L4_ERROR_UTCB_AREA,
                 "moving an active thread into another space without a UTCB there");
    delete_thread(other);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT), "the thread no longer runs");
}

/* A thread moved into another space belongs to it: it waits there for its new pager's start
 * message, and its old space's ExchangeRegisters no longer reaches it. (Its pager is sigma0:
 * the space of a thread's pager may ExchangeRegisters it, EXR0022.) */
static void migrate_to_space(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t);
    L4_Word_t r = tc(t, main_tid, main_tid, L4_nilthread, ~0UL);
    CHECK(r == 1, "creating an inactive thread returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_ThreadId_t other = new_tid();
    remember_child(other);
    L4_Word_t old_control;
    CHECK(tc(other, other, main_tid, L4_nilthread, ~0UL) == 1 &&
              L4_SpaceControl(other, 0, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2),
                              L4_nilthread, &old_control) == 1,
          "could not make the target space (ErrorCode %lu)", L4_ErrorCode());
    r = tc(t, other, main_tid, sigma0_tid, UTCB_AREA + 0x400);
    CHECK(r == 1, "moving and activating the thread in the other space returned %lu, ErrorCode %lu", r,
          L4_ErrorCode());
    sleep_ms(20); /* let it run into its wait */
    L4_Word_t state = L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old_control);
    CHECK(state == 6, "Schedule of the moved thread returned %lu, expected 6 (waiting for its start message)", state);
    L4_Word_t sp, ip, flags, handle;
    L4_ThreadId_t pager;
    L4_ThreadId_t result = L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &old_control, &sp, &ip, &flags,
                                                &handle, &pager);
    CHECK(L4_IsNilThread(result) && L4_ErrorCode() == L4_ERROR_INVALID_THREAD,
          "ExchangeRegisters from the old space still reached the moved thread (result %#lx, ErrorCode %lu)",
          result.raw, L4_ErrorCode());
    CHECK(delete_thread(t) == 1, "deleting the moved thread failed with ErrorCode %lu", L4_ErrorCode());
}

/* Runs in the root task's space until it is moved; its receive is then cancelled and it goes
 * on in the new space (its pager, the main thread, maps it the same pages there). */
static void migrating_thread(L4_Word_t arg)
{
    (void)arg;
    L4_Set_UserDefinedHandle(0x4a4d);
    L4_MsgTag_t tag = recv_ms(main_tid, 3000, 0);
    L4_Word_t error = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    load_msg(LABEL_REPORT, 3, error, L4_MyLocalId().raw, L4_UserDefinedHandle());
    send_ms(main_tid, 2000);
}

static void migrate_active(void)
{
    L4_ThreadId_t t = spawn(migrating_thread, 0, -1, main_tid);
    CHECK(!L4_IsNilThread(t), "no thread");
    CHECK(wait_state(t, 2, 1000), "the thread never blocked in its receive");
    L4_ThreadId_t other = new_tid();
    remember_child(other);
    L4_Word_t old_control;
    CHECK(tc(other, other, main_tid, L4_nilthread, ~0UL) == 1 &&
              L4_SpaceControl(other, 0, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2),
                              L4_nilthread, &old_control) == 1,
          "could not make the target space (ErrorCode %lu)", L4_ErrorCode());
    /* It keeps its UTCB address (its code may hold the UTCB pointer); another one is refused. */
    L4_Word_t utcb = utcb_of_slot(slot_of(t));
    EXPECT_ERROR(tc(t, other, main_tid, L4_nilthread, utcb + UTCB_SIZE), L4_ERROR_UTCB_AREA,
                 "moving an active thread to a different UTCB address");
    L4_Word_t r = tc(t, other, main_tid, L4_nilthread, ~0UL);
    CHECK(r == 1, "moving the active thread returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_child(t, 2000, &from);
    CHECK(is_label(tag, LABEL_REPORT), "the moved thread did not go on in its new space (tag %#lx)", tag.raw);
    CHECK(from.raw == t.raw, "report came from %#lx, expected the unchanged global id %#lx", from.raw, t.raw);
    CHECK(mr(1) == IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE) && mr(2) == utcb && mr(3) == 0x4a4d,
          "after the move the thread saw ErrorCode %lu, local id %#lx, user-defined handle %#lx; expected canceled "
          "(%lu), its UTCB address %#lx and the handle it set before (0x4a4d)", mr(1), mr(2), mr(3),
          IPC_ERR(TERN_IPC_ERROR_CANCELED, RECV_PHASE), utcb);
}

/* X.2: the UTCB location may come before the space has areas; the thread stays inactive
 * and is activated by the call that gives it a pager once the space is initialised. */
static void new_space_with_utcb(void)
{
    L4_ThreadId_t t = new_tid();
    remember_child(t);
    L4_Word_t r = tc(t, t, main_tid, L4_nilthread, UTCB_AREA);
    CHECK(r == 1, "creating a new space with a UTCB location returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    L4_Word_t old;
    CHECK(L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old) == 2, "the thread is not inactive before its space has areas");
    CHECK(L4_SpaceControl(t, 0, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_nilthread,
                          &old) == 1,
          "SpaceControl failed with ErrorCode %lu", L4_ErrorCode());
    CHECK(L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old) == 2, "the thread became active without a pager");
    r = tc(t, t, main_tid, main_tid, ~0UL);
    CHECK(r == 1, "giving it a pager returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    sleep_ms(20);
    CHECK(L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, &old) == 6,
          "with a pager it is not waiting for its start message at the remembered UTCB");
}

static volatile L4_Word_t nil_pager_ran;

static void nil_pager_fn(L4_Word_t arg)
{
    (void)arg;
    nil_pager_ran = 1;
    report_to_main(0, 0, 0, 0);
}

static void nil_pager_waits(void)
{
    nil_pager_ran = 0;
    L4_ThreadId_t t = new_tid();
    int k = reserve_slot(t, nil_pager_fn, 0);
    CHECK(k != 0, "no slot");
    L4_Word_t r = tc(t, main_tid, main_tid, L4_nilthread, utcb_of_slot((L4_Word_t)k));
    CHECK(r == 1, "ThreadControl with a UTCB but no pager returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    set_error_code(0xee);
    CHECK(thread_state(t, 0, 0) == ~0UL && L4_ErrorCode() == L4_ERROR_INVALID_THREAD,
          "without a pager the thread is already active (ExchangeRegisters: ErrorCode %lu)", L4_ErrorCode());
    r = tc(t, main_tid, main_tid, main_tid, ~0UL);
    CHECK(r == 1, "giving it a pager returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    sleep_ms(20);
    CHECK(!nil_pager_ran, "the thread ran before it was started");
    L4_Start_SpIp(t, stack_top_of_slot((L4_Word_t)k), (L4_Word_t)thread_trampoline);
    CHECK(is_label(recv_ms(t, 1000, 0), LABEL_REPORT) && nil_pager_ran, "the thread did not run after L4_Start");
}

static volatile L4_Word_t start_sp_seen;

static void start_message_fn(L4_Word_t arg)
{
    (void)arg;
    volatile L4_Word_t marker = 1;
    start_sp_seen = (L4_Word_t)&marker;
    report_to_main(0, 0, 0, 0);
}

static void pager_start_message(void)
{
    start_sp_seen = 0;
    L4_ThreadId_t t = new_tid();
    int k = reserve_slot(t, start_message_fn, 0);
    CHECK(k != 0, "no slot");
    L4_Word_t r = tc(t, main_tid, main_tid, main_tid, utcb_of_slot((L4_Word_t)k));
    CHECK(r == 1, "activation returned %lu, ErrorCode %lu", r, L4_ErrorCode());
    sleep_ms(20);
    CHECK(start_sp_seen == 0, "the thread ran before its start message");
    L4_Word_t sp = stack_top_of_slot((L4_Word_t)k);
    load_msg(0, 2, (L4_Word_t)thread_trampoline, sp, 0);
    L4_MsgTag_t tag = send_ms(t, 1000);
    CHECK(L4_IpcSucceeded(tag), "start message failed with ErrorCode %lu", L4_ErrorCode());
    tag = recv_ms(t, 1000, 0);
    CHECK(is_label(tag, LABEL_REPORT), "the thread did not run after its start message (tag %#lx)", tag.raw);
    CHECK(start_sp_seen < sp && start_sp_seen > sp - STACK_BYTES, "it ran on stack %#lx, expected just below %#lx",
          start_sp_seen, sp);
}

static volatile L4_Word_t spin_counter;

static void counter_fn(L4_Word_t arg)
{
    (void)arg;
    for (;;)
        ++spin_counter;
}

static void delete_running(void)
{
    spin_counter = 0;
    L4_ThreadId_t t = spawn_simple(counter_fn, 0);
    CHECK(!L4_IsNilThread(t), "no thread");
    sleep_ms(20);
    CHECK(spin_counter != 0, "spinning thread did not run");
    CHECK(delete_thread(t) == 1, "delete returned 0, ErrorCode %lu", L4_ErrorCode());
    forget_thread(t);
    L4_Word_t after = spin_counter;
    sleep_ms(30);
    CHECK(spin_counter == after, "the deleted thread still runs (counter %lu -> %lu)", after, spin_counter);
}

static const struct systest thread_tests[] = {
    {"THR0001", "the root task's TCRs hold its global id 514, local id (UTCB) and sigma0 as pager", own_identity},
    {"THR0002", "ThreadControl creates and activates a thread in the own space; it runs after L4_Start",
     create_and_start},
    {"THR0003", "a new thread's TCRs hold its global id, its UTCB as local id and the given pager", new_thread_tcrs},
    {"THR0004", "ThreadControl on nil or anythread fails with invalid thread (2)", nil_dest},
    {"THR0005", "ThreadControl on interrupt and kernel thread numbers fails with invalid thread (2)", system_numbers},
    {"THR0006", "ThreadControl on numbers beyond the thread table fails with invalid thread (2)", numbers_beyond_table},
    {"THR0007", "ThreadControl on a local id fails with invalid thread (2)", local_dest},
    {"THR0008", "ThreadControl on a number in use with another version fails with invalid thread (2)", number_in_use},
    {"THR0009", "ThreadControl naming a nonexistent space fails with invalid space (3)", bad_space},
    {"THR0010", "ThreadControl naming a nonexistent scheduler fails with invalid scheduler (4), creates nothing",
     bad_scheduler},
    {"THR0011", "activation with a UTCB outside the UTCB area fails with invalid UTCB (6)", utcb_outside_area},
    {"THR0012", "activation with a misaligned UTCB fails with invalid UTCB (6)", utcb_misaligned},
    {"THR0013", "giving an active thread another UTCB fails with invalid UTCB (6)", reactivate_active},
    {"THR0014", "activation on a UTCB another thread uses fails with invalid UTCB (6)", utcb_in_use},
    {"THR0015", "a deleted thread is gone for IPC (no partner) and ExchangeRegisters (2)", delete_then_gone},
    {"THR0016", "deleting a nonexistent thread fails with invalid thread (2)", delete_missing},
    {"THR0017", "a thread cannot delete itself (invalid thread, 2)", delete_self},
    {"THR0018", "ThreadControl by an unprivileged thread fails with no privilege (1)", unprivileged_create},
    {"THR0019", "an unprivileged thread cannot delete the root task (no privilege, 1)", unprivileged_delete},
    {"THR0020", "a created but inactive thread takes no IPC and no ExchangeRegisters until activated", inactive_thread},
    {"THR0021", "ThreadControl sets the pager of an active thread", change_pager},
    {"THR0022", "moving an active thread to another space without a UTCB there fails (invalid UTCB, 6)",
     move_between_spaces},
    {"THR0040", "ThreadControl moves an inactive thread into another space and activates it there", migrate_to_space},
    {"THR0041", "a moved active thread goes on in its new space at its UTCB address, its TCRs and its receive " "cancelled",
     migrate_active},
    {"THR0023", "a UTCB location given before the space has areas is remembered; the pager activates the thread",
     new_space_with_utcb},
    {"THR0024", "a thread with a UTCB but no pager stays inactive; with a pager it runs once L4_Start starts it",
     nil_pager_waits},
    {"THR0025", "a thread activated with a pager starts at the IP and SP of its pager's start message",
     pager_start_message},
    {"THR0026", "a deleted running thread stops running", delete_running},
    {"THR0043", "creating a thread with a nil scheduler fails with invalid scheduler (4) and makes nothing",
     nil_scheduler_creates_nothing},
    {"THR0042", "a thread activated on a freed UTCB finds none of the words its predecessor left there",
     reused_utcb_starts_clean},
};
SYSTEST_GROUP(thread) = {"thread", thread_tests, SYSTEST_COUNT(thread_tests)};
