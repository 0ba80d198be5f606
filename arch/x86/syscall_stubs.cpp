// SPDX-License-Identifier: MIT
#include "syscall_stubs.hpp"

#include "abi.h"
#include "cpu_local.hpp"
#include "scheduler.hpp"
#include "thread.hpp"
#include "types.hpp"

// entry_fast.asm: where a kernel-mode task's stubs enter.
extern "C" void kernel_task_entry();

namespace {

// Ipc and Lipc are entered with a jump, the return address in rbx (abi.md): their stubs go
// back with jmp *%rbx; the other calls' with ret.
bool jumped_to(uint32_t number) { return number == TERN_SYSCALL_IPC || number == TERN_SYSCALL_LIPC; }

constexpr size_t entry_word = page_size - 8;  // kernel_task_entry
// The KIP's kernel_task_ipc_entry word, from the stub page (the page after the KIP).
constexpr int64_t ipc_entry_word = int64_t{TERN_KIP_KERNEL_TASK_IPC_ENTRY} - int64_t{TERN_KIP_STUBS};
constexpr size_t thread_switch_body = page_size / 2;  // out of line, beyond every slot

// The longest stub: mov eax, jmp, the continuation, cli, lea rcx, jmp [rip].
static_assert(5 + 2 + 2 + 1 + 7 + 6 <= TERN_SYSCALL_STUB_BYTES, "the ABI's stub slots are too small");

template <size_t n>
void put(uint8_t *code, size_t &at, const uint8_t (&bytes)[n])
{
    for (uint8_t byte : bytes)
        code[at++] = byte;
}

void put32(uint8_t *code, size_t &at, uint32_t value)
{
    for (unsigned i = 0; i < 4; ++i)
        code[at++] = static_cast<uint8_t>(value >> (8 * i));
}

void put64(uint8_t *code, size_t &at, uint64_t value)
{
    put32(code, at, static_cast<uint32_t>(value));
    put32(code, at, static_cast<uint32_t>(value >> 32));
}

// A rel32 jump or branch (opcode bytes given) from at to target.
template <size_t n>
void put_branch(uint8_t *code, size_t &at, const uint8_t (&opcode)[n], size_t target)
{
    put(code, at, opcode);
    put32(code, at, static_cast<uint32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(at + 4)));
}

// A kernel-mode stub's way into the kernel, its number in eax: interrupts off before the
// jump (until the kernel's swapgs the GS base is the task's, and an interrupt at a
// kernel-half rip would be taken for the kernel's), the continuation in rcx, then the jump
// through the page's entry word; at is left at the continuation.
void put_kernel_entry(uint8_t *page, size_t &at, size_t continuation)
{
    put(page, at, {0xfa});                         // cli
    put(page, at, {0x48, 0x8d, 0x0d});             // lea rcx, [rip + to the continuation]
    put32(page, at, static_cast<uint32_t>(static_cast<int64_t>(continuation) - static_cast<int64_t>(at + 4)));
    put(page, at, {0xff, 0x25});                   // jmp [rip + to the entry word]
    put32(page, at, static_cast<uint32_t>(entry_word - (at + 4)));
    at = continuation;
}

}  // namespace

void Syscall_stubs::prepare_page(uint8_t *page, Mode mode)
{
    for (size_t i = 0; i < page_size; ++i)
        page[i] = 0xcc;  // int3: nothing should run outside a stub
    if (mode == Mode::kernel_task) {
        auto entry = reinterpret_cast<uint64_t>(kernel_task_entry);
        __builtin_memcpy(page + entry_word, &entry, sizeof entry);
    }
}

