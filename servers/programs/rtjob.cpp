// SPDX-License-Identifier: MIT
// A real-time job beside Linux (docs/performance.md, "Real time beside Linux"). A thread of
// this task wakes every period (1 ms of guest time by default) and records how late it woke.
// Its stack and its samples are a region that the task's main thread pages with libl4's
// pager library (the region pager of docs/pager.md), pinned: every page is mapped in the
// thread's start message, so it never faults, and no memory the Linux personality takes or
// gives back is its. The job's code is the task's image, which the main thread touches first
// (root maps it then) and nobody takes back.
//
// Arguments: [period=MICROSECONDS] [samples=N] [shutdown]. It prints one line,
//   RT period P samples N faults F late_us worst W p99 X p50 Y mean Z
// (lateness: how long after its deadline the job ran, in microseconds of SystemClock) and,
// with "shutdown", stops the machine (the benchmark's boots; the configuration grants it).
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/pager.h>
#include <l4/thread.h>
#include <l4/tern/system.hpp>
#include <l4io.h>
#include <string.h>

#include "region_pager.h"
#include "task.hpp"

extern "C" char _stext[], _sdata[], _end[];

namespace {

constexpr L4_Word_t job_base = 0x0000200000000000UL;  // where the job sees its region
constexpr unsigned max_samples = 20000;
constexpr L4_Word_t stack_bytes = 16384;
constexpr L4_Word_t done_label = 0x7e71;

struct alignas(4096) Job_memory {  // whole pages
    L4_Word_t lateness_us[max_samples];
    alignas(16) char stack[stack_bytes];
};
// The main thread's pages that back the job's region, aligned as the region's client side
// is, so that the start message maps it in a few large fpages.
alignas(262144) Job_memory backing;
static_assert(sizeof(Job_memory) <= 262144);

L4_Word_t period_us = 1000, samples = 2000;
L4_ThreadId_t main_thread;

// Runs on the region's stack; writes the region's samples; never returns.
[[noreturn]] void job()
{
    auto *memory = reinterpret_cast<Job_memory *>(job_base);
    L4_Word_t next = L4_SystemClock().raw + period_us;
    for (L4_Word_t i = 0; i < samples; ++i) {
        L4_Word_t now = L4_SystemClock().raw;
        if (next > now)
            L4_Sleep(L4_TimePeriod(next - now));  // (under 1024 us: the period is exact)
        memory->lateness_us[i] = L4_SystemClock().raw - next;
        next += period_us;
    }
    L4_Msg_t done;
    L4_MsgClear(&done);
    L4_Set_MsgLabel(&done, done_label);
    L4_MsgLoad(&done);
    L4_Send(main_thread);
    for (;;)
        L4_Sleep(L4_Never);
}

// The word of arguments that starts with key ("period=", "shutdown"), or nullptr.
const char *word(const char *arguments, const char *key)
{
    size_t length = strlen(key);
    for (const char *at = arguments; *at != '\0'; ++at)
        if ((at == arguments || at[-1] == ' ') && strncmp(at, key, length) == 0)
            return at;
    return nullptr;
}

L4_Word_t argument(const char *arguments, const char *key, L4_Word_t fallback)
{
    const char *at = word(arguments, key);
    if (at == nullptr)
        return fallback;
    L4_Word_t value = 0;
    for (at += strlen(key); *at >= '0' && *at <= '9' && value < 100000000; ++at)
        value = value * 10 + static_cast<L4_Word_t>(*at - '0');
    return value;
}

// Shell sort (Ciura's gaps): a few hundred thousand steps for the samples.
void sort(L4_Word_t *values, L4_Word_t count)
{
    static const L4_Word_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (L4_Word_t gap : gaps)
        for (L4_Word_t i = gap; i < count; ++i) {
            L4_Word_t value = values[i], j = i;
            for (; j >= gap && values[j - gap] > value; j -= gap)
                values[j] = values[j - gap];
            values[j] = value;
        }
}

}  // namespace

int main()
{
    const char *arguments = task::args();
    period_us = argument(arguments, "period=", 1000);
    samples = argument(arguments, "samples=", 2000);
    if (period_us == 0 || period_us > 1000 || samples == 0 || samples > max_samples) {
        printf("rtjob: period must be 1-1000 us and samples 1-%u\n", max_samples);
        return 1;
    }
    main_thread = L4_Myself();
    // The code and data the job runs on are the image's: mapped now, by root, for good.
    L4_Pager_Touch(reinterpret_cast<L4_Word_t>(_stext), static_cast<L4_Word_t>(_sdata - _stext), L4_Readable);
    L4_Pager_Touch(reinterpret_cast<L4_Word_t>(_sdata), static_cast<L4_Word_t>(_end - _sdata), L4_Writable);
    static region_pager pager;
    region_pager_init(&pager);
    if (region_pager_add(&pager, job_base, reinterpret_cast<L4_Word_t>(&backing), sizeof backing,
                         L4_ReadWriteOnly) == nullptr) {
        printf("rtjob: no region\n");
        return 1;
    }
    tern::Message reply;
    if (tern::system::call(TERN_SYSTEM_THREAD, main_thread.raw, &reply) != tern::Status::ok || reply.untyped() != 1) {
        printf("rtjob: root gave no thread\n");
        return 1;
    }
    L4_ThreadId_t worker = {.raw = reply.word(0)};
    L4_Word_t stack_top = job_base + offsetof(Job_memory, stack) + stack_bytes - 8;  // as after a call
    if (!region_pager_start(&pager, worker, reinterpret_cast<L4_Word_t>(job), stack_top, 1, L4_TimePeriod(100000))) {
        printf("rtjob: the job did not start\n");
        return 1;
    }
    // Serve the job's faults (a pinned job has none: counted to show it) until it is done.
    L4_Word_t faults = 0;
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag))
            continue;
        if (L4_Pager_IsPageFault(tag)) {
            ++faults;

            (void)L4_Pager_Handle(&pager.pager, from, tag);
            continue;
        }
        // (The job is of this space: its IPC names it by its local id.)
        if (L4_Label(tag) == done_label && (L4_IsThreadEqual(from, worker) || L4_IsLocalId(from)))
            break;
    }
    L4_Word_t *late = backing.lateness_us;
    L4_Word_t sum = 0;
    for (L4_Word_t i = 0; i < samples; ++i)
        sum += late[i];
    sort(late, samples);
    printf("RT period %lu samples %lu faults %lu late_us worst %lu p99 %lu p50 %lu mean %lu\n", period_us, samples,
           faults, late[samples - 1], late[samples * 99 / 100], late[samples / 2], sum / samples);
    if (word(arguments, "shutdown") != nullptr)
        (void)tern::system::call(TERN_SYSTEM_SHUTDOWN, L4_Word_t{0});
    return 0;
}
