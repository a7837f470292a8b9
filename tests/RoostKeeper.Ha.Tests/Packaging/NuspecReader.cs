using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>Reads what a .nuspec (a source one or the one inside a .nupkg) declares.</summary>
public static class NuspecReader
{
    /// <summary>The dependencies of every dependency group, keyed by the group's target framework.</summary>
    /// <param name="nuspec">The parsed .nuspec.</param>
    /// <returns>One entry per group and dependency.</returns>
    public static IReadOnlySet<PackageDependency> Dependencies(XDocument nuspec) =>
        Groups(nuspec)
            .SelectMany(g => g.Elements().Where(e => e.Name.LocalName == "dependency").Select(d => new PackageDependency(
                g.Attribute("targetFramework")?.Value ?? "",
                d.Attribute("id")?.Value ?? "",
                d.Attribute("version")?.Value ?? "")))
            .ToHashSet();

    /// <summary>The target frameworks that have a dependency group.</summary>
    /// <param name="nuspec">The parsed .nuspec.</param>
    /// <returns>The groups' targetFramework attributes.</returns>
    public static IReadOnlyList<string> GroupFrameworks(XDocument nuspec) =>
        [.. Groups(nuspec).Select(g => g.Attribute("targetFramework")?.Value ?? "")];

    private static IEnumerable<XElement> Groups(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependencies").Elements().Where(e => e.Name.LocalName == "group");
}
