namespace RoostKeeper.Ha.Testing.Store;

/// <summary>The patch formats the API server accepts, chosen by the request's content type.</summary>
internal enum PatchKind
{
    Merge,
    StrategicMerge,
    Json,
}
