// SPDX-License-Identifier: MIT
// A gtest fixture for the Linux personality's host tests: a Frame_pool whose window is host
// memory (8 MiB, aligned to its blocks), present from the start.
#ifndef TESTS_UNIT_FRAME_POOL_FIXTURE_HPP
#define TESTS_UNIT_FRAME_POOL_FIXTURE_HPP

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "frame_pool.hpp"

class Frame_pool_fixture : public ::testing::Test {
protected:
    static constexpr uint64_t quota = uint64_t{8} << 20;
    void SetUp() override
    {
        window = static_cast<uint8_t *>(std::aligned_alloc(uint64_t{1} << Frame_pool::block_log2, quota));
        ASSERT_NE(window, nullptr);
        pool.init(reinterpret_cast<uint64_t>(window), quota, window_present);
    }
    void TearDown() override { std::free(window); }
    // The block source: the window is host memory, there from the start.
    static bool window_present(uint64_t, unsigned) { return true; }

    uint8_t *window = nullptr;
    Frame_pool pool;
};

#endif
