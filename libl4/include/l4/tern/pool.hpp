// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: a pool of at most N objects of one type in static
// storage, the allocator of a server's tables (no heap: a server's limits are its pools'
// sizes, and a full pool is an error status to the client, never a crash).
//
//   tern::Pool<Name, 32> names;
//   Name *name = names.allocate();   // nullptr when all 32 are in use
//   names.for_each([](Name &n) { ... });
//   names.free(name);
#ifndef L4_TERN_POOL_HPP
#define L4_TERN_POOL_HPP

namespace tern {

template <typename T, unsigned N>
class Pool
{
public:
    // A default-constructed object, or nullptr when the pool is full.
    T *allocate()
    {
        for (unsigned i = 0; i < N; ++i) {
            if (!used_[i]) {
                used_[i] = true;
                objects_[i] = T();
                return &objects_[i];
            }
        }
        return nullptr;
    }

    // object came from allocate and was not freed since.
    void free(T *object) { used_[index_of(object)] = false; }

    unsigned in_use() const
    {
        unsigned count = 0;
        for (unsigned i = 0; i < N; ++i)
            count += used_[i] ? 1 : 0;
        return count;
    }

    // Calls visit(object) for every object in use, in slot order; visit may free it.
    template <typename Visit>
    void for_each(Visit visit)
    {
        for (unsigned i = 0; i < N; ++i)
            if (used_[i])
                visit(objects_[i]);
    }

    // The first object in use for which match(object) is true, or nullptr.
    template <typename Match>
    T *find(Match match)
    {
        for (unsigned i = 0; i < N; ++i)
            if (used_[i] && match(objects_[i]))
                return &objects_[i];
        return nullptr;
    }

private:
    unsigned index_of(const T *object) const { return static_cast<unsigned>(object - objects_); }

    T objects_[N] = {};
    bool used_[N] = {};
};

}  // namespace tern

#endif
