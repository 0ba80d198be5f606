/* SPDX-License-Identifier: MIT */
/* FUZZ: a hostile, unprivileged task calls every system call with random arguments and
 * random message registers. The kernel must answer each call without crashing, hanging or
 * corrupting anything: afterwards the task still reports, and the rest of the system works.
 * Every IPC uses zero timeouts so the task never blocks for long. A small first step
 * towards the roadmap's millions of random calls. */
#include "systest.h"

#define FUZZ_CALLS 200000
#define FUZZ_MAGIC 0xf022f022UL

static volatile L4_Word_t fuzz_calls_made;
static L4_Word_t fuzz_state = 0x9e3779b97f4a7c15UL;

static L4_Word_t next_random(void)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return fuzz_state;
}

/* Mostly plausible values (small numbers, thread ids, fpages, addresses), sometimes anything. */
static L4_Word_t random_argument(void)
{
    L4_Word_t r = next_random();
    switch (r % 8) {
    case 0: return 0;
    case 1: return ~0UL;
    case 2: return L4_GlobalId((L4_Word_t)(next_random() % 5000), (L4_Word_t)(next_random() % 4 + 1)).raw;
    case 3: return main_tid.raw;
    case 4: return next_random() & 0x7ffffffff000UL;          /* a user address */
    case 5: return L4_FpageLog2(next_random() & 0x7fffffff000UL, (int)(next_random() % 40 + 12)).raw | (r & 7);
    case 6: return next_random() & 0xffff;
    default: return next_random();
    }
}

static L4_Word_t kip_entry(L4_Word_t link)
{
    L4_Word_t base = (L4_Word_t)kip;
    return base + *(L4_Word_t *)(base + link);
}

static void fuzz_main(void)
{
    L4_Word_t result, out1, out2, out3, out4, out5, out6;
    const L4_Word_t zero_timeouts = (L4_Word_t)0x0400 << 16 | 0x0400;
    for (L4_Word_t i = 0; i < FUZZ_CALLS; ++i) {
        L4_Word_t *utcb = my_utcb();
        for (int m = 3; m < 64; ++m)
            utcb[TERN_UTCB_MR / 8 + (unsigned)m] = random_argument();
        utcb[TERN_UTCB_BR / 8] = random_argument();
        switch (next_random() % 11) {
        case 0:
        case 1:
            __tern_syscall_ipc(kip_entry(TERN_KIP_LINK_IPC), random_argument(), random_argument(), zero_timeouts,
                               next_random(), random_argument(), random_argument(), &result, &out1, &out2, &out3);
            break;
        case 2:
            __tern_syscall_lipc(kip_entry(TERN_KIP_LINK_LIPC), random_argument() & ~63UL, random_argument(),
                                zero_timeouts, next_random(), random_argument(), random_argument(), &result, &out1,
                                &out2, &out3);
            break;
        case 3:
            __tern_syscall_thread_control(kip_entry(TERN_KIP_LINK_THREAD_CONTROL), random_argument(),
                                          random_argument(), random_argument(), random_argument(), random_argument(),
                                          &result);
            break;
        case 4:
            __tern_syscall_space_control(kip_entry(TERN_KIP_LINK_SPACE_CONTROL), random_argument(), random_argument(),
                                         random_argument(), random_argument(), random_argument(), &result, &out1);
            break;
        case 5:
            __tern_syscall_schedule(kip_entry(TERN_KIP_LINK_SCHEDULE), random_argument(), random_argument(),
                                    random_argument(), random_argument(), random_argument(), &result, &out1);
            break;
        case 6:
            /* ExchangeRegisters without the bits that would send this very thread astray (new
             * IP, SP, flags, pager, or a halt): those are for its parent to use. */
            __tern_syscall_exchange_registers(kip_entry(TERN_KIP_LINK_EXCHANGE_REGISTERS), random_argument(),
                                              random_argument() & 0x246, random_argument(), random_argument(),
                                              random_argument(), random_argument(), random_argument(), &result,
                                              &out1, &out2, &out3, &out4, &out5, &out6);
            break;
        case 7:
            __tern_syscall_thread_switch(kip_entry(TERN_KIP_LINK_THREAD_SWITCH), random_argument());
            break;
        case 8:
            /* Unmap without flushing this task's own code and stack away: its MRs say what. */
            __tern_syscall_unmap(kip_entry(TERN_KIP_LINK_UNMAP), next_random() & 63);
            break;
        case 9:
            __tern_syscall_processor_control(kip_entry(TERN_KIP_LINK_PROCESSOR_CONTROL), random_argument(),
                                             random_argument(), random_argument(), random_argument(), &result);
            break;
        default:
            __tern_syscall_memory_control(kip_entry(TERN_KIP_LINK_MEMORY_CONTROL), random_argument(),
                                          random_argument(), random_argument(), random_argument(), random_argument(),
                                          &result);
            break;
        }
        fuzz_calls_made = i + 1;
    }
    load_msg(LABEL_REPORT, 2, FUZZ_MAGIC, fuzz_calls_made, 0);
    for (;;)
        send_ms(main_tid, 1000);
}

