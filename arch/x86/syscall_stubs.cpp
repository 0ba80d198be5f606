// SPDX-License-Identifier: MIT
#include "syscall_stubs.hpp"

#include "abi.h"

namespace {

constexpr size_t stub_page_size = 4096;
constexpr size_t entry_word = stub_page_size - 8;  // the kernel-mode page's kernel_task_entry
// The KIP's kernel_task_ipc_entry word, from the stub page (the page after the KIP).
constexpr int64_t ipc_entry_word = int64_t{TERN_KIP_KERNEL_TASK_IPC_ENTRY} - int64_t{TERN_KIP_STUBS};
constexpr size_t stub_alignment = 16;

constexpr uint8_t int3 = 0xcc;
constexpr uint8_t ret = 0xc3;

// Ipc and Lipc are entered with a jump, the return address in rbx (abi.md): their stubs go
// back with jmp *%rbx; the other calls' with ret.
bool jumped_to(uint32_t number) { return number == TERN_SYSCALL_IPC || number == TERN_SYSCALL_LIPC; }

// A kernel address as a sign-extended 32-bit absolute operand (the kernel's top 2 GiB).
bool fits_disp32(uint64_t address) { return static_cast<uint64_t>(static_cast<int32_t>(address)) == address; }

}  // namespace

// Bytes written at a moving offset into one page, never over its last word.
class Syscall_stubs::Code {
public:
    Code(uint8_t *page, size_t at) : page_(page), at_(at) {}
    size_t at() const { return at_; }
    // Past the page's last word, a branch out of reach, or an operand that cannot be encoded.
    bool failed() const { return failed_; }
    void fail() { failed_ = true; }

    template <size_t n>
    void put(const uint8_t (&bytes)[n])
    {
        for (uint8_t byte : bytes)
            put_byte(byte);
    }
    void put32(uint32_t value)
    {
        for (unsigned i = 0; i < 4; ++i)
            put_byte(static_cast<uint8_t>(value >> (8 * i)));
    }
    // A rel32 operand that ends here, reaching target.
    void put_rel32(size_t target) { put32(static_cast<uint32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(at_ + 4))); }
    // A short branch (opcode) whose target comes later: patch() it once known.
    size_t put_branch8(uint8_t opcode)
    {
        put_byte(opcode);
        put_byte(0);
        return at_ - 1;
    }
    void patch(size_t operand, size_t target)
    {
        int64_t distance = static_cast<int64_t>(target) - static_cast<int64_t>(operand + 1);
        if (distance < -128 || distance > 127)
            failed_ = true;
        else if (!failed_)
            page_[operand] = static_cast<uint8_t>(distance);
    }

private:
    void put_byte(uint8_t byte)
    {
        if (at_ >= entry_word)
            failed_ = true;
        else
            page_[at_++] = byte;
    }

    uint8_t *page_;
    size_t at_;
    bool failed_ = false;
};

bool Syscall_stubs::write_pages(uint8_t *ring3_page, uint8_t *kernel_task_page, const uint32_t *calls, size_t count,
                                uint64_t kernel_entry, const Yield_view &yield)
{
    if (count > max_calls)
        return false;
    for (size_t i = 0; i < stub_page_size; ++i)
        ring3_page[i] = kernel_task_page[i] = int3;  // nothing should run outside a stub
    __builtin_memcpy(kernel_task_page + entry_word, &kernel_entry, sizeof kernel_entry);
    count_ = 0;
    size_t begin = 0;
    for (size_t i = 0; i < count; ++i) {
        Code ring3(ring3_page, begin);
        Code kernel_task(kernel_task_page, begin);
        Stub &stub = stubs_[i];
        stub.number = calls[i];
        stub.begin = static_cast<uint16_t>(begin);
        stub.continuation[static_cast<size_t>(Mode::ring3)] = static_cast<uint16_t>(write_ring3(ring3, calls[i]));
        stub.continuation[static_cast<size_t>(Mode::kernel_task)] =
            static_cast<uint16_t>(write_kernel_task(kernel_task, calls[i], yield));
        if (ring3.failed() || kernel_task.failed())
            return false;
        size_t end = ring3.at() > kernel_task.at() ? ring3.at() : kernel_task.at();
        begin = (end + stub_alignment - 1) & ~(stub_alignment - 1);
        stub.end = static_cast<uint16_t>(begin);
    }
    count_ = count;
    return true;
}

size_t Syscall_stubs::link(uint32_t number)
{
    for (size_t i = 0; i < count_; ++i)
        if (stubs_[i].number == number)
            return stubs_[i].begin;
    return 0;
}

size_t Syscall_stubs::resume_offset(size_t offset, Mode from, Mode to)
{
    for (size_t i = 0; i < count_; ++i) {
        const Stub &stub = stubs_[i];
        if (offset < stub.begin || offset >= stub.end)
            continue;
        if (offset == stub.continuation[static_cast<size_t>(from)])
            return stub.continuation[static_cast<size_t>(to)];
        return stub.begin;
    }
    return offset;
}

