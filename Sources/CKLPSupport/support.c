#include "CKLPSupport.h"
#include <sys/resource.h>
#include <unistd.h>

uint64_t klp_peak_rss_bytes(void) {
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
