/*
 * The Lease election protocol of RoostKeeper.Ha as a Promela model, checked with spin (model/check.sh).
 *
 * Modelled:
 *   - an API server holding one Lease (holder, hand-off mark, resourceVersion) that applies conditional
 *     writes atomically: a write carrying a resourceVersion other than the current one is refused (409);
 *   - N replicas, each with its own clock and one request in flight at a time; requests and responses
 *     take up to DMAX ticks or are lost; watch events come late or (until the system is quiet) never;
 *   - acquire by conditional write when the observed record is free, expired (LD after this replica
 *     *observed* it, on its own clock), its own, or handed to it;
 *   - renew by conditional write; step-down RD after the last successful renewal was *sent*; release
 *     (empty holder) only after the work stopped; hand-over to a chosen successor;
 *   - crashes without release (a request in flight is still applied after the crash) and restarts.
 *
 * Abstractions that keep the state space small and the check exhaustive:
 *   - resourceVersions are opaque, so only equality matters: each replica keeps whether the version it
 *     holds (observed, cached for renewal, carried by its request) is still the server's current one;
 *     any write makes every other copy stale. This is exact, not an approximation.
 *   - time is discrete. Durations are counted on each replica's own clock with counters that saturate
 *     at the bound they are compared with. A replica's clock error e[i] may move by one per tick within
 *     [0, DRIFT]: over any interval its clock gains or loses at most DRIFT ticks against true time (a
 *     bounded clock-rate difference over a lease window).
 *   - a replica reacts to its own deadline before the next tick (no process pause: pauses longer than
 *     the margin are outside the guarantee, see docs/reliability.md).
 *
 * Each step names the code it stands for as `cites <file under src/RoostKeeper.Ha> "<fragment>"`; a test
 * (ElectionModelTests) checks that every cited fragment still occurs in that file, so the model cannot
 * silently drift from the code.
 *
 * Properties: safety, the assertion in Monitor (never two replicas acting as leader); progress, the
 * assertion in Tick (once the environment turns quiet: no more losses, crashes or hand-overs, crashed
 * replicas restarted, watch events delivered, timers firing, and the API answering within the tick — a round trip shorter than
 * RenewDeadline, without which no leader can keep a term — some replica leads after at most BOUND
 * leaderless ticks, BOUND = LeaseDuration + RetryPeriod + DRIFT).
 * Variants (spin -D...): BROKEN_DEADLINE measures RD from the renewal's *response*: it must produce a
 * counter-example, so the check is shown able to fail; DRIFT=2 exceeds the margin LD - RD: likewise.
 */

#ifndef N
#define N 2                 /* replicas 1..N; holder 0 means none */
#endif
#ifndef LD
#define LD 5                /* LeaseDuration, ticks */
#endif
#ifndef RD
#define RD 2                /* RenewDeadline */
#endif
#ifndef DMAX
#define DMAX 2              /* the longest a request, or its response, is in flight */
#endif
#ifndef DRIFT
#define DRIFT 1             /* the most a replica's clock gains or loses against true time */
#endif
#ifndef FAULTS
#define FAULTS 3            /* losses, crashes and hand-overs the environment may cause */
#endif
#define RP 1                /* RetryPeriod: one tick */
#ifndef BOUND
#define BOUND (LD + RP + DRIFT) /* progress: leaderless ticks allowed once quiet */
#endif

#define NONE    0
#define ACQUIRE 1
#define RENEW   2
#define RELEASE 3
#define HANDOFF 4
#define IN_FLIGHT 1         /* sent, not yet applied */
#define ANSWERED  2         /* applied; the response is on its way */

byte holder;                /* spec.holderIdentity */
byte handoff;               /* the roostkeeper.ha/handoff-to annotation */
byte faults;
bool quiet;                 /* the environment has stopped injecting faults */
byte leaderless;            /* ticks without a leader since the environment turned quiet (saturating) */

byte e[N + 1];              /* clock error */
bool up[N + 1];
bool leading[N + 1];        /* acting as leader: the leader token is not cancelled */
byte sinceSent[N + 1];      /* own-clock ticks since the last successful renewal (or the acquire) was sent */
bool myCur[N + 1];          /* the version the leader's next renewal carries is current */
bool known[N + 1];          /* has observed the Lease at all (after start or restart) */
bool obsCur[N + 1];         /* the observed version is current */
byte obsHolder[N + 1];
byte obsHandoff[N + 1];
byte obsAge[N + 1];         /* own-clock ticks since that observation (saturating at LD) */
bool tried[N + 1];          /* RetryPeriod (one tick): one acquire or renewal per tick */

