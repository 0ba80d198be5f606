/* SPDX-License-Identifier: MIT */
/* PGR: pagers above the kernel, written with libl4's pager library (l4/pager.h) and the
 * region pager of docs/pager.md (servers/pager). Pagers run in spaces of their own and
 * page further pagers: sigma0 -> root task (the main thread) -> A -> B -> client. Every
 * level maps from its own memory; the tests check where each fault arrives, that data is
 * the same at every level, and what revoking (unmap, flush, rights, grant, deletion) does
 * down the hierarchy. Then two memory policies side by side: a demand pager and a
 * real-time one that maps everything before its client starts.
 *
 * All threads run code of this image: every pager maps the image to its clients at the
 * same addresses from its own mapping of it, so the image's data is memory shared by all
 * levels (the pagers' fault logs below are read by the main thread directly). The main
 * thread never blocks in a call to a thread it pages: it sends, then serves page faults
 * until the answer comes, all with finite timeouts. */
#include <l4/pager.h>

#include "region_pager.h"
#include "systest.h"

/* Virtual layout of this group: far above the other groups' windows. */
#define PGR_BASE 0x0000020000000000UL         /* 2 TiB */
#define TOP_MEMORY PGR_BASE                   /* the root task's 2 MiB from sigma0 (4 KiB pieces given) */
#define TOP_LARGE (PGR_BASE + 0x200000UL)     /* a second 2 MiB, given whole */
#define LEVEL_BASE(n) (PGR_BASE + (L4_Word_t)(n) * 0x40000000UL) /* each space's own range, 1 GiB apart */
#define PAGES(n) ((L4_Word_t)(n) * PAGE_SIZE)

/* Where in TOP_MEMORY each setup's pages are. */
#define CHAIN_TOP (TOP_MEMORY + PAGES(0))     /* 16 pages */
#define GRANT_TOP (TOP_MEMORY + PAGES(16))    /* 4 pages */
#define DELETE_TOP (TOP_MEMORY + PAGES(20))   /* 4 pages */
#define SERVE_TOP (TOP_MEMORY + PAGES(24))    /* 4 pages */
#define DEMAND_TOP (TOP_MEMORY + PAGES(64))   /* 64 pages */
#define PINNED_TOP (TOP_MEMORY + PAGES(128))  /* 64 pages */
#define CHAIN_PAGES 16
#define LOOP_PAGES 64

/* Commands of the main thread to pagers and clients (labels), and reports. */
#define CMD_READ 0x9e01UL    /* client: sum of word MR3 of MR2 pages from MR1; pager: word at MR1 */
#define CMD_WRITE 0x9e02UL   /* client: word MR3 >> 32 of page i from MR1 = (MR3 & 0xffffffff) + i, MR2 pages */
#define CMD_UNMAP 0x9e03UL   /* pager: L4_Pager_Unmap(MR1, MR2, MR3) */
#define CMD_FLUSH 0x9e04UL   /* pager: L4_Pager_Flush(MR1, MR2) */
#define CMD_STATUS 0x9e05UL  /* pager: access status of MR2 pages from MR1, 3 bits each */
#define CMD_LOOP 0x9e06UL    /* client: the memory-touch loop over MR2 pages from MR1, seed MR3, loop MR4 */
#define CMD_TOUCH 0x9e07UL   /* client: read the word at MR1 (may be refused) */
#define READY 0x7ead1UL

/* --------------------------------------------------------------- pagers and their logs */

#define LEVELS 8
#define LEVEL_LOG 160
#define PGR_STACK_BYTES 16384

struct logged_fault {
    L4_Word_t faulter, address, access;
    int refused;
};

/* A thread of one setup (pager or client): its id, its region pager, whom it starts, its log. */
struct level {
    L4_ThreadId_t tid;
    struct region_pager rp;
    L4_ThreadId_t client;      /* started by this pager when it begins (nil: none) */
    L4_Word_t client_ip, client_sp;
    int pinned;                /* start the client with everything mapped */
    L4_Word_t memory_base;     /* get memory here from the own pager first (0: none) ... */
    int memory_log2;           /* ... of this size */
    volatile L4_Word_t memory_got; /* the fpage L4_Pager_GetMemory returned */
    volatile int started;      /* 1: the client was started, -1: starting it failed */
    struct logged_fault log[LEVEL_LOG];
    volatile unsigned logged;  /* faults seen (entries beyond LEVEL_LOG are not kept) */
};

static struct level top;             /* the main thread as a pager */
static struct level levels[LEVELS];  /* threads in spaces of their own; index = stack */
static unsigned char pgr_stacks[LEVELS][PGR_STACK_BYTES] __attribute__((aligned(4096)));

static L4_Word_t stack_top(unsigned i) { return (L4_Word_t)&pgr_stacks[i][PGR_STACK_BYTES] - 8; }

static struct level *level_of(L4_Pager_t *pager)
{
    if (pager == &top.rp.pager)
        return &top;
    for (unsigned i = 0; i < LEVELS; ++i)
        if (pager == &levels[i].rp.pager)
            return &levels[i];
    return 0;
}

static struct level *my_level(void)
{
    L4_ThreadId_t me = L4_Myself();
    for (unsigned i = 0; i < LEVELS; ++i)
        if (levels[i].tid.raw == me.raw)
            return &levels[i];
    return 0;
}

/* The region pager's policy, with every fault written to the level's log. */
static L4_Fpage_t logging_resolve(L4_Pager_t *pager, L4_PagerFault_t *fault)
{
    L4_Fpage_t page = region_pager_resolve(pager, fault);
    struct level *l = level_of(pager);
    if (l != 0) {
        unsigned n = l->logged;
        if (n < LEVEL_LOG)
            l->log[n] = (struct logged_fault){fault->faulter.raw, fault->address, fault->access, L4_IsNilFpage(page) != 0};
        l->logged = n + 1;
    }
    return page;
}

/* Page faults `level` saw from faulter in [low, low + size). */
static unsigned faults_at(const struct level *l, L4_ThreadId_t faulter, L4_Word_t low, L4_Word_t size)
{
    unsigned n = 0;
    for (unsigned i = 0; i < l->logged && i < LEVEL_LOG; ++i)
        if (l->log[i].faulter == faulter.raw && l->log[i].address - low < size)
            ++n;
    return n;
}

/* Page faults `level` saw from anybody but faulter. */
static unsigned faults_not_from(const struct level *l, L4_ThreadId_t faulter)
{
    unsigned n = 0;
    for (unsigned i = 0; i < l->logged && i < LEVEL_LOG; ++i)
        if (l->log[i].faulter != faulter.raw)
            ++n;
    return n;
}

/* The pagers' commands from the main thread (the library's hook for other messages). */
static int pager_command(L4_Pager_t *pager, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    (void)pager;
    if (from.raw != main_tid.raw)
        return L4_PAGER_UNKNOWN;
    L4_Word_t a = mr(1), b = mr(2), c = mr(3), result = 0;
    switch (L4_Label(tag)) {
    case CMD_READ: result = *(volatile L4_Word_t *)a; break;
    case CMD_UNMAP: result = L4_Pager_Unmap(a, b, c); break;
    case CMD_FLUSH: result = L4_Pager_Flush(a, b); break;
    case CMD_STATUS:
        for (L4_Word_t i = 0; i < b && i < 21; ++i)
            result |= L4_Pager_AccessStatus(a + PAGES(i), PAGE_SIZE) << (3 * i);
        break;
    default: return L4_PAGER_UNKNOWN;
    }
    report_to_main(1, result, 0, 0);
    return L4_PAGER_NO_REPLY;
}

