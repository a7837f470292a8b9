namespace RoostKeeper.Ha.KubernetesApi;

/// <summary>
/// What a failed Kubernetes API call means for the caller: the one classification every manager uses, returned
/// by <see cref="KubernetesApiErrors.Classify(Exception)"/>.
/// </summary>
public enum ApiErrorKind
{
    /// <summary>The server answered 409: a conditional write lost to another writer, or the object already exists.</summary>
    Conflict,

    /// <summary>The server answered 404 for an object (the resource type itself exists).</summary>
    NotFound,

    /// <summary>The server answered 404 because it does not serve the resource type (no such API group, version or CRD).</summary>
    MissingResourceType,

    /// <summary>The server answered 410: a watch or list continue token is too old; re-list.</summary>
    Expired,

    /// <summary>The server answered 401 or 403: retrying will not help until credentials or RBAC change.</summary>
    Unauthorized,

    /// <summary>The server rejected the request itself (400, 422, 415, …): retrying the same request will not help.</summary>
    Invalid,

    /// <summary>Worth retrying: 429, 5xx, a network failure, a timeout, or a stream the server ended.</summary>
    Transient,

    /// <summary>
    /// Not an API or network failure at all: a defect to report with its stack trace, or a failure of the backup
    /// store (<see cref="Recovery.Stores.StoreFailures.IsFromStore(Exception)"/> tells which).
    /// </summary>
    Unexpected,
}