// Both stubs of a call return to the same offset, continuation_offset: a thread moved to a
// space of the other mode (ThreadControl) while blocked in a system call resumes there, in
// the other page, at the right instruction.
void Syscall_stubs::write(uint8_t *page, size_t offset, uint32_t number, Mode mode)
{
    constexpr size_t continuation_offset = 7;
    constexpr size_t body_offset = continuation_offset + 2;
    size_t at = offset;
    if (mode == Mode::kernel_task && number == TERN_SYSCALL_THREAD_SWITCH) {
        // jmp to the plain-call body, which comes back to enter when the kernel must act.
        constexpr size_t enter_offset = body_offset;
        put_branch(page, at, {0xe9}, thread_switch_body);
        (void)write_thread_switch_body(page, thread_switch_body, offset + enter_offset);
        at = offset + enter_offset;
        put(page, at, {0xb8});                     // mov eax, number
        put32(page, at, number);
        put_kernel_entry(page, at, offset + continuation_offset);
    } else if (mode == Mode::kernel_task && jumped_to(number)) {
        // Ipc and Lipc resume at rbx itself: no number, no rcx (kernel_task_ipc_entry_*),
        // and the jump fits before the continuation.
        put(page, at, {0xfa});                                         // cli (see put_kernel_entry)
        put(page, at, {0xff, 0x25});                                   // jmp [rip + the KIP's word]
        put32(page, at, static_cast<uint32_t>(ipc_entry_word - static_cast<int64_t>(at + 4)));
        static_assert(1 + 6 == continuation_offset);
    } else {
        put(page, at, {0xb8});                     // mov eax, number
        put32(page, at, number);
        if (mode == Mode::ring3) {
            put(page, at, {0x0f, 0x05});           // syscall
        } else {
            put(page, at, {0xeb, 0x02});           // jmp over the continuation
            at += 2;
            put_kernel_entry(page, at, offset + continuation_offset);
        }
    }
    if (jumped_to(number))
        put(page, at, {0xff, 0xe3});               // jmp rbx
    else
        put(page, at, {0xc3});                     // ret
}

// ThreadSwitch(nilthread) is X.2's way to give up the processor: it changes nothing while no
// other thread of the caller's priority or above is ready and nothing waits at the caller's
// gate (Scheduler::yield returns, Scheduler::thread_switched only restores the delay
// budget). A kernel-mode task, in ring 0, can see that itself, so its stub does that check
// and that store as a plain call, without entering the kernel: the null system call of Kernel
// Mode Linux. It reads the kernel's data at their kernel addresses (this processor's current
// thread: one processor for now), and checks the gate again after its store: a timer tick
// between may have started a delayed preemption, which only the kernel's ThreadSwitch ends.
// Interrupts stay on: the task's rip stays in its stub, so any is the task's.
size_t Syscall_stubs::write_thread_switch_body(uint8_t *page, size_t offset, size_t enter_offset)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    constexpr uint32_t gate = offsetof(Thread, state_);
    constexpr uint32_t priority = offsetof(Thread, priority_);
    constexpr uint32_t delay_available = offsetof(Thread, preemption_delay_) + Preemption_delay::available_offset();
#pragma GCC diagnostic pop
    static_assert(Thread::running < 0x80, "compared as a sign-extended byte");
    auto current = reinterpret_cast<uint64_t>(&Cpu_local::get().current);
    auto highest_ready = reinterpret_cast<uint64_t>(&Scheduler::highest_ready_);
    auto running = static_cast<uint8_t>(Thread::running);
    size_t at = offset;
    put(page, at, {0x48, 0x85, 0xff});                         // test rdi, rdi
    put_branch(page, at, {0x0f, 0x85}, enter_offset);          // jnz enter
    put(page, at, {0xa1});                                     // mov eax, [highest_ready]
    put64(page, at, highest_ready);
    put(page, at, {0x41, 0x89, 0xc3});                         // mov r11d, eax
    put(page, at, {0x48, 0xa1});                               // mov rax, [current]
    put64(page, at, current);
    put(page, at, {0x48, 0x83, 0xb8});                         // cmp qword [rax + gate], running
    put32(page, at, gate);
    put(page, at, {running});
    put_branch(page, at, {0x0f, 0x85}, enter_offset);          // jne enter
    put(page, at, {0x0f, 0xb6, 0x88});                         // movzx ecx, byte [rax + priority]
    put32(page, at, priority);
    put(page, at, {0x44, 0x39, 0xd9});                         // cmp ecx, r11d
    put_branch(page, at, {0x0f, 0x8e}, enter_offset);          // jle enter
    put(page, at, {0xc6, 0x80});                               // mov byte [rax + delay_available], 1
    put32(page, at, delay_available);
    put(page, at, {0x01});
    put(page, at, {0x48, 0x83, 0xb8});                         // cmp qword [rax + gate], running
    put32(page, at, gate);
    put(page, at, {running});
    put_branch(page, at, {0x0f, 0x85}, enter_offset);          // jne enter
    put(page, at, {0xc3});                                     // ret
    return at;
}