static void setup_level(struct level *l, L4_ThreadId_t tid)
{
    l->tid = tid;
    region_pager_init(&l->rp);
    l->rp.pager.resolve = logging_resolve;
    l->rp.pager.other = pager_command;
    l->client = L4_nilthread;
    l->client_ip = l->client_sp = 0;
    l->pinned = 0;
    l->memory_base = 0;
    l->memory_log2 = 0;
    l->memory_got = 0;
    l->started = 0;
    l->logged = 0;
}

/* A pager in a space of its own: gets memory if asked, starts its client, serves. */
static void child_pager_main(void)
{
    struct level *l = my_level();
    if (l == 0)
        park();
    if (l->memory_base != 0)
        l->memory_got = L4_Pager_GetMemory(l->memory_base, l->memory_log2).raw;
    if (!L4_IsNilThread(l->client))
        l->started = region_pager_start(&l->rp, l->client, l->client_ip, l->client_sp, l->pinned, ms_time(2000))
                         ? 1
                         : -1;
    L4_Pager_Serve(&l->rp.pager);
}

/* --------------------------------------------------------------- clients */

/* Progress of the two touch loops (pages done), for the overlap test. */
static volatile L4_Word_t loop_progress[2];

/* The memory-touch loop: pass 0 reads each page's first word (what the top wrote) and
 * writes word 1; three more passes check word 1. Yields after each page, so that loops
 * of other clients run at the same time. Its report: mismatches, and the other loop's
 * progress at its start and at its end. */
static void touch_loop(L4_Word_t base, L4_Word_t pages, L4_Word_t seed, L4_Word_t which, L4_Word_t report[3])
{
    L4_Word_t mismatches = 0, other_start = loop_progress[1 - which];
    for (L4_Word_t pass = 0; pass < 4; ++pass) {
        for (L4_Word_t i = 0; i < pages; ++i) {
            volatile L4_Word_t *page = (volatile L4_Word_t *)(base + PAGES(i));
            if (pass == 0) {
                if (page[0] != seed + i)
                    ++mismatches;
                page[1] = ~(seed + i);
            } else if (page[1] != ~(seed + i)) {
                ++mismatches;
            }
            loop_progress[which] = loop_progress[which] + 1;
            L4_Yield();
        }
    }
    report[0] = mismatches;
    report[1] = other_start;
    report[2] = loop_progress[1 - which];
}

/* A client: reports READY, then does what the main thread asks, for ever. Each report is
 * a call, so the client waits for the next command from the moment the main thread has
 * the report (the commands are the replies). */
static void client_main(void)
{
    L4_Word_t report[3] = {READY, 0, 0};
    for (;;) {
        load_words(LABEL_REPORT, 3, report);
        L4_MsgTag_t tag = L4_Call_Timeouts(main_tid, ms_time(2000), L4_Never);
        while (L4_IpcFailed(tag))
            tag = L4_Receive(main_tid); /* the report was not taken: wait for a command */
        L4_Word_t a = mr(1), b = mr(2), c = mr(3), d = mr(4);
        report[0] = report[1] = report[2] = 0;
        switch (L4_Label(tag)) {
        case CMD_READ:
            for (L4_Word_t i = 0; i < b; ++i)
                report[0] += *(volatile L4_Word_t *)(a + PAGES(i) + 8 * c);
            break;
        case CMD_WRITE:
            for (L4_Word_t i = 0; i < b; ++i)
                *(volatile L4_Word_t *)(a + PAGES(i) + 8 * (c >> 32)) = (c & 0xffffffffUL) + i;
            report[0] = b;
            break;
        case CMD_TOUCH: report[0] = *(volatile L4_Word_t *)a; break;
        case CMD_LOOP: touch_loop(a, b, c, d, report); break;
        default: report[0] = ~0UL; break;
        }
    }
}

/* --------------------------------------------------------------- the main thread's side */

/* Threads of the current setup: levels[i].tid, deleted by cleanup_levels (after the group,
 * and when a setup test starts). The chain tests PGR0004..PGR0011 are the steps of one
 * scenario: each needs the one before (its faults and mappings). */
