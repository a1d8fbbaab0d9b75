#ifndef CKLPSUPPORT_H
#define CKLPSUPPORT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/// Atomic operations on plain words of memory that the engine owns.
/// Swift's `Atomic` needs stable storage of its own; the visited sets are
/// raw buffers, so these `static inline` helpers give them lock-free access
/// and are inlined into the Swift callers.

static inline uint64_t klp_load_acquire(const uint64_t *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t klp_load_relaxed(const uint64_t *p) {
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void klp_store_release(uint64_t *p, uint64_t value) {
    __atomic_store_n(p, value, __ATOMIC_RELEASE);
}

/// Compares `*p` with `expected` and, if equal, writes `desired`.
/// Returns the value that was in memory before (equal to `expected` on success).
static inline uint64_t klp_cas(uint64_t *p, uint64_t expected, uint64_t desired) {
    __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    return expected;
}

/// Sets the bits of `mask` in `*p` and returns the previous word.
static inline uint64_t klp_fetch_or(uint64_t *p, uint64_t mask) {
    return __atomic_fetch_or(p, mask, __ATOMIC_RELAXED);
}

/// Sets bit `bit` of `*p`; returns whether it was set before. One
/// `lock bts`, where a fetch-or whose old value is used would be a
/// compare-and-swap loop.
static inline bool klp_test_and_set_bit(uint64_t *p, unsigned bit) {
    return (__atomic_fetch_or(p, (uint64_t)1 << bit, __ATOMIC_RELAXED) >> bit) & 1;
}

static inline uint64_t klp_fetch_add(uint64_t *p, uint64_t value) {
    return __atomic_fetch_add(p, value, __ATOMIC_RELAXED);
}

/// Asks the cache for the line at `p`, for writing, ahead of use.
static inline void klp_prefetch(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

/// Peak resident set size of this process in bytes (VmHWM, else getrusage).
uint64_t klp_peak_rss_bytes(void);

/// Physical memory of the machine in bytes.
uint64_t klp_physical_memory_bytes(void);

/// Whether the file descriptor is a terminal.
bool klp_isatty(int fd);

/// Maps `bytes` of zeroed memory straight from the system, with every page
/// already in place (see support.c); NULL on failure.
void *klp_map_zeroed(size_t bytes);

/// Unmaps memory from `klp_map_zeroed`.
void klp_unmap(void *pointer, size_t bytes);

#endif
