/*
 * Fencing writes by term (src/RoostKeeper.Ha/Fencing/TermFence.cs) as a Promela model, checked with spin
 * (model/check.sh runs it next to lease-election.pml).
 *
 * Modelled:
 *   - the Lease's term: every acquisition is a conditional write of the Lease that writes leaseTransitions
 *     one past the record it replaces, so each won term is unique and newer than every earlier one;
 *   - one object the controller owns, at the API server: its resourceVersion and the term stamp of its last
 *     accepted write; the server applies a write atomically and, when it carries a resourceVersion
 *     (the precondition), refuses it (409) unless that is still the object's version;
 *   - N replicas, each a paused-leader process: it wins a term, then any number of times reads the object,
 *     is paused for an unbounded time (any interleaving of the others: they win newer terms and write),
 *     and writes. No clock, no deadline, no step-down: a pause longer than any lease is allowed, which is
 *     exactly what the election protocol alone cannot exclude (lease-election.pml assumes no pauses).
 *
 * The fence (FENCE, the default): the writer refuses an object stamped with a newer term (the read helper),
 * and its write carries the resourceVersion it read (the precondition).
 * Variants: NO_FENCE (neither), PRECONDITION_ONLY, CHECK_ONLY: each must produce a counter-example, so the
 * check is shown able to fail and both halves of the fence are shown necessary.
 *
 * Properties: the assertion in Server, per object: no write stamped with an older term is accepted after a
 * write stamped with a newer term. With -DSTRICT the assertion is the stronger "no older-term write after a
 * newer term began", which the fence does not give (the newer term may not have written the object yet):
 * a counter-example is expected, and docs/fencing.md states the limit.
 */

#ifndef N
#define N 3                 /* replicas */
#endif
#ifndef TERMS
#define TERMS 4             /* acquisitions in a run */
#endif
#ifndef WRITES
#define WRITES 2            /* writes per term */
#endif

#if !defined(NO_FENCE) && !defined(PRECONDITION_ONLY) && !defined(CHECK_ONLY)
#define CHECK 1
#define PRECONDITION 1
#endif
#ifdef PRECONDITION_ONLY
#define CHECK 0
#define PRECONDITION 1
#endif
#ifdef CHECK_ONLY
#define CHECK 1
#define PRECONDITION 0
#endif
#ifdef NO_FENCE
#define CHECK 0
#define PRECONDITION 0
#endif

byte leaseTerm;             /* spec.leaseTransitions */
byte objVersion;            /* the object's resourceVersion */
byte objStamp;              /* the term stamp of its last accepted write (0: unstamped) */
byte newestStamp;           /* the newest term any accepted write of the object carried */

/* The API server applies one write of term t read at version v, atomically. */
inline serverWrite(t, v) {
    atomic {
        if
        :: PRECONDITION && objVersion != v -> skip    /* 409 Conflict: changed since the read */
        :: else ->
#ifdef STRICT
            assert(t >= leaseTerm);                   /* no older-term write once a newer term began */
#else
            assert(t >= newestStamp);                 /* no older-term write after a newer term's write */
#endif
            objVersion++;
            objStamp = t;
            if
            :: t > newestStamp -> newestStamp = t
            :: else -> skip
            fi
        fi
    }
}

proctype Replica() {
    byte term, readVersion, readStamp, w;
    do
    :: atomic {
           /* Wins a term: a conditional write of the Lease, one past the record it replaces.
              cites Election/LeaseRecord.cs "desired.Spec.LeaseTransitions = NextTerm(Math.Max(observed.Spec?.LeaseTransitions ?? 0, highestSeen ?? 0));" */
           leaseTerm < TERMS -> leaseTerm++; term = leaseTerm; w = 0
       }
       do
       :: w < WRITES ->
           /* Reads the object (GET or list): its version and stamp. */
           atomic { readVersion = objVersion; readStamp = objStamp }
           /* Paused here for any length of time: every other process may run. */
#if CHECK
           /* The read helper refuses an object stamped with a newer term: this term is over.
              cites Fencing/TermFence.cs "if (found.Term > Stamp.Term)" */
           if
           :: readStamp > term -> break
           :: else -> skip
           fi
#endif
           /* The write carries this term's stamp and (with the precondition) the version read.
              cites Fencing/TermFence.cs "throw new InvalidOperationException(" */
           serverWrite(term, readVersion);
           w++
       :: else -> break
       od
    :: else -> break
    od
}

init {
    byte i;
    atomic {
        for (i : 1 .. N) {
            run Replica()
        }
    }
}