static void cleanup_levels(void)
{
    for (unsigned i = LEVELS; i-- > 0;) {
        if (!L4_IsNilThread(levels[i].tid))
            L4_ThreadControl(levels[i].tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        levels[i].tid = L4_nilthread;
    }
}

/* The main thread's pager: the image, plus the regions each setup adds. */
static void reset_top(void)
{
    setup_level(&top, main_tid);
    region_pager_add_image(&top.rp);
}

/* A thread in a new space, with the given pager, waiting for its start message; its
 * level is levels[index] (the stack too). */
static L4_ThreadId_t new_space_thread(unsigned index, L4_ThreadId_t pager)
{
    L4_ThreadId_t tid = new_tid();
    L4_Word_t old;
    if (L4_ThreadControl(tid, tid, main_tid, L4_nilthread, (void *)-1) != 1) {
        fail("could not create thread and space %lx: ErrorCode %lu", tid.raw, L4_ErrorCode());
        return L4_nilthread;
    }
    setup_level(&levels[index], tid);
    region_pager_add_image(&levels[index].rp);
    if (L4_SpaceControl(tid, 0, L4_FpageLog2(KIP_AREA, KIP_AREA_LOG2), L4_FpageLog2(UTCB_AREA, UTCB_AREA_LOG2), L4_nilthread,
                        &old) != 1 ||
        L4_ThreadControl(tid, tid, main_tid, pager, (void *)UTCB_AREA) != 1) {
        fail("could not set up space of %lx: ErrorCode %lu", tid.raw, L4_ErrorCode());
        return L4_nilthread;
    }
    return tid;
}

/* Receives until something that is not a page fault the top pager answers arrives (a
 * report, a refused fault) or ms pass; returns it (E set on timeout). */
static L4_MsgTag_t serve_until(L4_Word_t ms, L4_ThreadId_t *from)
{
    L4_Word_t deadline = now_us() + ms * 1000;
    for (;;) {
        L4_Word_t now = now_us();
        L4_Word_t left = now >= deadline ? 1 : (deadline - now) / 1000 + 1;
        L4_MsgTag_t tag = recv_ms(L4_anythread, left, from);
        if (L4_IpcFailed(tag) || L4_Pager_Handle(&top.rp.pager, *from, tag) != L4_PAGER_REPLY)
            return tag;
    }
}

/* Waits for a report from `from`, serving faults; its words in w[0..2]. */
static int await_report(L4_ThreadId_t who, L4_Word_t ms, L4_Word_t *w, const char *what)
{
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_until(ms, &from);
    if (L4_IpcFailed(tag)) {
        fail("%s: no answer from %lx in %lu ms (ErrorCode %lu)", what, who.raw, ms, L4_ErrorCode());
        return 0;
    }
    if (!is_label(tag, LABEL_REPORT) || from.raw != seen_as(who).raw) {
        fail("%s: got tag %#lx from %lx (MR1 %#lx MR2 %#lx), expected a report from %lx", what, tag.raw, from.raw, mr(1),
             mr(2), who.raw);
        return 0;
    }
    for (int i = 0; i < 3; ++i)
        w[i] = mr(i + 1);
    return 1;
}

/* The pager of `l` may not have stored whether it started its client yet when the
 * client already runs: waits up to ms for it (serving faults meanwhile). */
static int started(const struct level *l, L4_Word_t ms)
{
    L4_Word_t deadline = now_us() + ms * 1000;
    while (l->started == 0 && now_us() < deadline) {
        L4_ThreadId_t from;
        serve_until(2, &from);
    }
    return l->started;
}

/* Sends a command to a client or pager and waits for its report (first word returned). */
static int command(L4_ThreadId_t to, L4_Word_t label, L4_Word_t a, L4_Word_t b, L4_Word_t c, L4_Word_t *result)
{
    L4_Word_t words[4] = {a, b, c, 0};
    load_words(label, 4, words);
    if (L4_IpcFailed(send_ms(to, 1000))) {
        fail("command %#lx to %lx could not be sent: ErrorCode %lu", label, to.raw, L4_ErrorCode());
        return 0;
    }
    L4_Word_t w[3];
    if (!await_report(to, 3000, w, "command"))
        return 0;
    if (result != 0)
        *result = w[0];
    return 1;
}

static L4_Word_t pattern(L4_Word_t page, L4_Word_t word) { return 0x5047520000000000UL | page << 16 | word; }

static void fill(L4_Word_t base, L4_Word_t pages)
{
    for (L4_Word_t p = 0; p < pages; ++p)
        for (L4_Word_t w = 0; w < 512; ++w)
            ((volatile L4_Word_t *)(base + PAGES(p)))[w] = pattern(p, w);
}

static L4_Word_t expected_sum(L4_Word_t base, L4_Word_t pages, L4_Word_t word)
{
    L4_Word_t sum = 0;
    for (L4_Word_t p = 0; p < pages; ++p)
        sum += ((volatile L4_Word_t *)(base + PAGES(p)))[word];
    return sum;
}

/* --------------------------------------------------------------- library basics */

static int have_memory;

static void get_memory_from_sigma0(void)
{
    start_watchdog(3000); /* the sigma0 request waits with timeout never */
    L4_Fpage_t small = L4_Pager_GetMemory(TOP_MEMORY, 21);
    L4_Fpage_t large = L4_Pager_GetMemory(TOP_LARGE, 21);
    CHECK(!watchdog_fired, "sigma0 did not answer");
    CHECK(L4_Address(small) == TOP_MEMORY && L4_SizeLog2(small) == 21 && L4_Rights(small) == L4_ReadWriteOnly,
          "GetMemory returned %#lx, expected 2 MiB at %#lx, rw", small.raw, TOP_MEMORY);
    CHECK(!L4_IsNilFpage(large), "sigma0 refused a second 2 MiB");
    for (L4_Word_t p = 0; p < 1024; p += 97) {
        volatile L4_Word_t *word = (volatile L4_Word_t *)(TOP_MEMORY + PAGES(p) + 8 * (p % 512));
        *word = p * 3;
        CHECK(*word == p * 3, "memory at %#lx does not keep what was written", (L4_Word_t)word);
    }
    have_memory = 1;
}

static void map_items_split(void)
{
    L4_MapItem_t items[8];
    unsigned n = L4_Pager_MapItems(0x10000, 0x7f0000, 0x22000, L4_Readable, items, 8);
    /* Common alignment of 0x10000 and 0x7f0000 is 64 KiB: 2 x 64 KiB + 8 KiB. */
    static const L4_Word_t sizes[] = {0x10000, 0x10000, 0x2000};
    CHECK(n == 3, "0x22000 bytes at 0x10000 -> 0x7f0000 gave %u items, expected 3", n);
    L4_Word_t own = 0x10000, target = 0x7f0000;
    for (unsigned i = 0; i < n; ++i) {
        L4_Fpage_t f = L4_MapItemSndFpage(items[i]);
        CHECK(L4_Address(f) == own && L4_Size(f) == sizes[i] && L4_Rights(f) == L4_Readable &&
                  L4_MapItemSndBase(items[i]) == target,
              "item %u: fpage %#lx send base %#lx, expected %#lx bytes at %#lx to %#lx", i, f.raw,
              L4_MapItemSndBase(items[i]), sizes[i], own, target);
        own += sizes[i];
        target += sizes[i];
    }
    CHECK(L4_Pager_MapItems(0x1000, 0x2000, 0x4000, 7, items, 2) == 0, "more pieces than room did not give 0");
    n = L4_Pager_MapItems(0x200000, 0x40200000, 0x400000, 7, items, 8);
    CHECK(n == 2 && L4_SizeLog2(L4_MapItemSndFpage(items[0])) == 21,
          "4 MiB at 2 MiB alignment gave %u items of %lu bits", n, L4_SizeLog2(L4_MapItemSndFpage(items[0])));
}

/* --------------------------------------------------------------- sigma0 -> root -> A -> B -> client */

enum { CHAIN_A, CHAIN_B, CHAIN_C };
#define A_POOL LEVEL_BASE(1)
#define B_POOL (LEVEL_BASE(2) + PAGES(48)) /* not at the same offset as A's: other addresses */
#define C_POOL (LEVEL_BASE(3) + PAGES(16))
static int chain_up;
static L4_ThreadId_t chain_a, chain_b, chain_c;

static void chain_start(void)
{
    chain_up = 0;
    CHECK(have_memory, "PGR0001 got no memory");
    cleanup_levels();
    reset_top();
    fill(CHAIN_TOP, CHAIN_PAGES);
    region_pager_add(&top.rp, A_POOL, CHAIN_TOP, PAGES(CHAIN_PAGES), L4_ReadWriteOnly);
    chain_a = new_space_thread(CHAIN_A, main_tid);
    CHECK(!L4_IsNilThread(chain_a), "no A");
    chain_b = new_space_thread(CHAIN_B, chain_a);
    CHECK(!L4_IsNilThread(chain_b), "no B");
    chain_c = new_space_thread(CHAIN_C, chain_b);
    CHECK(!L4_IsNilThread(chain_c), "no client");
    struct level *a = &levels[CHAIN_A], *b = &levels[CHAIN_B];
    region_pager_add(&a->rp, B_POOL, A_POOL, PAGES(CHAIN_PAGES), L4_ReadWriteOnly);
    region_pager_add(&b->rp, C_POOL, B_POOL, PAGES(CHAIN_PAGES), L4_ReadWriteOnly);
    a->client = chain_b;
    a->client_ip = (L4_Word_t)child_pager_main;
    a->client_sp = stack_top(CHAIN_B);
    b->client = chain_c;
    b->client_ip = (L4_Word_t)client_main;
    b->client_sp = stack_top(CHAIN_C);
    CHECK(region_pager_start(&top.rp, chain_a, (L4_Word_t)child_pager_main, stack_top(CHAIN_A), 0, ms_time(1000)),
          "the root task could not start A: ErrorCode %lu", L4_ErrorCode());
    L4_Word_t w[3];
    if (!await_report(chain_c, 5000, w, "client start"))
        return;
    CHECK(w[0] == READY, "the client reported %#lx", w[0]);
    CHECK(started(a, 1000) == 1 && started(b, 1000) == 1, "A started B: %d, B started the client: %d", a->started,
          b->started);
    chain_up = 1;
}

static void chain_reads_top_data(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    L4_Word_t sum = 0;
    CHECK(command(chain_c, CMD_READ, C_POOL, CHAIN_PAGES, 5, &sum), "no answer");
    CHECK(sum == expected_sum(CHAIN_TOP, CHAIN_PAGES, 5), "the client read sum %#lx, the root task has %#lx", sum,
          expected_sum(CHAIN_TOP, CHAIN_PAGES, 5));
}

static void chain_writes_reach_top(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    CHECK(command(chain_c, CMD_WRITE, C_POOL, CHAIN_PAGES, 9UL << 32 | 0xc0de00, 0), "no answer");
    for (L4_Word_t p = 0; p < CHAIN_PAGES; ++p) {
        L4_Word_t value = ((volatile L4_Word_t *)(CHAIN_TOP + PAGES(p)))[9];
        CHECK(value == 0xc0de00 + p, "word 9 of page %lu is %#lx at the root task, the client wrote %#lx", p, value,
              0xc0de00 + p);
    }
}

static void chain_faults_at_right_pager(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    const struct level *a = &levels[CHAIN_A], *b = &levels[CHAIN_B];
    unsigned at_b = faults_at(b, chain_c, C_POOL, PAGES(CHAIN_PAGES));
    unsigned at_a = faults_at(a, chain_b, B_POOL, PAGES(CHAIN_PAGES));
    unsigned at_top = faults_at(&top, chain_a, A_POOL, PAGES(CHAIN_PAGES));
    CHECK(at_b == CHAIN_PAGES && at_a == CHAIN_PAGES && at_top == CHAIN_PAGES,
          "pool faults: client's at B %u, B's at A %u, A's at the root task %u; expected %d each", at_b, at_a, at_top,
          CHAIN_PAGES);
    CHECK(faults_not_from(b, chain_c) == 0 && faults_not_from(a, chain_b) == 0 && faults_not_from(&top, chain_a) == 0,
          "faults from strangers: at B %u, at A %u, at the root task %u", faults_not_from(b, chain_c),
          faults_not_from(a, chain_b), faults_not_from(&top, chain_a));
    CHECK(faults_at(a, chain_c, 0, USER_END) == 0 && faults_at(&top, chain_c, 0, USER_END) == 0 &&
              faults_at(&top, chain_b, 0, USER_END) == 0,
          "a fault skipped a level");
    for (unsigned i = 0; i < b->logged && i < LEVEL_LOG; ++i)
        CHECK(!b->log[i].refused, "B refused a fault at %#lx", b->log[i].address);
}

/* Counts of pool faults at B (from the client), A (from B) and the top (from A). */
static void chain_counts(unsigned *at_b, unsigned *at_a, unsigned *at_top)
{
    *at_b = faults_at(&levels[CHAIN_B], chain_c, C_POOL, PAGES(CHAIN_PAGES));
    *at_a = faults_at(&levels[CHAIN_A], chain_b, B_POOL, PAGES(CHAIN_PAGES));
    *at_top = faults_at(&top, chain_a, A_POOL, PAGES(CHAIN_PAGES));
}

/* After A revoked (flush = 0) or flushed its pool: the client reads again; checks the
 * data and where the new faults arrived. */
static void chain_refault(int flush)
{
    CHECK(chain_up, "no chain (PGR0003)");
    unsigned b0, a0, t0, b1, a1, t1;
    chain_counts(&b0, &a0, &t0);
    L4_Word_t status = 0;
    CHECK(command(chain_a, flush ? CMD_FLUSH : CMD_UNMAP, A_POOL, PAGES(CHAIN_PAGES), L4_FullyAccessible, &status),
          "A did not answer");
    L4_Word_t sum = 0;
    CHECK(command(chain_c, CMD_READ, C_POOL, CHAIN_PAGES, 9, &sum), "no answer from the client");
    chain_counts(&b1, &a1, &t1);
    CHECK(sum == expected_sum(CHAIN_TOP, CHAIN_PAGES, 9), "after the revocation the client read sum %#lx, the root "
          "task has %#lx", sum, expected_sum(CHAIN_TOP, CHAIN_PAGES, 9));
    CHECK(b1 - b0 == CHAIN_PAGES, "the client faulted %u times at B afterwards, expected %d", b1 - b0, CHAIN_PAGES);
    CHECK(a1 - a0 == CHAIN_PAGES, "B faulted %u times at A afterwards, expected %d", a1 - a0, CHAIN_PAGES);
    CHECK(t1 - t0 == (flush ? CHAIN_PAGES : 0), "A faulted %u times at the root task afterwards, expected %d", t1 - t0,
          flush ? CHAIN_PAGES : 0);
}

static void chain_unmap_at_a(void) { chain_refault(0); }
static void chain_flush_at_a(void) { chain_refault(1); }

static void chain_rights_reduction(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    L4_Pager_Unmap(CHAIN_TOP, PAGES(CHAIN_PAGES), L4_Writable);
    unsigned b0 = levels[CHAIN_B].logged;
    L4_Word_t sum = 0;
    CHECK(command(chain_c, CMD_READ, C_POOL, CHAIN_PAGES, 9, &sum), "no answer to the read");
    CHECK(levels[CHAIN_B].logged == b0, "reading after the write right was taken faulted %u times",
          levels[CHAIN_B].logged - b0);
    CHECK(sum == expected_sum(CHAIN_TOP, CHAIN_PAGES, 9), "read sum %#lx, expected %#lx", sum,
          expected_sum(CHAIN_TOP, CHAIN_PAGES, 9));
    CHECK(command(chain_c, CMD_WRITE, C_POOL, CHAIN_PAGES, 11UL << 32 | 0xbeef00, 0), "no answer to the write");
    unsigned writes = 0;
    const struct level *b = &levels[CHAIN_B];
    for (unsigned i = b0; i < b->logged && i < LEVEL_LOG; ++i)
        if (b->log[i].faulter == chain_c.raw && b->log[i].address - C_POOL < PAGES(CHAIN_PAGES) &&
            b->log[i].access == L4_Writable)
            ++writes;
    CHECK(writes == CHAIN_PAGES, "%u write faults from the client at B, expected %d (one per page)", writes,
          CHAIN_PAGES);
    for (L4_Word_t p = 0; p < CHAIN_PAGES; ++p)
        CHECK(((volatile L4_Word_t *)(CHAIN_TOP + PAGES(p)))[11] == 0xbeef00 + p, "page %lu: the write did not arrive",
              p);
}

static void chain_access_bits_at_b(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    L4_Word_t bits = 0, again = 0;
    CHECK(command(chain_b, CMD_STATUS, B_POOL, 3, 0, 0), "B did not answer"); /* resets */
    CHECK(command(chain_c, CMD_READ, C_POOL + PAGES(1), 1, 0, 0), "no read");
    CHECK(command(chain_c, CMD_WRITE, C_POOL + PAGES(2), 1, 3UL << 32 | 77, 0), "no write");
    CHECK(command(chain_b, CMD_STATUS, B_POOL, 3, 0, &bits), "B did not answer");
    CHECK(command(chain_b, CMD_STATUS, B_POOL, 3, 0, &again), "B did not answer");
    L4_Word_t untouched = bits & 7, read = bits >> 3 & 7, written = bits >> 6 & 7;
    CHECK(untouched == 0 && (read & L4_Readable) && !(read & L4_Writable) && written == (L4_Readable | L4_Writable),
          "B saw status %#lx (untouched page), %#lx (read), %#lx (written); expected 0, r, rw", untouched, read, written);
    CHECK(again == 0, "the second query still saw status %#lx: not reset", again);
}

static void chain_access_bits_at_top(void)
{
    CHECK(chain_up, "no chain (PGR0003)");
    L4_Pager_AccessStatus(CHAIN_TOP, PAGES(CHAIN_PAGES));
    CHECK(command(chain_c, CMD_WRITE, C_POOL + PAGES(5), 1, 0x123, 0), "no write");
    L4_Word_t written = L4_Pager_AccessStatus(CHAIN_TOP + PAGES(5), PAGE_SIZE);
    L4_Word_t untouched = L4_Pager_AccessStatus(CHAIN_TOP + PAGES(6), PAGE_SIZE);
    CHECK(written == (L4_Readable | L4_Writable) && untouched == 0,
          "the root task saw %#lx for the page the client wrote (through A and B), %#lx for one nobody touched",
          written, untouched);
}

/* --------------------------------------------------------------- grant */

#define G_POOL LEVEL_BASE(4)
#define K_POOL LEVEL_BASE(5)
enum { GRANTER, GRANTEE };

static L4_ThreadId_t granter, grantee;

/* root -> pager -> client, the pager's region as given; returns 1 when the client is ready. */
static int two_levels(unsigned pager_index, unsigned client_index, L4_Word_t top_memory, L4_Word_t pager_pool,
                      L4_Word_t client_pool, L4_Word_t pages, L4_ThreadId_t *pager, L4_ThreadId_t *client,
                      struct region **region)
{
    cleanup_levels();
    reset_top();
    fill(top_memory, pages);
    region_pager_add(&top.rp, pager_pool, top_memory, PAGES(pages), L4_ReadWriteOnly);
    *pager = new_space_thread(pager_index, main_tid);
    *client = L4_IsNilThread(*pager) ? L4_nilthread : new_space_thread(client_index, *pager);
    if (L4_IsNilThread(*client))
        return 0;
    struct level *p = &levels[pager_index];
    *region = region_pager_add(&p->rp, client_pool, pager_pool, PAGES(pages), L4_ReadWriteOnly);
    p->client = *client;
    p->client_ip = (L4_Word_t)client_main;
    p->client_sp = stack_top(client_index);
    if (!region_pager_start(&top.rp, *pager, (L4_Word_t)child_pager_main, stack_top(pager_index), 0, ms_time(1000))) {
        fail("could not start the pager: ErrorCode %lu", L4_ErrorCode());
        return 0;
    }
    L4_Word_t w[3];
    return await_report(*client, 5000, w, "client start") && w[0] == READY;
}

static int grant_up;

static void grant_gives_page_away(void)
{
    grant_up = 0;
    CHECK(have_memory, "PGR0001 got no memory");
    struct region *r = 0;
    CHECK(two_levels(GRANTER, GRANTEE, GRANT_TOP, G_POOL, K_POOL, 4, &granter, &grantee, &r), "no setup");
    r->grant = 1;
    L4_Word_t value = 0;
    CHECK(command(grantee, CMD_READ, K_POOL, 1, 3, &value), "no answer from the client");
    CHECK(value == pattern(0, 3), "the client read %#lx from the granted page, expected %#lx", value, pattern(0, 3));
    CHECK(faults_at(&levels[GRANTER], grantee, K_POOL, PAGE_SIZE) == 1, "the client faulted %u times at the granter",
          faults_at(&levels[GRANTER], grantee, K_POOL, PAGE_SIZE));
    unsigned before = faults_at(&top, granter, G_POOL, PAGE_SIZE);
    CHECK(command(granter, CMD_READ, G_POOL + 8 * 3, 0, 0, &value), "no answer from the granter");
    CHECK(faults_at(&top, granter, G_POOL, PAGE_SIZE) == before + 1,
          "the granter read the page it granted without a fault (faults at the root task %u, before %u)",
          faults_at(&top, granter, G_POOL, PAGE_SIZE), before);
    CHECK(value == pattern(0, 3), "the granter now reads %#lx", value);
    grant_up = 1;
}

static void grant_revoked_by_granters_pager(void)
{
    CHECK(grant_up, "no grant (PGR0012)");
    unsigned before = faults_at(&levels[GRANTER], grantee, K_POOL, PAGE_SIZE);
    L4_Pager_Unmap(GRANT_TOP, PAGE_SIZE, L4_FullyAccessible);
    ((volatile L4_Word_t *)GRANT_TOP)[4] = 0x5a5a;
    L4_Word_t value = 0;
    CHECK(command(grantee, CMD_READ, K_POOL, 1, 4, &value), "no answer from the client");
    CHECK(faults_at(&levels[GRANTER], grantee, K_POOL, PAGE_SIZE) == before + 1,
          "the client read its granted page without a fault after the root task revoked it");
    CHECK(value == 0x5a5a, "the client read %#lx, the root task wrote 0x5a5a", value);
}

/* --------------------------------------------------------------- deletion */

#define P_POOL LEVEL_BASE(6)
#define Q_POOL LEVEL_BASE(7)

static void deleting_pager_revokes(void)
{
    CHECK(have_memory, "PGR0001 got no memory");
    L4_ThreadId_t pager, client;
    struct region *r;
    CHECK(two_levels(0, 1, DELETE_TOP, P_POOL, Q_POOL, 4, &pager, &client, &r), "no setup");
    L4_Word_t sum = 0;
    CHECK(command(client, CMD_READ, Q_POOL, 4, 1, &sum), "no answer");
    CHECK(sum == expected_sum(DELETE_TOP, 4, 1), "read sum %#lx, expected %#lx", sum, expected_sum(DELETE_TOP, 4, 1));
    CHECK(L4_ThreadControl(pager, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1) == 1,
          "deleting the pager failed: ErrorCode %lu", L4_ErrorCode());
    levels[0].tid = L4_nilthread;
    CHECK(L4_ThreadControl(client, client, L4_nilthread, main_tid, (void *)-1) == 1,
          "making the root task the client's pager failed: ErrorCode %lu", L4_ErrorCode());
    unsigned before = top.logged;
    load_msg(CMD_READ, 3, Q_POOL, 4, 1);
    CHECK(L4_IpcSucceeded(send_ms(client, 1000)), "the client did not take the command: ErrorCode %lu",
          L4_ErrorCode());
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_until(2000, &from);
    /* The root task has no region for the client's pool: that fault comes back refused. */
    CHECK(is_page_fault(tag) && from.raw == client.raw, "expected the client's fault on its pool, got tag %#lx from "
          "%lx (MR1 %#lx)", tag.raw, from.raw, mr(1));
    CHECK(mr(1) == Q_POOL + 8, "the client faulted at %#lx, expected its first pool word read %#lx", mr(1), Q_POOL + 8);
    CHECK(faults_at(&top, client, image_low, image_high - image_low) > 0 && top.logged > before,
          "the client's image pages (code, stack) stayed mapped after its pager's space was deleted");
}

/* --------------------------------------------------------------- the library's robustness */

static struct {
    volatile L4_Word_t tag, mr1, mr2, error;
} call_result;

/* Calls `to` with the message in the arguments (label, words) and records the answer. */
static L4_ThreadId_t bad_target;
static L4_Word_t bad_label, bad_words, bad_typed;

static void bad_caller(L4_Word_t arg)
{
    (void)arg;
    L4_MsgTag_t tag = {.raw = 0};
    L4_Set_Label(&tag, bad_label);
    tag.raw |= bad_words | bad_typed << 6;
    L4_Set_MsgTag(tag);
    for (L4_Word_t i = 1; i <= bad_words + bad_typed; ++i)
        L4_LoadMR((int)i, i == bad_words + 1 ? 0x8 /* a map item's first word */ : 0x1000 * i);
    L4_MsgTag_t answer = L4_Call_Timeouts(bad_target, ms_time(1000), ms_time(1000));
    call_result.tag = answer.raw;
    call_result.error = L4_IpcFailed(answer) ? L4_ErrorCode() : 0;
    call_result.mr1 = mr(1);
    call_result.mr2 = mr(2);
    report_to_main(0, 0, 0, 0);
}

/* A thread of the root task calls the pager with the message; waits for its report. */
static int bad_call(L4_ThreadId_t pager, L4_Word_t label, L4_Word_t words, L4_Word_t typed)
{
    bad_target = pager;
    bad_label = label;
    bad_words = words;
    bad_typed = typed;
    call_result.tag = ~0UL;
    L4_ThreadId_t t = spawn(bad_caller, 0, -1, sigma0_tid);
    if (L4_IsNilThread(t))
        return 0;
    L4_Word_t w[3];
    int ok = await_report(t, 3000, w, "caller");
    kill_thread(t);
    return ok;
}

static L4_ThreadId_t serve_pager, serve_client;

static int serve_setup(void)
{
    struct region *r;
    return two_levels(0, 1, SERVE_TOP, P_POOL, Q_POOL, 4, &serve_pager, &serve_client, &r);
}

static void unknown_message_error_reply(void)
{
    CHECK(have_memory, "PGR0001 got no memory");
    CHECK(serve_setup(), "no setup");
    CHECK(bad_call(serve_pager, LABEL_PING, 1, 0), "no call");
    L4_MsgTag_t tag = {.raw = call_result.tag};
    CHECK(L4_IpcSucceeded(tag), "the call failed: ErrorCode %lu", call_result.error);
    CHECK(L4_Label(tag) == L4_PAGER_ERROR_LABEL && L4_UntypedWords(tag) == 2 && call_result.mr1 ==
              L4_PAGER_ERROR_UNKNOWN && call_result.mr2 == LABEL_PING,
          "the answer was tag %#lx, MR1 %#lx, MR2 %#lx; expected the error reply (unknown, label %#lx)", tag.raw,
          call_result.mr1, call_result.mr2, LABEL_PING);
    CHECK(levels[0].rp.pager.errors == 1, "the pager counted %lu errors", levels[0].rp.pager.errors);
    L4_Word_t sum = 0;
    CHECK(command(serve_client, CMD_READ, Q_POOL, 4, 2, &sum), "the pager's client got no service afterwards");
    CHECK(sum == expected_sum(SERVE_TOP, 4, 2), "read sum %#lx, expected %#lx", sum, expected_sum(SERVE_TOP, 4, 2));
}

static void malformed_fault_error_reply(void)
{
    CHECK(have_memory, "PGR0001 got no memory");
    CHECK(serve_setup(), "no setup");
    /* A page-fault label with 1 untyped word, then one with a typed item. */
    CHECK(bad_call(serve_pager, PF_LABEL | 4, 1, 0), "no call");
    L4_MsgTag_t tag = {.raw = call_result.tag};
    CHECK(L4_IpcSucceeded(tag) && L4_Label(tag) == L4_PAGER_ERROR_LABEL && call_result.mr1 == L4_PAGER_ERROR_MALFORMED &&
              call_result.mr2 == (PF_LABEL | 4),
          "u = 1: answer tag %#lx (ErrorCode %lu), MR1 %#lx, MR2 %#lx; expected the error reply (malformed)", tag.raw,
          call_result.error, call_result.mr1, call_result.mr2);
    /* The typed item (a map item) never reaches the library: its receive window is nil,
     * so the kernel refuses the message with message overflow (X.2, MAP0015). */
    CHECK(bad_call(serve_pager, PF_LABEL | 2, 2, 2), "no call");
    tag.raw = call_result.tag;
    CHECK(L4_IpcFailed(tag) && call_result.error == IPC_ERR(TERN_IPC_ERROR_MESSAGE_OVERFLOW, SEND_PHASE),
          "u = 2, t = 2: answer tag %#lx (ErrorCode %lu), MR1 %#lx; expected message overflow in the send phase",
          tag.raw, call_result.error, call_result.mr1);
    CHECK(levels[0].rp.pager.errors == 1 && levels[0].rp.pager.refused == 0, "the pager counted %lu errors, %lu "
          "refusals", levels[0].rp.pager.errors, levels[0].rp.pager.refused);
    L4_Word_t value = 0;
    CHECK(command(serve_pager, CMD_READ, P_POOL + 8, 0, 0, &value), "the pager does not answer commands afterwards");
    CHECK(value == pattern(0, 1), "the pager read %#lx", value);
}

static void refused_fault_no_reply(void)
{
    CHECK(have_memory, "PGR0001 got no memory");
    CHECK(serve_setup(), "no setup");
    load_msg(CMD_TOUCH, 1, Q_POOL + PAGES(4), 0, 0); /* just beyond its region */
    CHECK(L4_IpcSucceeded(send_ms(serve_client, 1000)), "no command");
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = serve_until(300, &from);
    CHECK(L4_IpcFailed(tag), "the client answered (tag %#lx from %lx, MR1 %#lx) though its fault was refused",
          tag.raw, from.raw, mr(1));
    const struct level *p = &levels[0];
    CHECK(p->rp.pager.refused == 1 && p->logged > 0 && p->log[p->logged - 1].refused &&
              p->log[p->logged - 1].address == Q_POOL + PAGES(4),
          "refused %lu, last fault at %#lx", p->rp.pager.refused, p->logged > 0 ? p->log[p->logged - 1].address : 0);
    L4_Word_t value = 0;
    CHECK(command(serve_pager, CMD_READ, P_POOL + 8 * 7, 0, 0, &value), "the pager stopped serving");
    CHECK(value == pattern(0, 7), "the pager read %#lx", value);
}

#define LARGE_POOL LEVEL_BASE(8)   /* 1 GiB aligned, so 2 MiB aligned */
#define LARGE_CLIENT LEVEL_BASE(9)

static void large_fpage_one_fault(void)
{
    CHECK(have_memory, "PGR0001 got no memory");
    L4_ThreadId_t pager, client;
    struct region *r;
    CHECK(two_levels(0, 1, TOP_LARGE, LARGE_POOL, LARGE_CLIENT, 512, &pager, &client, &r), "no setup");
    r->page_log2 = 21;
    top.rp.regions[top.rp.count - 1].page_log2 = 21;
    CHECK(command(client, CMD_WRITE, LARGE_CLIENT, 512, 7UL << 32 | 0x20000, 0), "no answer");
    unsigned at_pager = faults_at(&levels[0], client, LARGE_CLIENT, 0x200000);
    unsigned at_top = faults_at(&top, pager, LARGE_POOL, 0x200000);
    CHECK(at_pager == 1 && at_top == 1, "touching 512 pages faulted %u times at the pager, whose touch faulted %u "
          "times at the root task; expected 1 and 1", at_pager, at_top);
    for (L4_Word_t p = 0; p < 512; ++p)
        CHECK(((volatile L4_Word_t *)(TOP_LARGE + PAGES(p)))[7] == 0x20000 + p, "page %lu: the write did not arrive",
              p);
}

/* --------------------------------------------------------------- two policies side by side */

#define DEMAND_POOL LEVEL_BASE(10)
#define PINNED_POOL LEVEL_BASE(11)
#define DEMAND_CLIENT LEVEL_BASE(12)
#define PINNED_CLIENT LEVEL_BASE(13)
enum { DEMAND_PAGER, PINNED_PAGER, DEMAND_CLIENT_I, PINNED_CLIENT_I };
static int policies_up;
static L4_ThreadId_t demand_pager, pinned_pager, demand_client, pinned_client;
static L4_Word_t loop_words[2][3]; /* the loops' reports: mismatches, other's progress at start, at end */
static unsigned loop_faults[2];    /* pool faults at each client's pager during its loop */
static unsigned pinned_faults_before;

static void policies_start(void)
{
    policies_up = 0;
    CHECK(have_memory, "PGR0001 got no memory");
    cleanup_levels();
    reset_top();
    /* What the top writes is the loops' seed: page i word 0 = seed + i. */
    for (L4_Word_t i = 0; i < LOOP_PAGES; ++i) {
        ((volatile L4_Word_t *)(DEMAND_TOP + PAGES(i)))[0] = 0xd000 + i;
        ((volatile L4_Word_t *)(PINNED_TOP + PAGES(i)))[0] = 0xf000 + i;
    }
    region_pager_add(&top.rp, DEMAND_POOL, DEMAND_TOP, PAGES(LOOP_PAGES), L4_ReadWriteOnly);
    region_pager_add(&top.rp, PINNED_POOL, PINNED_TOP, PAGES(LOOP_PAGES), L4_ReadWriteOnly);
    demand_pager = new_space_thread(DEMAND_PAGER, main_tid);
    pinned_pager = new_space_thread(PINNED_PAGER, main_tid);
    CHECK(!L4_IsNilThread(demand_pager) && !L4_IsNilThread(pinned_pager), "no pagers");
    demand_client = new_space_thread(DEMAND_CLIENT_I, demand_pager);
    pinned_client = new_space_thread(PINNED_CLIENT_I, pinned_pager);
    CHECK(!L4_IsNilThread(demand_client) && !L4_IsNilThread(pinned_client), "no clients");
    struct level *d = &levels[DEMAND_PAGER], *p = &levels[PINNED_PAGER];
    region_pager_add(&d->rp, DEMAND_CLIENT, DEMAND_POOL, PAGES(LOOP_PAGES), L4_ReadWriteOnly);
    region_pager_add(&p->rp, PINNED_CLIENT, PINNED_POOL, PAGES(LOOP_PAGES), L4_ReadWriteOnly);
    d->client = demand_client;
    p->client = pinned_client;
    d->client_ip = p->client_ip = (L4_Word_t)client_main;
    d->client_sp = stack_top(DEMAND_CLIENT_I);
    p->client_sp = stack_top(PINNED_CLIENT_I);
    p->pinned = 1;
    p->memory_base = PINNED_POOL; /* the real-time pager gets all its memory before it starts */
    p->memory_log2 = 18;          /* 64 pages */
    CHECK(region_pager_start(&top.rp, pinned_pager, (L4_Word_t)child_pager_main, stack_top(PINNED_PAGER), 0,
                             ms_time(1000)) &&
              region_pager_start(&top.rp, demand_pager, (L4_Word_t)child_pager_main, stack_top(DEMAND_PAGER), 0,
                                 ms_time(1000)),
          "could not start the pagers: ErrorCode %lu", L4_ErrorCode());
    for (int ready = 0; ready < 2; ++ready) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = serve_until(8000, &from);
        CHECK(is_label(tag, LABEL_REPORT) && mr(1) == READY &&
                  (from.raw == demand_client.raw || from.raw == pinned_client.raw),
              "waiting for the clients: tag %#lx from %lx, MR1 %#lx", tag.raw, from.raw, mr(1));
    }
    CHECK(started(p, 1000) == 1 && started(d, 1000) == 1, "pinned start %d, demand start %d", p->started,
          d->started);
    CHECK(p->memory_got == L4_FpageAddRights(L4_FpageLog2(PINNED_POOL, 18), L4_ReadWriteOnly).raw,
          "L4_Pager_GetMemory returned %#lx", p->memory_got);
    policies_up = 1;
}

