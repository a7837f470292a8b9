#!/usr/bin/env bash
# Model-checks lease-election.pml, fencing.pml and sharding.pml with spin: the protocol must be safe and make
# progress in the checked configurations, the fence must hold against paused leaders, no shard may have two
# working holders, and each deliberately broken variant must produce a counter-example (so the check is shown
# able to fail). Prints one line per run and exits non-zero when any run ends otherwise.
# Needs spin and a C compiler (Debian: apt-get install spin gcc). Usage: model/check.sh [work-dir]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
command -v spin >/dev/null || { echo "spin not found: install it (Debian: apt-get install spin)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "gcc not found: spin's verifier is C" >&2; exit 2; }

status=0
# name | expected (holds / counter-example) | spin defines | model (default lease-election.pml)
runs=(
  "safety: LD 4, RD 2, delay <= 3, no drift, 2 faults|holds|-DLD=4 -DDMAX=3 -DDRIFT=0 -DFAULTS=2"
  "progress: LD 4, RD 2, delay <= 3, no drift, 2 faults|holds|-DLD=4 -DDMAX=3 -DDRIFT=0 -DFAULTS=2 -DPROGRESS"
  "safety: LD 5, RD 2, delay <= 2, drift <= 1, 2 faults|holds|-DLD=5 -DDMAX=2 -DDRIFT=1 -DFAULTS=2"
  "broken: RD counted from the response (LD 4, delay <= 3)|counter-example|-DLD=4 -DDMAX=3 -DDRIFT=0 -DFAULTS=2 -DBROKEN_DEADLINE"
  "broken: RD counted from the response (LD 5, drift <= 1)|counter-example|-DLD=5 -DDMAX=2 -DDRIFT=1 -DFAULTS=2 -DBROKEN_DEADLINE"
  "skew: drift 1 against a margin LD - RD of 2|counter-example|-DLD=4 -DDMAX=3 -DDRIFT=1 -DFAULTS=2"
  "fencing: paused leaders, 3 replicas, 4 terms, stamp check and precondition|holds|-DN=3 -DTERMS=4 -DWRITES=2|fencing.pml"
  "fencing off: no check, no precondition|counter-example|-DN=3 -DTERMS=4 -DWRITES=2 -DNO_FENCE|fencing.pml"
  "fencing: precondition only (no stamp check)|counter-example|-DN=3 -DTERMS=4 -DWRITES=2 -DPRECONDITION_ONLY|fencing.pml"
  "fencing: stamp check only (no precondition)|counter-example|-DN=3 -DTERMS=4 -DWRITES=2 -DCHECK_ONLY|fencing.pml"
  "fencing limit: an older term writes after a newer term began|counter-example|-DN=3 -DTERMS=4 -DWRITES=2 -DSTRICT|fencing.pml"
  "sharding: 3 replicas, 2 shards, LD 3, RD 2, 3 terms, crashes, pauses, stale leaders|holds|-DLD=3 -DRD=2 -DTERMS=3|sharding.pml"
  "sharding vacuity: a dead holder's shard is cleared and taken over|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DREACH_TAKEOVER|sharding.pml"
  "sharding broken: LD = RD (2 = 2), the clear may beat the guard|counter-example|-DLD=2 -DRD=2 -DTERMS=3|sharding.pml"
  "sharding broken: acquire without CAS (a blind write from the last read)|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DNO_CAS|sharding.pml"
  "sharding broken: work starts on reading the shard free, before the CAS|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DEARLY_WORK|sharding.pml"
  "sharding broken: clear on the watch's view, no fresh read|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DNO_FRESH_READ|sharding.pml"
  "sharding broken: fresh read before the table read the clear is written on|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DEVIDENCE_FIRST|sharding.pml"
  "sharding broken: a holder resumes on a read alone (after its guard fired or a restart)|counter-example|-DLD=3 -DRD=2 -DTERMS=3 -DRESUME|sharding.pml"
)
i=0
for run in "${runs[@]}"; do
  IFS='|' read -r name expected defines model <<<"$run"
  model=${model:-lease-election.pml}
  i=$((i + 1))
  dir="$work/run$i"
  mkdir -p "$dir"
  cp "$here/$model" "$dir/"
  # shellcheck disable=SC2086
  if ! (cd "$dir" && spin -a $defines "$model" >spin.log 2>&1 &&
        gcc -O2 -DSAFETY -DCOLLAPSE -DNOREDUCE -DMEMLIM=4096 -w -o pan pan.c >>spin.log 2>&1); then
    echo "FAIL  $name: the model did not compile (see $dir/spin.log)"; status=1; continue
  fi
  start=$(date +%s)
  (cd "$dir" && ./pan -E -m1000000 >pan.log 2>&1)
  seconds=$(( $(date +%s) - start ))
  errors=$(grep -o 'errors: [0-9]*' "$dir/pan.log" | grep -o '[0-9]*' | head -n1)
  states=$(grep -o '[0-9]* states, stored' "$dir/pan.log" | grep -o '^[0-9]*' | head -n1)
  complete=yes
  grep -q 'Search not completed' "$dir/pan.log" && complete=no
  if [[ -z "$errors" ]]; then
    echo "FAIL  $name: no verdict from pan (see $dir/pan.log)"; status=1; continue
  fi
  if [[ $expected == holds ]]; then
    if [[ $errors == 0 && $complete == yes ]]; then
      echo "ok    $name: holds over all ${states} states (${seconds} s)"
    else
      echo "FAIL  $name: expected to hold, got $errors error(s), search complete: $complete (trail in $dir)"; status=1
    fi
  else
    if [[ $errors != 0 ]]; then
      violated=$(grep -o 'assertion violated.*' "$dir/pan.log" | head -n1)
      echo "ok    $name: counter-example found as expected ($violated; ${seconds} s)"
    else
      echo "FAIL  $name: a counter-example was expected, the model held (${states} states)"; status=1
    fi
  fi
done
exit $status
