using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// Where an object sits in the archive: objects/{group or "core"}/{version}/{plural}/{namespace or
/// "_cluster"}/{name}.json. Names and namespaces are DNS labels/subdomains, so they never contain a slash.
/// </summary>
internal static class ObjectPath
{
    public const string ClusterScope = "_cluster";

    public static string For(BackupResource type, string? ns, string name) =>
        $"{RecoveryConstants.ObjectsFolder}/{(type.IsCore ? "core" : type.Group)}/{type.Version}/{type.Plural}/{ns ?? ClusterScope}/{name}.json";

    /// <summary>Parses a path written by <see cref="For"/>, or returns null for any other path.</summary>
    public static (BackupResource Type, string? Namespace, string Name)? Parse(string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 6 || parts[0] != RecoveryConstants.ObjectsFolder || !parts[5].EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        var group = parts[1] == "core" ? "" : parts[1];
        return (new BackupResource(group, parts[2], parts[3]), parts[4] == ClusterScope ? null : parts[4], parts[5][..^5]);
    }

    public static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>() is { Length: > 0 } ns ? ns : null;

    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";
}