static void pinned_pager_got_memory(void)
{
    CHECK(policies_up, "no policies setup");
    /* One fault per page (the touch is a write, which QEMU's TCG reports as a read fault
     * first, a real processor as a write fault: both get the region's rw mapping). */
    unsigned faults = faults_at(&top, pinned_pager, PINNED_POOL, PAGES(LOOP_PAGES));
    CHECK(faults == LOOP_PAGES, "the real-time pager's L4_Pager_GetMemory made %u faults at its pager (the root task), "
          "expected one per page (%d)", faults, LOOP_PAGES);
}

static void pinned_client_never_faulted(void)
{
    CHECK(policies_up, "no policies setup");
    pinned_faults_before = levels[PINNED_PAGER].logged;
    CHECK(pinned_faults_before == 0 && levels[PINNED_PAGER].rp.pager.faults == 0,
          "the pinned client faulted %u times (first at %#lx) though everything was mapped in its start message",
          pinned_faults_before, levels[PINNED_PAGER].log[0].address);
    CHECK(levels[DEMAND_PAGER].logged > 0, "the demand-paged client started without a single fault");
}

static void loops_side_by_side(void)
{
    CHECK(policies_up, "no policies setup");
    unsigned demand0 = faults_at(&levels[DEMAND_PAGER], demand_client, DEMAND_CLIENT, PAGES(LOOP_PAGES));
    unsigned pinned0 = levels[PINNED_PAGER].logged;
    loop_progress[0] = loop_progress[1] = 0;
    L4_Word_t pinned_args[4] = {PINNED_CLIENT, LOOP_PAGES, 0xf000, 0};
    L4_Word_t demand_args[4] = {DEMAND_CLIENT, LOOP_PAGES, 0xd000, 1};
    load_words(CMD_LOOP, 4, pinned_args);
    CHECK(L4_IpcSucceeded(send_ms(pinned_client, 1000)), "the pinned client did not take the loop command");
    load_words(CMD_LOOP, 4, demand_args);
    CHECK(L4_IpcSucceeded(send_ms(demand_client, 1000)), "the demand client did not take the loop command");
    for (int done = 0; done < 2; ++done) {
        L4_ThreadId_t from = L4_nilthread;
        L4_MsgTag_t tag = serve_until(10000, &from);
        CHECK(is_label(tag, LABEL_REPORT) && (from.raw == demand_client.raw || from.raw == pinned_client.raw),
              "waiting for the loops: tag %#lx from %lx", tag.raw, from.raw);
        int which = from.raw == pinned_client.raw ? 0 : 1;
        loop_words[which][0] = mr(1);
        loop_words[which][1] = mr(2);
        loop_words[which][2] = mr(3);
        if (which == 0)
            loop_faults[0] = levels[PINNED_PAGER].logged - pinned0;
    }
    loop_faults[1] = faults_at(&levels[DEMAND_PAGER], demand_client, DEMAND_CLIENT, PAGES(LOOP_PAGES)) - demand0;
    CHECK(loop_words[0][2] > loop_words[0][1] && loop_words[1][2] > loop_words[1][1],
          "the loops did not overlap: the real-time loop saw the demand loop go from %lu to %lu pages, the demand "
          "loop saw the real-time one go from %lu to %lu", loop_words[0][1], loop_words[0][2], loop_words[1][1],
          loop_words[1][2]);
}

