/*
 * Peterson's filter lock for N processes -- klpcheck benchmark model.
 * Spec: Sources/KLPEngine/KLPEngine.docc/FilterLock.md (variables, actions and expected counts).
 *
 *   spin -DN=4 -a filter-lock.pml          (default N = 5)
 *   spin -DN=4 -DBUG=1 -a filter-lock.pml  (bug variant: skip also when k = (i+1) mod N)
 *   gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -w27 -m100000
 *
 * Every action is one d_step branch of the do loop, so each action is exactly
 * one SPIN transition and the process's own control location never changes
 * (it always sits at the loop head); the state is just the five global arrays.
 * All variables are global (no locals), process i is the one with _pid == i
 * (there is no init process). The invariant `mutex` is asserted inside "crit",
 * the only action that sets pc to 3, so it is checked on every reachable state
 * where it could become false, without adding a monitor process (which would
 * change the state/transition counts).
 */
#ifndef N
#define N 5
#endif
#ifndef BUG
#define BUG 0
#endif

byte level[N];  /* 0..N-1 */
byte last[N];   /* 0..N-1; last[0] never written */
byte pc[N];     /* 0..3 */
byte j[N];      /* 0..N */
byte k[N];      /* 0..N */

#define I     _pid
/* number of processes at pc = 3 (Promela has no expression-level loop) */
#if N == 2
#define NCRIT ((pc[0] == 3) + (pc[1] == 3))
#elif N == 3
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3))
#elif N == 4
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3) + (pc[3] == 3))
#elif N == 5
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3) + (pc[3] == 3) + (pc[4] == 3))
#elif N == 6
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3) + (pc[3] == 3) + (pc[4] == 3) + (pc[5] == 3))
#elif N == 7
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3) + (pc[3] == 3) + (pc[4] == 3) + (pc[5] == 3) + (pc[6] == 3))
#elif N == 8
#define NCRIT ((pc[0] == 3) + (pc[1] == 3) + (pc[2] == 3) + (pc[3] == 3) + (pc[4] == 3) + (pc[5] == 3) + (pc[6] == 3) + (pc[7] == 3))
#else
#error "filter-lock.pml supports N = 2..8"
#endif

active [N] proctype P()
{
  do
  /* start */ :: d_step { pc[I] == 0 -> j[I] = 1; pc[I] = 1 }
  /* enter */ :: d_step { pc[I] == 1 && j[I] < N ->
                          level[I] = j[I]; last[j[I]] = I; k[I] = 0; pc[I] = 2 }
  /* crit  */ :: d_step { pc[I] == 1 && j[I] == N -> pc[I] = 3; assert(NCRIT <= 1) }
  /* next  */ :: d_step { pc[I] == 2 && k[I] == N -> j[I] = j[I] + 1; pc[I] = 1 }
  /* skip  */ :: d_step { pc[I] == 2 && (k[I] == I || (BUG && k[I] == (I + 1) % N)) ->
                          k[I] = k[I] + 1 }
  /* check */ :: d_step { pc[I] == 2 && k[I] < N && k[I] != I &&
                          (last[j[I]] != I || level[k[I]] < j[I]) -> k[I] = k[I] + 1 }
  /* exit  */ :: d_step { pc[I] == 3 -> level[I] = 0; pc[I] = 0 }
  od
}
