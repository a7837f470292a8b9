namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// What the authorizer decides on, as the API server's <c>authorizer.Attributes</c>: who, which verb, and either a
/// resource (group, resource, subresource, namespace, name) or a non-resource path such as <c>/version</c>.
/// </summary>
internal sealed record RequestAttributes(
    ClusterIdentity User,
    string Verb,
    bool IsResourceRequest,
    string Group = "",
    string Version = "",
    string Resource = "",
    string Subresource = "",
    string Namespace = "",
    string Name = "",
    string Path = "")
{
    public static RequestAttributes NonResource(ClusterIdentity user, string verb, string path) => new(user, verb, false, Path: path);

    /// <summary>"pods" or "pods/log", as rules name a resource and its subresource.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";
}