static void pinned_loop_no_faults(void)
{
    CHECK(policies_up && loop_words[0][2] != 0, "no loops (PGR0022)");
    CHECK(loop_faults[0] == 0 && levels[PINNED_PAGER].logged == 0,
          "the real-time client faulted %u times at its pager during its loop", loop_faults[0]);
}

static void demand_loop_faults(void)
{
    CHECK(policies_up && loop_words[1][2] != 0, "no loops (PGR0022)");
    CHECK(loop_faults[1] == LOOP_PAGES, "the demand-paged client faulted %u times on its region during its loop, "
          "expected once per page (%d)", loop_faults[1], LOOP_PAGES);
    for (unsigned i = 0; i < levels[DEMAND_PAGER].logged && i < LEVEL_LOG; ++i)
        CHECK(!levels[DEMAND_PAGER].log[i].refused, "the demand pager refused a fault at %#lx",
              levels[DEMAND_PAGER].log[i].address);
}

static void policies_same_data(void)
{
    CHECK(policies_up && loop_words[0][2] != 0 && loop_words[1][2] != 0, "no loops (PGR0022)");
    CHECK(loop_words[0][0] == 0 && loop_words[1][0] == 0, "mismatches: real-time loop %lu, demand loop %lu",
          loop_words[0][0], loop_words[1][0]);
    for (L4_Word_t i = 0; i < LOOP_PAGES; ++i) {
        CHECK(((volatile L4_Word_t *)(DEMAND_TOP + PAGES(i)))[1] == ~(0xd000 + i) &&
                  ((volatile L4_Word_t *)(PINNED_TOP + PAGES(i)))[1] == ~(0xf000 + i),
              "page %lu: the root task does not see what the clients wrote", i);
    }
}

