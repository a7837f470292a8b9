namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// A write was refused because the object already carries a newer leadership term than the writer's: another
/// replica has led since. The writer's term is over; it must stop reconciling (the elector ends its term too).
/// </summary>
internal sealed class StaleTermException(string kind, string name, long ownTerm, long seenTerm)
    : Exception($"Refused to write {kind} {name} in term {ownTerm}: it was written in term {seenTerm}, so a newer leader exists. This replica stops reconciling; the current leader owns the object.")
{
    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public long OwnTerm { get; } = ownTerm;

    public long SeenTerm { get; } = seenTerm;
}
