/* Guest signals.
 *
 * The host kernel does most of the work, because a guest process is one
 * VMM process and a guest thread one VMM thread: each VMM thread's host
 * signal mask is its guest thread's mask, and each host disposition
 * follows the guest's (ignored stays ignored on the host, a stop or an
 * ignore-by-default stays the host default).  So the host picks the thread
 * a process-directed signal goes to, keeps blocked signals pending (for
 * sigpending, sigtimedwait and signalfd), stops and continues the process,
 * and reaps children of SIG_IGN'd SIGCHLD, exactly as it would natively.
 *
 * Signals the guest handles, and default-fatal ones (so the run's
 * statistics are written before the process dies), are caught by a VMM
 * handler that queues them on the catching thread and kicks its vCPU out
 * of KVM_RUN (immediate_exit); the thread then builds the Linux x86-64
 * rt_sigframe on the guest stack before re-entering the guest. */
#ifndef HL_SIGNAL_H
#define HL_SIGNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct proc;
struct thread;

#define SIGBIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Dispositions at process start: SIG_IGN inherited across execve stays;
 * every other signal starts at SIG_DFL. */
void sig_init_process(struct proc *p);

/* On the host thread that runs t, before it enters the guest. */
void sig_thread_start(struct thread *t);

/* The thread is going away: no more guest signals on this host thread. */
void sig_thread_end(void);

/* The guest thread's mask, mirrored to its host thread. */
void sig_set_mask(struct thread *t, uint64_t mask);

/* Deliver what t has queued and the guest does not block; may end the
 * process (default actions). */
void sig_deliver(struct thread *t);

/* A CPU exception in guest user mode (vector, error code, the interrupted
 * rip/rsp/rflags): deliver SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP with
 * Linux's si_code and si_addr, or end the process when the guest does not
 * handle it.  Returns false when the process is to end (p->term_signal). */
bool sig_exception(struct thread *t, int vector, uint64_t err, uint64_t rip, uint64_t rsp, uint64_t rflags);

/* A synchronous signal with no CPU exception (SIGBUS from a page the host
 * cannot back): same rules as sig_exception. */
bool sig_force(struct thread *t, int sig, int code, uint64_t addr);

/* The signal Linux sends for a CPU exception vector (defined next to the
 * exception exits, in vcpu.c). */
int vcpu_exception_signal(int vector);

/* Signal calls the VMM emulates. */
long sig_rt_sigaction(struct thread *t, const long a[6]);
long sig_rt_sigprocmask(struct thread *t, const long a[6]);
long sig_sigaltstack(struct thread *t, const long a[6]);
long sig_rt_sigreturn(struct thread *t, const long a[6]);
/* rt_sigsuspend, ppoll, pselect6, epoll_pwait(2): forwarded, with the
 * temporary mask also applied to delivery when they return. */
long sig_masked_wait(struct thread *t, const long a[6]);

/* Block every host signal on this thread (the VMM's own work that must
 * not be interrupted: fork, thread creation); returns the old mask for
 * sig_host_restore(). */
uint64_t sig_host_block_all(void);
void sig_host_restore(uint64_t mask);

/* The thread that is running on this host thread (NULL outside guests). */
struct thread *sig_self(void);

#endif
