namespace RoostKeeper.Ha.KubernetesApi;

/// <summary>
/// The mark a failure of another party (today: the backup store) carries in <see cref="Exception.Data"/> so that
/// <see cref="KubernetesApiErrors"/> does not read its IOException or HttpRequestException as the API's. The key
/// lives here, below the capabilities, so the classification needs to know no capability: Recovery's
/// <c>StoreFailures</c> sets it, this folder only reads it.
/// </summary>
internal static class ForeignFailure
{
    /// <summary>The <see cref="Exception.Data"/> key; its value names the party that threw.</summary>
    internal const string DataKey = "RoostKeeper.Ha.BackupStore";

    internal static bool IsMarked(Exception error) => error.Data.Contains(DataKey);
}
