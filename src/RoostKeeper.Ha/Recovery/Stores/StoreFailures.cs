namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// Tells a failure of the backup store from a Kubernetes API or network failure: a directory, an S3 bucket or
/// a mirror throws IOException, HttpRequestException or AggregateException too, which would otherwise read as
/// one. The library marks whatever a store (any <see cref="IBackupStore"/>, or a stream it returned) throws
/// through <see cref="RecoveryManager"/>; the mark travels with the exception object (in
/// <see cref="Exception.Data"/>), so its type and stack trace are unchanged for callers.
/// <see cref="KubernetesApi.KubernetesApiErrors.Classify(Exception)"/> answers
/// <see cref="KubernetesApi.ApiErrorKind.Unexpected"/> for a marked exception.
/// </summary>
public static class StoreFailures
{
    private const string Key = KubernetesApi.ForeignFailure.DataKey;

    /// <summary>Marks <paramref name="error"/> as thrown by <paramref name="store"/>; cancellation is nobody's failure and stays unmarked.</summary>
    internal static void Mark(Exception error, string store)
    {
        if (error is not OperationCanceledException && !error.Data.Contains(Key))
        {
            error.Data[Key] = store;
        }
    }

    /// <summary>Whether <paramref name="error"/> was thrown by the backup store (or a stream it returned).</summary>
    /// <param name="error">What a <see cref="RecoveryManager"/> call threw.</param>
    /// <returns>True when the store threw it: check the store (its disk, bucket, credentials or network), not the cluster.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static bool IsFromStore(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Data.Contains(Key);
    }

    /// <summary>The store that threw <paramref name="error"/>, as it names itself, or null when the store did not throw it.</summary>
    /// <param name="error">What a <see cref="RecoveryManager"/> call threw.</param>
    /// <returns>The store as it describes itself (its <c>ToString()</c>); null when the store did not throw it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static string? StoreOf(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Data[Key] as string;
    }
}