// mov eax, number; syscall; then the continuation: ret, or jmp rbx for Ipc and Lipc.
size_t Syscall_stubs::write_ring3(Code &code, uint32_t number)
{
    code.put({0xb8});                  // mov eax, number
    code.put32(number);
    code.put({0x0f, 0x05});            // syscall
    size_t continuation = code.at();
    if (jumped_to(number))
        code.put({0xff, 0xe3});        // jmp rbx
    else
        code.put({ret});
    return continuation;
}

size_t Syscall_stubs::write_kernel_task(Code &code, uint32_t number, const Yield_view &yield)
{
    if (jumped_to(number)) {
        // Ipc and Lipc resume at rbx itself (kernel_task_ipc_entry_*): no number, no rcx.
        // Interrupts go off first (see write_kernel_entry). The continuation is for a
        // thread that blocked in Ipc in ring 3 and was moved here meanwhile.
        code.put({0xfa});              // cli
        code.put({0xff, 0x25});        // jmp [rip + to the KIP's word]
        code.put32(static_cast<uint32_t>(ipc_entry_word - static_cast<int64_t>(code.at() + 4)));
        size_t continuation = code.at();
        code.put({0xff, 0xe3});        // jmp rbx
        return continuation;
    }
    if (number == TERN_SYSCALL_THREAD_SWITCH) {
        size_t body = code.at();
        Code enter = code;
        // The body's length does not depend on where it branches to: write it once to
        // learn where the kernel entry goes, then again with the branches set.
        (void)write_thread_switch_body(enter, yield, body);
        size_t enter_at = enter.at();
        if (!write_thread_switch_body(code, yield, enter_at))
            code.fail();
    }
    return write_kernel_entry(code, number);
}

// A kernel-mode stub's way into the kernel, its number in eax: interrupts off before the
// jump (until the kernel's swapgs the GS base is the task's, and an interrupt at a
// kernel-half rip would be taken for the kernel's), the continuation in rcx, then the jump
// through the page's entry word. Returns the continuation.
size_t Syscall_stubs::write_kernel_entry(Code &code, uint32_t number)
{
    code.put({0xb8});                  // mov eax, number
    code.put32(number);
    code.put({0xfa});                  // cli
    code.put({0x48, 0x8d, 0x0d});      // lea rcx, [rip + 6]: the continuation, after the jump
    code.put32(6);
    code.put({0xff, 0x25});            // jmp [rip + to the entry word]
    code.put_rel32(entry_word);
    size_t continuation = code.at();
    code.put({ret});
    return continuation;
}

// ThreadSwitch(nilthread) is X.2's way to give up the processor: it changes nothing but the
// preemption-delay budget, which it restores, while no other thread of the caller's priority
// or above is ready and no flag is up in the caller's gate (Syscall_handlers::thread_switch:
// Scheduler::thread_switched, then Scheduler::yield, which returns). A kernel-mode task, in
// ring 0, can see that itself, so its stub does that store and those checks as a plain call,
// without entering the kernel: the null system call of Kernel Mode Linux. It reads the
// kernel's data at their kernel addresses (this processor's current thread: one processor
// for now). The store comes first, as in the kernel, so a timer tick after it that starts a
// delayed preemption (which only the kernel's ThreadSwitch ends) raises the gate's flag
// before the check. Interrupts stay on: the task's rip stays in its stub, so any is the
// task's. Every other case enters the kernel at enter, which does the whole call.
bool Syscall_stubs::write_thread_switch_body(Code &code, const Yield_view &yield, size_t enter)
{
    if (!fits_disp32(yield.current) || !fits_disp32(yield.highest_ready) || yield.running_gate >= 0x80) {
        code.fail();
        return false;
    }
    code.put({0x48, 0x85, 0xff});                  // test rdi, rdi
    size_t not_nil = code.put_branch8(0x75);       // jnz enter
    code.put({0x48, 0x8b, 0x04, 0x25});            // mov rax, [current]
    code.put32(static_cast<uint32_t>(yield.current));
    code.put({0xc6, 0x80});                        // mov byte [rax + delay_available], 1
    code.put32(yield.delay_available);
    code.put({0x01});
    code.put({0x48, 0x83, 0xb8});                  // cmp qword [rax + gate], running_gate
    code.put32(yield.gate);
    code.put({yield.running_gate});
    size_t flagged = code.put_branch8(0x75);       // jne enter
    code.put({0x0f, 0xb6, 0x88});                  // movzx ecx, byte [rax + priority]
    code.put32(yield.priority);
    code.put({0x3b, 0x0c, 0x25});                  // cmp ecx, [highest_ready]
    code.put32(static_cast<uint32_t>(yield.highest_ready));
    size_t competitor = code.put_branch8(0x7e);    // jle enter
    code.put({ret});
    code.patch(not_nil, enter);
    code.patch(flagged, enter);
    code.patch(competitor, enter);
    return !code.failed();
}
