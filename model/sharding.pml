/*
 * The shard assignment protocol of sharded leadership (docs/sharding.md) as a Promela model, checked with spin
 * (model/check.sh runs it next to lease-election.pml and fencing.pml).
 *
 * Modelled:
 *   - the shard table, one Lease at the API server: per shard its holder (0: none), and the table's term (the
 *     highest handed out). Every write is a replace at the resourceVersion read (CAS): a write on a copy
 *     that is no longer current is refused (409);
 *   - 3 replicas and 2 shards. Each replica has a liveness record (its membership Lease, or the election
 *     Lease while it leads: one record here, as the clear rule asks for *every* record of the holder to be
 *     unchanged) that it rewrites when it likes: renewals may stop for any time (a pause, a partition);
 *   - the liveness guard: a replica works on its shards only while fewer than RD ticks have passed since its
 *     last successful liveness write; when RD is reached it cancels all its shard work before time moves on
 *     (the guard is a timer, not a step the replica may put off);
 *   - assign: a leader rewrites the targets. Any replica may do so at any time (a stale or paused leader);
 *     the targets themselves are not kept: any live replica may acquire any free shard, as if some leader
 *     had just targeted it there, which covers every assignment any leader can write (targets are advice,
 *     and safety must not depend on them; the assignment algorithm is a pure function, unit-tested);
 *   - release: a holder stops the shard's work (drain), then CASes holder := none;
 *   - acquire: a replica whose guard is satisfied CASes holder := itself, term := ++table.term, when the
 *     holder is none (or itself, not working: taking a shard back after the guard fired or after a restart
 *     takes a new CAS and a new term); only after the CAS succeeded does it start the shard's work;
 *   - clear a dead holder: any replica (a possibly stale leader) that finds, by a fresh read (a GET) made
 *     after the table read the clear is written on, that the holder's liveness record has been unchanged
 *     for LD ticks, CASes holder := none on that table copy; it may be paused between the fresh read and
 *     the write while the holder renews;
 *   - crashes (the work is gone at once, and what the replica had read) and restarts under the same
 *     identity (a StatefulSet pod); pauses: a replica may put off every step but its guard for any time.
 *
 * Abstractions that keep the state space small and the search exhaustive, each allowing more behaviours than
 * the code (never fewer), so that the model's safety covers the code's:
 *   - resourceVersions are opaque, so only equality matters: each replica keeps whether its copy of the
 *     table is still current, and a write makes every other copy stale. A CAS on a current copy succeeds and
 *     acts on what was read (which is what is current); a CAS on a stale copy is refused and changes nothing,
 *     so it is left out (the replica's next step, a re-read, is modelled). This is exact.
 *   - a liveness write is sent, applied and answered in one step. In the code the guard runs from the
 *     *sending* and the record's age from the *applying*, later; a response comes later still. Every delay
 *     makes the holder stop sooner relative to its record, so no delay is the worst case. Lost writes change
 *     nothing; lost responses only stop the holder sooner.
 *   - the age of a record is counted from when its current version was applied, on one true clock. A
 *     replica counts from when it first *saw* that version, later (and a restarted one has lost its history):
 *     every clear the code can make, the model can make at the same time or earlier. Clock-rate error against
 *     the margin LD - RD is the election's concern, checked by lease-election.pml with the same inequality.
 *   - the fresh read is not a step of its own: a clearer with a current table copy may clear a holder whose
 *     record was LD old at *some* moment since the table's last write (its fresh read, after its table read,
 *     is one such moment; the holder may have renewed since).
 *   - time is discrete; durations are counters saturating at their bound; values that no longer matter are
 *     zeroed, so that states differing only in them are one state.
 *   - the number of acquisitions in a run is bounded by TERMS (the term counter must stay finite).
 *   - a pause stops the replica's protocol steps, not its guard. A process frozen as a whole (guard
 *     included) that resumes and writes before its guard runs is what OwnedShard.Stamp fences
 *     (fencing.pml), not what the assignment protocol alone can exclude.
 *
 * Properties (the named assertions in startWork): oneWorkerPerShard, when a replica starts work on a shard
 * no other replica is working on it; termsIncrease, the shard's term is newer than that of every earlier
 * start of work on it (a term is never handed out twice: each holder's is newer than its predecessors').
 *
 * Broken variants (spin -D...), each of which must produce a counter-example:
 *   NO_CAS          acquire is a blind write (no resourceVersion) built from the replica's last read;
 *   EARLY_WORK      a replica starts a shard's work when it reads the shard free, before its CAS;
 *   NO_FRESH_READ   the clearer trusts its watch, which may lag without bound: it clears a holder whose
 *                   record it has watched for LD ticks, whatever the holder wrote since;
 *   EVIDENCE_FIRST  the fresh read may come before the table read the clear is written on;
 *   RESUME          a holder that is not working (its guard fired, or it restarted) resumes work on a shard
 *                   the table still gives it, on a read alone, without a new CAS;
 *   and LD <= RD (-DLD=2 -DRD=2): the clear may come before the holder's guard fired.
 * Steps name the code they stand for as `cites <file under src/RoostKeeper.Ha> "<fragment>"` (the sharding
 * coordinator; ElectionModelTests checks the citations of the models it lists).
 * REACH_TAKEOVER is a vacuity check, not a broken variant: it asserts that no replica ever starts work after
 * a dead holder was cleared, and must fail, showing the clear path is reachable in the model that holds.
 */