static const struct systest pager_tests[] = {
    {"PGR0001", "L4_Pager_GetMemory gets 2 MiB from sigma0 when the caller's pager is sigma0", get_memory_from_sigma0},
    {"PGR0002", "L4_Pager_MapItems covers a range with the fewest aligned fpages", map_items_split},
    {"PGR0003", "sigma0 -> root task -> A -> B -> client: each pager starts the next with the library",
     chain_start, .needs = "PGR0001"},
    {"PGR0004", "the client reads the data the root task wrote, through A's and B's mappings",
     chain_reads_top_data, .needs = "PGR0003"},
    {"PGR0005", "what the client writes arrives in the root task's memory", chain_writes_reach_top, .needs = "PGR0004"},
    {"PGR0006", "each fault arrives at the faulter's own pager: client at B, B at A, A at the root task",
     chain_faults_at_right_pager, .needs = "PGR0005"},
    {"PGR0007", "after A unmaps its pages from its clients, the client refaults at B, B at A, not above; "
                "data unchanged",
     chain_unmap_at_a, .needs = "PGR0006"},
    {"PGR0008", "after A flushes its own pages too, the refaults reach the root task; data unchanged",
     chain_flush_at_a, .needs = "PGR0007"},
    {"PGR0009", "the root task takes w away: the client reads without a fault, writes fault at B, then work",
     chain_rights_reduction, .needs = "PGR0008"},
    {"PGR0010", "B sees r for a page its client read, rw for one it wrote, none for one untouched; reset",
     chain_access_bits_at_b, .needs = "PGR0009"},
    {"PGR0011", "the root task sees the client's write through the derived mappings of A and B",
     chain_access_bits_at_top, .needs = "PGR0010"},
    {"PGR0012", "a pager grants a page: the client has it, the pager faults on it afterwards",
     grant_gives_page_away, .needs = "PGR0001"},
    {"PGR0013", "after a grant, an unmap by the granter's own pager revokes the page from the client",
     grant_revoked_by_granters_pager, .needs = "PGR0012"},
    {"PGR0014", "deleting a pager's space revokes what it mapped: the client faults on code and data again",
     deleting_pager_revokes, .needs = "PGR0001"},
    {"PGR0015", "the library answers a message it does not know with the error reply and keeps serving",
     unknown_message_error_reply, .needs = "PGR0001"},
    {"PGR0016", "the library answers malformed page-fault messages with the error reply (one with a map item does "
     "not reach it)",
     malformed_fault_error_reply, .needs = "PGR0001"},
    {"PGR0017", "a refused fault gets no reply (the client stays blocked); the pager keeps serving",
     refused_fault_no_reply, .needs = "PGR0001"},
    {"PGR0018", "a pager maps a 2 MiB fpage: one fault at each level for 512 pages",
     large_fpage_one_fault, .needs = "PGR0001"},
    {"PGR0019", "a demand pager and a real-time pager, each in its own space, start their clients",
     policies_start, .needs = "PGR0001"},
    {"PGR0020", "the real-time pager gets its memory from its pager with L4_Pager_GetMemory: one fault per page",
     pinned_pager_got_memory, .needs = "PGR0019"},
    {"PGR0021", "the real-time pager's client never faults: all mapped in its start message",
     pinned_client_never_faulted, .needs = "PGR0019"},
    {"PGR0022", "a demand-paged and a real-time client run their touch loops at the same time",
     loops_side_by_side, .needs = "PGR0019"},
    {"PGR0023", "the real-time client's page faults at its pager during its loop: 0",
     pinned_loop_no_faults, .needs = "PGR0022"},
    {"PGR0024", "the demand-paged client faults once per page of its loop, each served by its pager",
     demand_loop_faults, .needs = "PGR0022"},
    {"PGR0025", "both policies give the same memory contents (the root task sees the clients' writes)",
     policies_same_data, .needs = "PGR0022"},
};
SYSTEST_GROUP(pager) = {"pager", pager_tests, SYSTEST_COUNT(pager_tests), .after_all = cleanup_levels};
