// SPDX-License-Identifier: MIT
// The sorted list of IPC timeouts (see timeout_list.hpp).
#include "timeout_list.hpp"

[[gnu::hot]] void Timeout_list::add(Entry &entry, uint64_t deadline)
{
    entry.deadline_ = deadline;
    Entry *previous = &head_;
    while (previous->next_ != nullptr && previous->next_->deadline_ <= deadline)
        previous = previous->next_;
    entry.next_ = previous->next_;
    entry.prev_ = previous;
    if (entry.next_ != nullptr)
        entry.next_->prev_ = &entry;
    previous->next_ = &entry;
}

[[gnu::hot]] void Timeout_list::unlink(Entry &entry)
{
    entry.prev_->next_ = entry.next_;
    if (entry.next_ != nullptr)
        entry.next_->prev_ = entry.prev_;
    entry.next_ = entry.prev_ = nullptr;
}

[[gnu::hot]] Timeout_list::Entry *Timeout_list::take_expired(uint64_t now)
{
    Entry *entry = head_.next_;
    if (entry == nullptr || entry->deadline_ > now)
        return nullptr;
    unlink(*entry);
    return entry;
}