byte reqKind[N + 1];
byte reqState[N + 1];
bool reqCur[N + 1];         /* the version the request carries is current */
byte reqSince[N + 1];       /* own-clock ticks since it was sent (saturating at RD) */
byte reqAge[N + 1];         /* true ticks in flight, or since applied (saturating at DMAX) */
bool reqOk[N + 1];
bool reqNewCur[N + 1];      /* the version its write produced is still current */

#define min(a, b) ((a) < (b) -> (a) : (b))
#define eligible(i) (up[i] && !leading[i] && reqKind[i] == NONE && known[i] && !tried[i] && \
                     (obsHolder[i] == 0 || obsAge[i] >= LD || obsHolder[i] == i || obsHandoff[i] == i))
/* Retaking its own record at once is allowed here; the elector holds off for LeaseDuration + RetryPeriod
   after a failed term. The model thus allows more behaviours than the code: its safety covers the code's. */
#define mustStepDown(i) (leading[i] && sinceSent[i] >= RD)
#define settled(i) (reqState[i] == 0 || !quiet && reqAge[i] < DMAX) && !mustStepDown(i) && \
                   (!quiet || (up[i] && obsCur[i] && !eligible(i) && reqState[i] != ANSWERED && \
                                         !(leading[i] && reqKind[i] == NONE && !tried[i])))

/* The clock is read before the request is sent.
   cites Election/LeaseElector.cs "var sentAt = _time.GetTimestamp();" */
inline send(i, kind, current) {
    tried[i] = true; reqKind[i] = kind; reqState[i] = IN_FLIGHT; reqCur[i] = current;
    reqSince[i] = 0; reqAge[i] = 0
}

inline observe(i) {
    known[i] = true; obsCur[i] = true; obsHolder[i] = holder; obsHandoff[i] = handoff; obsAge[i] = 0
}

/* Values that no longer matter are zeroed, so that states differing only in them are one state. */
inline clearRequest(i) {
    reqKind[i] = NONE; reqState[i] = 0; reqCur[i] = false; reqSince[i] = 0; reqAge[i] = 0; reqOk[i] = false; reqNewCur[i] = false
}

inline endTerm(i) {
    leading[i] = false; sinceSent[i] = 0; myCur[i] = false
}

/* Any write changes the resourceVersion: every copy but the writer's new one is stale. */
/* Promela hoists declarations to the start of the process, so locals are declared there and
   assigned here. */
inline staleAll(k) {
    k = 1;
    do
    :: k <= N -> obsCur[k] = false; myCur[k] = false; reqCur[k] = false; reqNewCur[k] = false; k++
    :: else -> break
    od
}

/* The API server: a conditional write on the current resourceVersion. */
inline apply(i, k) {
    if
    :: reqCur[i] ->
        if
        :: reqKind[i] == ACQUIRE || reqKind[i] == RENEW -> holder = i; handoff = 0
        :: reqKind[i] == RELEASE -> holder = 0; handoff = 0
        :: reqKind[i] == HANDOFF -> holder = (i % N) + 1; handoff = (i % N) + 1
        fi;
        staleAll(k); reqOk[i] = true; reqNewCur[i] = true
    :: else -> reqOk[i] = false
    fi;
    reqState[i] = ANSWERED; reqAge[i] = 0
}

inline answer(i) {
    if
    :: !up[i] -> skip                       /* the replica that sent it crashed */
    :: reqKind[i] == ACQUIRE && reqOk[i] ->
        /* The term starts with RD counted from the sending of the acquiring write.
           cites Election/LeaseElector.cs "await LeadAsync(won.Lease, won.SentAt, stop)" */
        leading[i] = true; myCur[i] = reqNewCur[i];
#ifdef BROKEN_DEADLINE
        sinceSent[i] = 0
#else
        sinceSent[i] = reqSince[i]
#endif
    :: reqKind[i] == RENEW && reqOk[i] && leading[i] ->
        /* RD runs from the sending of the last successful renewal.
           cites Election/LeaseElector.cs "term.Renewed(written, sent);"
           cites Election/LeaderTerm.cs "LastSent = sentAt;" */
        myCur[i] = reqNewCur[i];
#ifdef BROKEN_DEADLINE
        sinceSent[i] = 0
#else
        sinceSent[i] = reqSince[i]
#endif
    :: reqKind[i] == RENEW && !reqOk[i] && leading[i] ->
        /* A renewal answered 409 re-reads the Lease: another holder ends the term at once; the same
           holder (someone else edited the Lease) renews again on the version read. */
        observe(i);
        if
        :: holder == i -> myCur[i] = true
        ::  else -> endTerm(i)
        fi
    :: else -> skip                         /* refused, or for a term already ended: never continued */
    fi;
    clearRequest(i)
}

