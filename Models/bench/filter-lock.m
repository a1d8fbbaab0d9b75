-- Peterson's filter lock for N processes -- klpcheck benchmark model.
-- Spec: Sources/KLPEngine/KLPEngine.docc/FilterLock.md (variables, actions and expected counts).
--
--   rumur --deadlock-detection off --threads 1 filter-lock.m --output fl.c
--   cc -O3 -o fl fl.c -lpthread && ./fl
--
-- Change N below (or generate a copy with sed) for other sizes; set BUG to 1
-- for the bug variant ("skip" also fires when k = (i+1) mod N).
-- Each action is one rule of the ruleset over i, i.e. one atomic transition.
-- Plain range types (no scalarset), so no symmetry reduction applies.

const
  N: 5;
  BUG: 0;

type
  proc_t: 0..N-1;

var
  level: array [proc_t] of 0..N-1;
  last:  array [0..N-1] of 0..N-1;   -- last[0] is never written
  pc:    array [proc_t] of 0..3;
  j:     array [proc_t] of 0..N;
  k:     array [proc_t] of 0..N;

startstate "init"
begin
  for p: proc_t do
    level[p] := 0; last[p] := 0; pc[p] := 0; j[p] := 0; k[p] := 0;
  end;
end;

ruleset i: proc_t do

  rule "start" pc[i] = 0 ==>
  begin
    j[i] := 1; pc[i] := 1;
  end;

  rule "enter" pc[i] = 1 & j[i] < N ==>
  begin
    level[i] := j[i]; last[j[i]] := i; k[i] := 0; pc[i] := 2;
  end;

  rule "crit" pc[i] = 1 & j[i] = N ==>
  begin
    pc[i] := 3;
  end;

  rule "next" pc[i] = 2 & k[i] = N ==>
  begin
    j[i] := j[i] + 1; pc[i] := 1;
  end;

  rule "skip" pc[i] = 2 & (k[i] = i | (BUG = 1 & k[i] = (i + 1) % N)) ==>
  begin
    k[i] := k[i] + 1;
  end;

  -- & and | short-circuit, so level[k[i]] is only read when k[i] < N
  rule "check" pc[i] = 2 & k[i] < N & k[i] != i &
               (last[j[i]] != i | level[k[i]] < j[i]) ==>
  begin
    k[i] := k[i] + 1;
  end;

  rule "exit" pc[i] = 3 ==>
  begin
    level[i] := 0; pc[i] := 0;
  end;

end;

invariant "mutex"
  forall p: proc_t do
    forall q: proc_t do
      (p != q) -> !(pc[p] = 3 & pc[q] = 3)
    end
  end;
