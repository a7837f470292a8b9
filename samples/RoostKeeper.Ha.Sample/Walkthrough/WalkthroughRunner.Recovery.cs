using k8s;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>The recovery steps: a backup, a validated restore after the roosts are deleted, and a refused corrupt backup.</summary>
internal sealed partial class WalkthroughRunner
{
    private BackupInfo? _backup;

    private async Task<string> BackupAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken);
        var backup = await _timeline.WhileAsync("backing up", () => leader.Recovery.CreateBackupAsync(cancellationToken: cancellationToken));
        var roosts = backup.ResourceTypes.Where(t => t.Plural == ManagedRoost.Plural).Sum(t => t.Count);
        Expect(roosts == SampleRoostCount, $"Backup {backup.Id} holds {roosts} ManagedRoosts, not {SampleRoostCount}.");
        _backup = backup;
        var where = leader.Recovery.Store is DirectoryBackupStore directory ? directory.DirectoryPath : "the store";
        _timeline.Check($"{leader.Name} wrote backup {backup.Id}: {backup.ObjectCount} objects ({roosts} ManagedRoosts and the CRD), {backup.ArchiveSizeBytes} bytes, SHA-256 {backup.ArchiveSha256[..12]}… in {where}");
        return $"{backup.ObjectCount} objects, {backup.ArchiveSizeBytes} bytes";
    }

    private async Task<string> RestoreAsync(CancellationToken cancellationToken)
    {
        var backup = _backup ?? throw new StepFailedException("There is no backup to restore.");
        var leader = await LeaderAsync(cancellationToken);
        foreach (var roost in (await RoostsAsync(cancellationToken)).Items)
        {
            await Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, roost.Metadata.Name, cancellationToken: cancellationToken);
        }

        _timeline.Say("deleted every ManagedRoost (the disaster)");
        await WaitUntilAsync(async () => (await RoostConfigMapsAsync(cancellationToken)).Count == 0, "the leader to remove the ConfigMaps of the deleted roosts", Patience, cancellationToken);
        _timeline.Check($"{leader.Name} removed their ConfigMaps");

        var validation = await leader.Recovery.ValidateBackupAsync(backup.Id, cancellationToken: cancellationToken);
        Expect(validation.IsValid, $"Backup {backup.Id} failed validation: {validation.Error?.Message}");
        _timeline.Check($"backup {backup.Id} validated: archive and per-object SHA-256 match its manifest");

        var result = await _timeline.ProgressAsync("restoring", progress => leader.Recovery.RestoreFromBackupAsync(
            backup.Id, new RestoreOptions(), new Progress<RestoreProgress>(p => progress.Report(p.Total == 0 ? 0 : (double)p.Objects / p.Total)), cancellationToken));
        var created = result.Objects.Count(o => o.Outcome == RestoreOutcome.Created && o.Kind == ManagedRoost.KindName);
        Expect(result.Succeeded, $"The restore failed: {string.Join("; ", result.Objects.Where(o => o.Error is not null).Select(o => $"{o.Name}: {o.Error}"))}");
        Expect(created == SampleRoostCount, $"The restore created {created} ManagedRoosts, not {SampleRoostCount}.");
        _timeline.Check($"restored {created} ManagedRoosts ({result.Count(RestoreOutcome.Skipped)} objects already there skipped)");

        await WaitForRoostsReadyAsync(await LeaderAsync(cancellationToken), SampleRoostCount, cancellationToken);
        _timeline.Check("the leader reconciled the restored roosts: Ready, ConfigMaps back");
        return $"{created} roosts restored and Ready";
    }

    private async Task<string> CorruptBackupAsync(CancellationToken cancellationToken)
    {
        var backup = _backup ?? throw new StepFailedException("There is no backup to corrupt.");
        var leader = await LeaderAsync(cancellationToken);
        var directory = (leader.Recovery.Store as DirectoryBackupStore)?.DirectoryPath ?? throw new StepFailedException("The store is not a directory.");
        var archive = Directory.GetFiles(directory, backup.Id + ".tar*").Single();
        var bytes = await File.ReadAllBytesAsync(archive, cancellationToken);
        bytes[bytes.Length / 3] ^= 0x5A;
        await File.WriteAllBytesAsync(archive, bytes, cancellationToken);
        _timeline.Say($"flipped one byte of {Path.GetFileName(archive)} (bit rot, a truncated upload, tampering)");

        var validation = await leader.Recovery.ValidateBackupAsync(backup.Id, cancellationToken: cancellationToken);
        Expect(!validation.IsValid && validation.Error is BackupIntegrityException, "The corrupted backup passed validation.");
        _timeline.Check($"validation fails: {validation.Error!.Message}");

        var writesBefore = Cluster.Requests.CountPersistedWrites(leader.Name, ManagedRoost.Plural);
        BackupIntegrityException? refused = null;
        try
        {
            await leader.Recovery.RestoreFromBackupAsync(backup.Id, new RestoreOptions { ExistingObjects = ExistingObjectPolicy.Update }, cancellationToken: cancellationToken);
        }
        catch (BackupIntegrityException e)
        {
            refused = e;
        }

        Expect(refused is not null, "The restore of the corrupted backup was not refused.");
        Expect(Cluster.Requests.CountPersistedWrites(leader.Name, ManagedRoost.Plural) == writesBefore, "The refused restore wrote ManagedRoosts.");
        _timeline.Check($"restore refused before writing anything ({refused!.Problem})");
        return $"refused: {refused.Problem}";
    }
}