proctype Replica(byte i) {
    do
    :: atomic { up[i] && !obsCur[i] -> observe(i) }                  /* a watch event, possibly late */
    :: atomic { eligible(i) -> send(i, ACQUIRE, obsCur[i]) }
    :: atomic { up[i] && leading[i] && reqKind[i] == NONE && !tried[i] && !mustStepDown(i) -> send(i, RENEW, myCur[i]) }
    /* The leader token is cancelled RD after the last successful renewal was sent.
       cites Election/LeaderTerm.cs "_token.CancelAfter(ElectionTiming.Clamp(UntilDeadline));" */
    :: atomic { mustStepDown(i) -> endTerm(i) }
    :: atomic { reqState[i] == ANSWERED -> answer(i) }
    /* Release on a graceful stop: the work stops first, then the empty holder is written. */
    :: atomic { !quiet && faults < FAULTS && leading[i] && reqKind[i] == NONE ->
                faults++; endTerm(i); send(i, RELEASE, myCur[i]) }
    /* Hand-over: the work stops first, then the record names the successor with the hand-off mark.
       cites Election/LeaseRecord.cs "desired.Metadata.Annotations[HandoffAnnotation] = successor;" */
    :: atomic { !quiet && faults < FAULTS && leading[i] && reqKind[i] == NONE ->
                faults++; endTerm(i); send(i, HANDOFF, myCur[i]) }
    /* A lost response: the replica only learns that the request failed. */
    :: atomic { !quiet && faults < FAULTS && reqState[i] == ANSWERED -> faults++; clearRequest(i) }
    /* A crash: the work is gone at once; a request in flight may still be applied. */
    :: atomic { !quiet && faults < FAULTS && up[i] -> faults++; up[i] = false; endTerm(i); tried[i] = false;
                known[i] = false; obsCur[i] = true /* nothing to observe until restarted */;
                obsHolder[i] = 0; obsHandoff[i] = 0; obsAge[i] = 0 }
    :: atomic { !up[i] -> up[i] = true; obsCur[i] = false }
    od
}

#define SERVE(i) \
    :: atomic { reqState[i] == IN_FLIGHT -> apply(i, k) } \
    :: atomic { !quiet && faults < FAULTS && reqState[i] == IN_FLIGHT -> faults++; clearRequest(i) }

proctype Server() {
    byte k;
    do
    SERVE(1)
    SERVE(2)
#if N > 2
    SERVE(3)
#endif
    od
}

inline advance(i, before, d) {
    before = e[i];
    if
    :: e[i] < DRIFT -> e[i]++
    :: e[i] > 0 -> e[i]--
    :: true -> skip
    fi;
    d = 1 + e[i] - before;             /* how far this replica's clock moved in one true tick */
    if
    :: known[i] && obsHolder[i] != 0 && obsHolder[i] != i && obsHandoff[i] != i -> obsAge[i] = min(LD, obsAge[i] + d)
    :: else -> obsAge[i] = 0                /* free, own or handed over: the age does not matter */
    fi;
    if :: leading[i] -> sinceSent[i] = min(RD, sinceSent[i] + d) :: else -> skip fi;
    if :: reqState[i] != 0 -> reqSince[i] = min(RD, reqSince[i] + d); reqAge[i] = min(DMAX, reqAge[i] + 1)
       :: else -> skip fi;
    tried[i] = false
}

proctype Tick() {
    byte before, d;
    do
#ifdef PROGRESS
    :: atomic { !quiet -> quiet = true }
#endif
    :: atomic {
        settled(1) && settled(2)
#if N > 2
        && settled(3)
#endif
        ->
        advance(1, before, d); advance(2, before, d);
#if N > 2
        advance(3, before, d);
#endif
#ifdef PROGRESS
        if
        :: quiet && !leading[1] && !leading[2]
#if N > 2
           && !leading[3]
#endif
           -> leaderless = min(BOUND + 1, leaderless + 1)
        :: else -> leaderless = 0
        fi;
        assert(leaderless <= BOUND)
#endif
       }
    od
}

active proctype Monitor() {
    assert(!(leading[1] && leading[2])
#if N > 2
           && !(leading[1] && leading[3]) && !(leading[2] && leading[3])
#endif
    )
}

init {
    atomic {
        byte i = 1;
        do
        :: i <= N -> up[i] = true; i++
        :: else -> break
        od;
        run Server(); run Tick();
        i = 1;
        do
        :: i <= N -> run Replica(i); i++
        :: else -> break
        od
    }
}