#define R 3                 /* replicas 1..R (the steps below are written out for 3) */
#define S 2                 /* shards 0..S-1 (likewise for 2) */
#ifndef LD
#define LD 3                /* LeaseDuration, ticks */
#endif
#ifndef RD
#define RD 2                /* RenewDeadline, ticks */
#endif
#ifndef TERMS
#define TERMS 3             /* acquisitions in a run */
#endif

/* the shard table */
byte holder[S];             /* 0: none */
byte term;                  /* the highest term handed out */
bool cur[R + 1];            /* replica i's copy of the table is the current version */

/* the replicas */
bool up[R + 1];
bool work[(R + 1) * S];     /* replica i is working on shard s: W(i, s) */
byte live[R + 1];           /* ticks since its last successful liveness write (saturating at RD) */
byte recAge[R + 1];         /* while it holds a shard: ticks since its record was written (saturating at LD) */
bool deadSeen[R + 1];       /* since the table's last write, the record has been LD old at some moment */
#ifdef NO_FRESH_READ
byte watched;               /* ticks since the replicas started watching (saturating at LD) */
#endif
#ifdef NO_CAS
bool sawFree[(R + 1) * S];  /* at its last table read, the shard was free */
byte sawTerm[R + 1];        /* the table's term at that read */
#endif

hidden byte n, s, k;        /* loop counters, not part of the state */
hidden byte oneWorkerPerShard, termsIncrease, noStartAfterAClear;   /* named, so that pan names the property */
#ifdef REACH_TAKEOVER
bool cleared;               /* a dead holder was cleared */
#endif

/* the monitor: the term of the latest start of work on each shard (while the shard has a holder, the term
   of its table entry: the entry's term is not kept twice) */
byte lastTerm[S];

#define W(i, s) work[(i) * S + (s)]
#define min(a, b) ((a) < (b) -> (a) : (b))
#define guardOk(i) (live[i] < RD)
#define anyWork(i) (W(i, 0) || W(i, 1))
#define guardDue(i) (anyWork(i) && !guardOk(i))
#define settled (!guardDue(1) && !guardDue(2) && !guardDue(3))
#define othersWorking(i, s) ((i != 1 && W(1, s)) || (i != 2 && W(2, s)) || (i != 3 && W(3, s)))
#define holds(x) (holder[0] == x || holder[1] == x)

