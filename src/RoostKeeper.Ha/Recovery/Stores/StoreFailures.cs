namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// Marks an exception as the backup store's, so it is classified by what failed: a directory, an S3 bucket or
/// a mirror throws IOException, HttpRequestException or AggregateException too, which would otherwise read as
/// a Kubernetes API or network failure. The mark travels with the exception object (in <see cref="Exception.Data"/>),
/// so its type and stack trace are unchanged for callers.
/// </summary>
internal static class StoreFailures
{
    private const string Key = "RoostKeeper.Ha.BackupStore";

    /// <summary>Marks <paramref name="error"/> as thrown by <paramref name="store"/>; cancellation is nobody's failure and stays unmarked.</summary>
    public static void Mark(Exception error, string store)
    {
        if (error is not OperationCanceledException && !error.Data.Contains(Key))
        {
            error.Data[Key] = store;
        }
    }

    /// <summary>Whether <paramref name="error"/> was thrown by the backup store (or a stream it returned).</summary>
    public static bool IsFromStore(Exception error) => error.Data.Contains(Key);

    /// <summary>The store that threw <paramref name="error"/>, as it names itself, or null when the store did not throw it.</summary>
    public static string? StoreOf(Exception error) => error.Data[Key] as string;
}
