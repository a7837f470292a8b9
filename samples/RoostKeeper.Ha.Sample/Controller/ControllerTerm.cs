using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// The leadership term a reconcile writes under: every object the controller writes carries it, and a write
/// to an object that already carries a newer term is refused (fencing, see docs/leader-election.md).
/// </summary>
internal sealed record ControllerTerm(string Identity, long Term)
{
    public static ControllerTerm From(Leadership leadership) => new(leadership.Identity, leadership.Term);

    public override string ToString() => $"{Identity} (term {Term})";
}
