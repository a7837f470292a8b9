namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>A fault as injected: what, on whom, whether that replica led then, and when it healed.</summary>
internal sealed record InjectedFault(string Description, bool OnLeader, long HealedAt, TimeSpan? TimeToLeader);

/// <summary>Two processes that both believed they led, from their own lines.</summary>
internal sealed record ProcessOverlap(string First, long FirstTerm, string Second, long SecondTerm, TimeSpan Duration);

/// <summary>The outcome of one run and every check on it.</summary>
internal sealed record RunResult
{
    public required int Seed { get; init; }

    public required IReadOnlyList<InjectedFault> Faults { get; init; }

    /// <summary>Leadership intervals of the processes' own view that overlapped (expected with pauses: reported).</summary>
    public required IReadOnlyList<ProcessOverlap> Overlaps { get; init; }

    /// <summary>Writes accepted on an object after that object was written in a newer term: 0 when fenced.</summary>
    public required IReadOnlyList<string> StaleWrites { get; init; }

    /// <summary>Writes of an older term accepted after a newer term began, on objects the newer term had not written yet.</summary>
    public required IReadOnlyList<string> OlderTermOnUntouched { get; init; }

    /// <summary>Accepted writes whose seq was not one past the previous accepted write's: an update was overwritten.</summary>
    public required IReadOnlyList<string> LostUpdates { get; init; }

    /// <summary>Objects missing at the end, out of the controller's set.</summary>
    public required int MissingObjects { get; init; }

    /// <summary>Terms a process announced (LEAD) that the Lease never recorded for it.</summary>
    public required IReadOnlyList<string> UnrecordedTerms { get; init; }

    public required int AcceptedWrites { get; init; }

    public required int Terms { get; init; }

    public required int Refused { get; init; }

    public required int Conflicts { get; init; }

    public string? Error { get; init; }

    public required TimeSpan Duration { get; init; }

    public IEnumerable<InjectedFault> SlowRecoveries(TimeSpan bound) => Faults.Where(f => f.TimeToLeader is not { } t || t > bound);
}
