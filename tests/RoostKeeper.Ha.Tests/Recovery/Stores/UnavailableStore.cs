using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

/// <summary>A store whose every call fails, as one that is down or unreachable.</summary>
public sealed class UnavailableStore : IBackupStore
{
    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) => throw Down();

    public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => throw Down();

    public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => throw Down();

    public Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) => throw Down();

    public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => throw Down();

    public override string ToString() => "unavailable store";

    private static IOException Down() => new("connection refused");
}