static void random_calls_do_no_harm(void)
{
    fuzz_calls_made = 0;
    /* The task's random sends reach this thread while it serves the task: accept no map
     * items meanwhile, or they would (legitimately) replace this space's own pages. */
    L4_Word_t *utcb = my_utcb();
    L4_Word_t acceptor = utcb[TERN_UTCB_BR / 8];
    utcb[TERN_UTCB_BR / 8] = 0;
    L4_ThreadId_t child = spawn_child(fuzz_main, 0);
    CHECK(!L4_IsNilThread(child), "no fuzzing task");
    L4_MsgTag_t tag = L4_Niltag;
    L4_ThreadId_t from = L4_nilthread;
    /* The task's random sends arrive too, some failing (a string item is refused, for
     * instance): wait for its real report, or for silence. */
    for (int tries = 0; tries < 100000; ++tries) {
        tag = serve_child(child, 20000, &from);
        if (L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE))
            break;
        if (L4_IpcSucceeded(tag) && is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_MAGIC)
            break;
    }
    utcb[TERN_UTCB_BR / 8] = acceptor;
    L4_Word_t time_control;
    L4_Word_t state = L4_Schedule(child, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    CHECK(is_label(tag, LABEL_REPORT) && mr(1) == FUZZ_MAGIC,
          "the fuzzing task did not finish: %lu of %u calls made (tag %#lx, its state %lu, last fault at %#lx)",
          fuzz_calls_made, FUZZ_CALLS, tag.raw, state,
          fault_log_count > 0 ? fault_log[(fault_log_count - 1) % FAULT_LOG].address : 0);
    CHECK(mr(2) == FUZZ_CALLS, "the task reports %lu calls, expected %u", mr(2), FUZZ_CALLS);
    /* The system still works: a new thread answers, sigma0 still answers. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the fuzzing");
    L4_Fpage_t page = L4_Sigma0_GetAny(sigma0_tid, 12, L4_CompleteAddressSpace);
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the fuzzing");
}

/* ------------------------------------------------------------------ FUZZ0002 */

/* Two hostile tasks (two unprivileged spaces) trade random messages with random map, grant
 * and string items, receive with random acceptors and buffer strings, unmap and flush
 * random parts of their memory and touch it again, all with short timeouts. Their own
 * memory for this is a scratch area of the image each (their pager, the main thread,
 * serves faults there, so a page granted or flushed away simply comes back). */
#define TRADE_ROUNDS 20000
#define SCRATCH_BYTES (256UL * 1024)
#define TRADE_MAGIC 0x7ade7adeUL

static unsigned char scratch[2][SCRATCH_BYTES] __attribute__((aligned(256 * 1024)));
static volatile L4_Word_t trader[2];
static volatile L4_Word_t trades_made[2];

static L4_Word_t step(L4_Word_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* A random aligned fpage of 4 KiB to 256 KiB inside this trader's scratch area. */
static L4_Fpage_t scratch_fpage(int me, L4_Word_t *state)
{
    int log2 = 12 + (int)(step(state) % 7);
    L4_Word_t offset = step(state) & (SCRATCH_BYTES - 1) & ~((1UL << log2) - 1);
    L4_Fpage_t f = L4_FpageLog2((L4_Word_t)scratch[me] + offset, log2);
    L4_Set_Rights(&f, step(state) & 7);
    return f;
}

static void *scratch_address(int me, L4_Word_t *state, L4_Word_t length)
{
    return scratch[me] + (step(state) % (SCRATCH_BYTES - length));
}

static void trade(int me)
{
    L4_Word_t state = 0x2545f4914f6cdd1dUL * (L4_Word_t)(me + 1);
    L4_ThreadId_t peer = {.raw = trader[1 - me]};
    for (L4_Word_t i = 0; i < TRADE_ROUNDS; ++i) {
        if (peer.raw == 0)
            peer.raw = trader[1 - me];
        switch (step(&state) % 5) {
        case 0: { /* send typed items (and a few words) */
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            L4_Word_t words = step(&state) % 4, items = step(&state) % 4;
            for (L4_Word_t w = 0; w < words; ++w)
                L4_MsgAppendWord(&msg, step(&state));
            for (L4_Word_t k = 0; k < items; ++k) {
                L4_Word_t kind = step(&state) % 3;
                L4_Word_t base = step(&state) & 0x7ffffffff000UL;
                if (kind == 0)
                    L4_MsgAppendMapItem(&msg, L4_MapItem(scratch_fpage(me, &state), base));
                else if (kind == 1)
                    L4_MsgAppendGrantItem(&msg, L4_GrantItem(scratch_fpage(me, &state), base));
                else {
                    L4_Word_t length = step(&state) % 8192;
                    L4_MsgAppendSimpleStringItem(&msg, L4_StringItem((int)length, scratch_address(me, &state, length)));
                }
            }
            L4_MsgLoad(&msg);
            (void)L4_Send_Timeout(peer, ms_time(1));
            break;
        }
        case 1: { /* receive with a random acceptor and buffers */
            L4_MsgBuffer_t buffer;
            L4_MsgBufferClear(&buffer);
            L4_Word_t buffers = step(&state) % 3;
            for (L4_Word_t b = 0; b < buffers; ++b) {
                L4_Word_t length = step(&state) % 8192;
                L4_MsgBufferAppendSimpleRcvString(&buffer, L4_StringItem((int)length, scratch_address(me, &state, length)));
            }
            L4_Acceptor_t acceptor = L4_MapGrantItems(scratch_fpage(me, &state));
            if (step(&state) & 1)
                acceptor = L4_AddAcceptor(acceptor, L4_StringItemsAcceptor);
            L4_AcceptStrings(acceptor, &buffer);
            L4_Set_XferTimeouts(step(&state) & 1 ? 0 : (L4_Word_t)ms_time(2).raw << 16 | ms_time(2).raw);
            L4_ThreadId_t from;
            (void)L4_Wait_Timeout(ms_time(1), &from);
            L4_Accept(L4_UntypedWordsAcceptor);
            break;
        }
        case 2: /* unmap or flush part of the scratch area */
            if (step(&state) & 1)
                (void)L4_Flush(scratch_fpage(me, &state));
            else
                (void)L4_UnmapFpage(scratch_fpage(me, &state));
            break;
        case 3: { /* touch it: whatever went away is faulted in again */
            volatile L4_Word_t *word = (volatile L4_Word_t *)((L4_Word_t)scratch_address(me, &state, 8) & ~7UL);
            if (step(&state) & 1)
                *word = i;
            else
                (void)*word;
            break;
        }
        default: /* a call with a receive timeout, to meet the peer's receive */
            L4_LoadMR(0, 0);
            (void)L4_Call_Timeouts(peer, ms_time(1), ms_time(1));
            break;
        }
        trades_made[me] = i + 1;
    }
    load_msg(LABEL_REPORT, 2, TRADE_MAGIC, trades_made[me], 0);
    for (;;)
        send_ms(main_tid, 1000);
}

static void trader_a(void) { trade(0); }
static void trader_b(void) { trade(1); }

static void random_trades_do_no_harm(void)
{
    trader[0] = trader[1] = 0;
    trades_made[0] = trades_made[1] = 0;
    L4_Word_t *utcb = my_utcb();
    L4_Word_t acceptor = utcb[TERN_UTCB_BR / 8];
    utcb[TERN_UTCB_BR / 8] = 0;
    L4_ThreadId_t a = spawn_child(trader_a, 0);
    L4_ThreadId_t b = spawn_child(trader_b, 1);
    CHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b), "no trading tasks");
    trader[0] = a.raw;
    trader[1] = b.raw;
    int reported[2] = {0, 0};
    L4_MsgTag_t tag = L4_Niltag;
    L4_ThreadId_t from = L4_nilthread;
    /* Serve their faults until both report; give up when neither made progress for 20 s
     * (serve_child also returns after many faults, which is no reason to stop). */
    L4_Word_t progress = 0, last_progress_us = now_us();
    while (!(reported[0] && reported[1]) && now_us() - last_progress_us < 20000000UL) {
        tag = serve_child(L4_anythread, 2000, &from);
        if (L4_IpcSucceeded(tag) && is_label(tag, LABEL_REPORT) && mr(1) == TRADE_MAGIC)
            reported[from.raw == a.raw ? 0 : 1] = 1;
        if (trades_made[0] + trades_made[1] != progress) {
            progress = trades_made[0] + trades_made[1];
            last_progress_us = now_us();
        }
    }
    utcb[TERN_UTCB_BR / 8] = acceptor;
    L4_Word_t state_a = 0, state_b = 0, time_control;
    state_a = L4_Schedule(a, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    state_b = L4_Schedule(b, ~0UL, ~0UL, ~0UL, ~0UL, &time_control);
    const struct fault_record *last = fault_log_count > 0 ? &fault_log[(fault_log_count - 1) % FAULT_LOG] : 0;
    CHECK(reported[0] && reported[1],
          "the traders did not finish: %lu and %lu of %u rounds (last tag %#lx, states %lu %lu, last fault by %lx at "
          "%#lx ip %#lx)",
          trades_made[0], trades_made[1], TRADE_ROUNDS, tag.raw, state_a, state_b, last ? last->from : 0,
          last ? last->address : 0, last ? last->ip : 0);
    /* The system still works: a new thread answers, sigma0 still answers. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread could be made after the trading");
    L4_Fpage_t page = L4_Sigma0_GetAny(sigma0_tid, 12, L4_CompleteAddressSpace);
    CHECK(!L4_IsNilFpage(page), "sigma0 no longer hands out pages after the trading");
}

void fuzz_tests(void)
{
    run_test("FUZZ0001", "200000 random system calls from an unprivileged task leave the kernel working",
             random_calls_do_no_harm);
    run_test("FUZZ0002",
             "two hostile tasks trading 20000 rounds of random map, grant and string items, unmaps and touches "
             "leave the kernel working",
             random_trades_do_no_harm);
}
