// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: a first-in, first-out queue of at most N values in
// static storage, for the requests a server answers later in order of arrival (readers,
// waiters). A full queue refuses; the server decides whom to drop.
#ifndef L4_TERN_QUEUE_HPP
#define L4_TERN_QUEUE_HPP

namespace tern {

template <typename T, unsigned N>
class Queue
{
public:
    unsigned size() const { return count_; }
    bool empty() const { return count_ == 0; }
    bool full() const { return count_ == N; }
    // The oldest value; the queue is not empty.
    const T &front() const { return values_[0]; }

    // false (nothing queued) when full.
    bool push(const T &value)
    {
        if (full())
            return false;
        values_[count_++] = value;
        return true;
    }

    // Drops the oldest value; the queue is not empty.
    void pop() { remove_at(0); }

    // Drops every value for which match(value) is true, keeping the order of the rest.
    template <typename Match>
    void remove_if(Match match)
    {
        for (unsigned i = count_; i-- > 0;)
            if (match(values_[i]))
                remove_at(i);
    }

    // Calls visit(value) for each value, oldest first.
    template <typename Visit>
    void for_each(Visit visit) const
    {
        for (unsigned i = 0; i < count_; ++i)
            visit(values_[i]);
    }

    void clear() { count_ = 0; }

private:
    void remove_at(unsigned i)
    {
        for (unsigned j = i + 1; j < count_; ++j)
            values_[j - 1] = values_[j];
        --count_;
    }

    T values_[N] = {};
    unsigned count_ = 0;
};

}  // namespace tern

#endif
