namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>One dependency of one target framework of a package: an id at an exact version.</summary>
public sealed record PackageDependency(string TargetFramework, string Id, string Version)
{
    public override string ToString() => $"{TargetFramework}: {Id} {Version}";
}
