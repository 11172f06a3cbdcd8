/* Guest threads and processes: clone, fork, vfork, execve, exit. */
#ifndef HL_PROCESS_H
#define HL_PROCESS_H

#include "vmm/proc.h"

long proc_sys_clone(struct thread *t, const long a[6]);
long proc_sys_clone3(struct thread *t, const long a[6]);
long proc_sys_fork(struct thread *t, const long a[6]);
long proc_sys_vfork(struct thread *t, const long a[6]);
long proc_sys_execve(struct thread *t, const long a[6]);
long proc_sys_execveat(struct thread *t, const long a[6]);
/* exit and exit_group: mark the thread or the process as ending. */
long proc_sys_exit(struct thread *t, const long a[6]);

/* A vfork child about to exec or exit: its memory writes reach the
 * parent, as if it had shared the parent's memory. */
void proc_vfork_release(struct proc *p);

/* path names this process's executable through /proc. */
bool proc_is_self_exe(const char *path);

/* Remove t from its process; true when it was the last thread. */
bool thread_unlink(struct thread *t);

/* The guest thread t called exit: clear and wake its child tid, free its
 * vCPU, end the host thread (or the process, for the last thread). */
void thread_exit(struct thread *t) __attribute__((noreturn));

#endif
