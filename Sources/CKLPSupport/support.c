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