/* The work starts: the safety properties. */
inline startWork(i, s, t, again) {
    oneWorkerPerShard = !othersWorking(i, s);
    assert(oneWorkerPerShard);
    termsIncrease = t > lastTerm[s] || again;   /* a resumption keeps its term (RESUME only) */
    assert(termsIncrease);
#ifdef REACH_TAKEOVER
    noStartAfterAClear = !cleared;
    assert(noStartAfterAClear);
#endif
    lastTerm[s] = t;
    W(i, s) = true
}

/* x has released its last shard or been cleared from it: the age of its record no longer matters (see
   ACQUIRE), so it is zeroed. */
inline forget(x) {
    if
    :: !holds(x) -> recAge[x] = 0
    :: else -> skip
    fi
}

/* A table write: every other copy of the table is stale. The writer's copy is the version its write
   produced (the API server returns it). A fresh read made on a copy from now on sees each record as it is
   now or later. */
inline tableWrite(i, k) {
    for (k : 1 .. R) {
        cur[k] = false;
#ifndef EVIDENCE_FIRST
        deadSeen[k] = recAge[k] >= LD
#else
        skip
#endif
    }
    cur[i] = true
}

/* Each step below is one option per shard s (and holder x): every option starts with its whole guard, so
   that no atomic step can block halfway. */

/* The clear's evidence. The fresh read is not a step of its own: a clearer whose table copy is current
   may clear x when x's record was, at some moment since the table's last write, LD old. The code's fresh
   read comes after its table read, which is after that write, so it is one such moment; the model allows
   any, which only adds behaviours. */
#ifdef NO_FRESH_READ
#define DEAD(x) (watched >= LD)
#else
#define DEAD(x) deadSeen[x]
#endif
/* While x holds no shard its record's age is not kept (no clear can name it). When it acquires, its record
   was last written with its last successful liveness write, live[x] ticks ago (live[x] < RD < LD). */
#define AGE_FROM_LIVE(x) if :: !holds(x) -> recAge[x] = live[x] :: else -> skip fi
#define DRAIN(s) \
    :: atomic { W(i, s) -> W(i, s) = false }
#define RELEASE(s) \
    :: atomic { up[i] && cur[i] && holder[s] == i && !W(i, s) -> holder[s] = 0; forget(i); tableWrite(i, k) }
#ifndef NO_CAS
#define ACQUIRE(s) \
    :: atomic { up[i] && cur[i] && guardOk(i) && term < TERMS && (holder[s] == 0 || holder[s] == i && !W(i, s)) -> \
                AGE_FROM_LIVE(i); term++; holder[s] = i; tableWrite(i, k); startWork(i, s, term, false) }
#else
#define ACQUIRE(s) \
    :: atomic { up[i] && guardOk(i) && sawTerm[i] < TERMS && sawFree[i * S + s] -> \
                AGE_FROM_LIVE(i); term = sawTerm[i] + 1; holder[s] = i; tableWrite(i, k); \
                sawFree[i * S + s] = false; startWork(i, s, term, false) }
#endif
#define EARLY(s) \
    :: atomic { up[i] && cur[i] && guardOk(i) && holder[s] == 0 && !W(i, s) -> \
                oneWorkerPerShard = !othersWorking(i, s); assert(oneWorkerPerShard); W(i, s) = true }
#define RESUME_WORK(s) \
    :: atomic { up[i] && cur[i] && guardOk(i) && holder[s] == i && !W(i, s) -> startWork(i, s, lastTerm[s], true) }
#ifdef REACH_TAKEOVER
#define CLEARED cleared = true
#else
#define CLEARED skip
#endif
#define CLEAR(s, x) \
    :: atomic { up[i] && cur[i] && x != i && holder[s] == x && DEAD(x) -> \
                holder[s] = 0; forget(x); tableWrite(i, k); CLEARED }

