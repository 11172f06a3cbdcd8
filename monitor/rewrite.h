/* Rewriting the program's hot `syscall` sites into direct calls to the
 * monitor (rewrite.c; the forms and their rules are described there). */
#ifndef HL_MONITOR_REWRITE_H
#define HL_MONITOR_REWRITE_H

#include <stdbool.h>
#include <stdint.h>

struct kucontext;
struct ksiginfo;

/* The forms -w allows (main.c): a mask of these. */
#define RW_JUMP 1    /* `mov $nr,%eax; syscall`, and `syscall; cmp $-4096,%rax`: a jump to a stub */
#define RW_ZPOLINE 2 /* `syscall` -> `call *%rax` into a nop sled at address 0 */

/* At start, before the program runs: the forms allowed, as far as the
 * host allows them (page 0, /proc/self/mem). */
void mon_rw_init(unsigned forms);
/* In a new process after fork: /proc/self/mem there names the parent. */
void mon_rw_after_fork(void);
/* The call at uc just trapped: rewrite its site if it fits a form. */
void mon_rw_trapped(struct kucontext *uc);
/* A SIGSYS from a stub's `syscall` (the bounce of a rewritten call that
 * needs the signal context, or a restarted one): true, and uc then shows
 * the program where the call returns. */
bool mon_rw_bounced(struct kucontext *uc);
/* A fault the rewriting caused: the transient int3 of a patch, or a
 * zpoline site's number past the sled.  True when handled. */
bool mon_rw_fault(int sig, struct ksiginfo *si, struct kucontext *uc);
/* [start, end) is about to change (mprotect, munmap, mremap, mmap over):
 * the sites there get their `syscall` back. */
void mon_rw_release(uint64_t start, uint64_t end);
/* The sled's page (page 0), which is the monitor's. */
bool mon_rw_owns(uint64_t start, uint64_t len);
/* The fd on /proc/self/mem, or -1. */
int mon_rw_fd(void);

/* arch.c: where the sled and the stubs enter, and the bounce. */
void mon_rw_entry_z(void);
void mon_rw_entry_j(void);
/* The fast path's C side: the program resumes from uc (at its stub's
 * `syscall`, the bounce, when the call needs a signal context). */
void mon_rw_call(struct kucontext *uc, int form);
/* While the monitor times a rewritten call: its probe hypercall returns
 * at once, as a trapped one does. */
void mon_rw_calibrate(bool on);

#endif
