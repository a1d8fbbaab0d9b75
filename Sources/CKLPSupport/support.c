#include "CKLPSupport.h"
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The peak resident set of this address space. On Linux, VmHWM starts afresh
   at exec; getrusage's ru_maxrss does not (it keeps the high-water mark of
   the process that forked us), so it is only the fallback. */
uint64_t klp_peak_rss_bytes(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (status) {
        char line[256];
        unsigned long long kib = 0;
        int found = 0;
        while (fgets(line, sizeof line, status)) {
            if (strncmp(line, "VmHWM:", 6) == 0 && sscanf(line + 6, "%llu", &kib) == 1) {
                found = 1;
                break;
            }
        }
        fclose(status);
        if (found) return (uint64_t)kib * 1024u;
    }
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return (uint64_t)usage.ru_maxrss * 1024u; /* Linux reports kilobytes */
}

uint64_t klp_physical_memory_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES);
    long size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || size <= 0) return 0;
    return (uint64_t)pages * (uint64_t)size;
}

bool klp_isatty(int fd) { return isatty(fd) == 1; }

#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Large tables come from mmap, populated for writing up front. Left to
   calloc, a table's pages are first read (mapping the shared zero page) and
   then written, and each such write fault flushes the page from every CPU's
   TLB: an interrupt to the other worker's core per 4 KiB. Tables of 2 MiB
   and more also ask for transparent huge pages, which random probes need. */
void *klp_map_zeroed(size_t bytes) {
    void *pointer = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pointer == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    if (bytes >= (2u << 20)) madvise(pointer, bytes, MADV_HUGEPAGE);
#endif
    if (madvise(pointer, bytes, MADV_POPULATE_WRITE) != 0) {
        /* Older kernels: touch every page by writing it. */
        for (size_t offset = 0; offset < bytes; offset += 4096) ((volatile char *)pointer)[offset] = 0;
    }
    return pointer;
}

void klp_unmap(void *pointer, size_t bytes) {
    munmap(pointer, bytes);
}