proctype Replica(byte i) {
    do
    /* --- liveness: renew the membership Lease (or the election Lease while leading) --- */
    /* Sent, applied and answered in one step: the worst case (see the header). */
    :: atomic { up[i] && (live[i] != 0 || recAge[i] != 0) -> recAge[i] = 0; live[i] = 0 }
    /* The guard: RD after the last successful liveness write (membership or election renewal: one record
       here), all shard work is cancelled at once (no drain, no write). Tick waits for it.
       cites Sharding/ShardCoordinator.Transitions.cs "private long LastLiveness => Math.Max(Interlocked.Read(ref _membershipSent), Interlocked.Read(ref _electionSent));"
       cites Sharding/ShardCoordinator.Transitions.cs "/// <summary>Stops the work of every shard past the renew deadline" */
    :: atomic { guardDue(i) -> for (s : 0 .. S - 1) { W(i, s) = false } }

    /* --- reads --- */
    :: atomic { up[i] && !cur[i] -> cur[i] = true;
#ifdef NO_CAS
                sawTerm[i] = term;
                for (s : 0 .. S - 1) { sawFree[i * S + s] = (holder[s] == 0) }
#else
                skip
#endif
              }

    /* --- table writes (a CAS on the current copy) --- */
    /* Assign: a leader (any replica: a stale one included) rewrites the targets. Targets are not kept (see
       the header): the write only makes every other copy of the table stale. */
    :: atomic { up[i] && cur[i] -> tableWrite(i, k) }
    /* Release: the work is drained (stopped) first, then holder := none. Stopping work is always allowed.
       cites Sharding/ShardCoordinator.Transitions.cs "await DropAsync(draining_, release[0].Reason, wait: true)"
       A holder not working on its shard (its guard fired, or it restarted) hands it back (or takes it anew
       by CAS), never resumes on a read (the RESUME variant).
       cites Sharding/ShardCoordinator.Transitions.cs "a restart): handed back below." */
    DRAIN(0) DRAIN(1)
    RELEASE(0) RELEASE(1)
    /* Acquire: holder := me, term := ++term; the work starts only once the CAS succeeded.
       cites Sharding/ShardCoordinator.Transitions.cs "// The CAS made us holder: only now does the work start" */
    ACQUIRE(0) ACQUIRE(1)
#ifdef EARLY_WORK
    /* Broken: a replica starts work on reading the shard free, before its CAS (the acquire may follow; the
       work is drained when the replica finds the shard is not its own). */
    EARLY(0) EARLY(1)
#endif
#ifdef RESUME
    /* Broken: a holder not working (its guard fired, or it restarted) resumes on a read alone. */
    RESUME_WORK(0) RESUME_WORK(1)
#endif
    /* Clear a dead holder, on a table copy read before the fresh read (the EVIDENCE_FIRST variant).
       cites Sharding/ShardCoordinator.Leader.cs "the table first (the clear is conditional on the" */
    CLEAR(0, 1) CLEAR(0, 2) CLEAR(0, 3) CLEAR(1, 1) CLEAR(1, 2) CLEAR(1, 3)

    /* --- faults --- */
    /* A crash: the work is gone at once, and so is what the replica had read. It restarts under the same
       identity, its guard unsatisfied until it has written its record again. */
    :: atomic { up[i] -> up[i] = false; cur[i] = false; live[i] = RD;
                for (s : 0 .. S - 1) { W(i, s) = false };
#ifdef NO_CAS
                sawTerm[i] = 0; for (s : 0 .. S - 1) { sawFree[i * S + s] = false };
#endif
                skip }
    :: atomic { !up[i] -> up[i] = true }
    od
}

/* One tick of true time, once every due guard has fired. */
proctype Tick() {
    do
    :: atomic { settled ->
        for (n : 1 .. R) {
            if
            :: up[n] -> live[n] = min(RD, live[n] + 1)
            :: else -> skip
            fi;
            if
            :: holds(n) -> recAge[n] = min(LD, recAge[n] + 1);
                           deadSeen[n] = deadSeen[n] || recAge[n] >= LD
            :: else -> skip
            fi
        }
#ifdef NO_FRESH_READ
        ; watched = min(LD, watched + 1)
#endif
       }
    od
}

init {
    atomic {
        for (n : 1 .. R) { up[n] = true; live[n] = RD }     /* live only after a first liveness write */
        run Tick();
        for (n : 1 .. R) { run Replica(n) }
    }
}
