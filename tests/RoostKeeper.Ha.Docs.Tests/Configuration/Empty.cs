namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>The probe "an empty collection" (a get-only list is cleared rather than replaced).</summary>
internal sealed class Empty
{
    public static readonly Empty Instance = new();

    private Empty()
    {
    }

    public override string ToString() => "empty";
}
