namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>Names one object a controller reconciles: its namespace (empty when cluster-scoped) and name.</summary>
internal readonly record struct ObjectKey(string Namespace, string Name)
{
    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}
