using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Recovery.Encryption;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Recovery;

/// <summary>Configures backups inside <c>AddBackups(b => ...)</c>. Every call adds to <see cref="BackupOptions"/>.</summary>
public sealed class BackupBuilder
{
    internal BackupBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for store packages that add their own extension (e.g. ToS3).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Includes a custom resource type (and, by default, its CustomResourceDefinition).</summary>
    /// <param name="group">The API group, e.g. "roost.birb.party".</param>
    /// <param name="version">The version, e.g. "v1alpha1".</param>
    /// <param name="plural">The plural name, e.g. "managedroosts".</param>
    /// <param name="namespace">Only this namespace; null for all.</param>
    /// <param name="labelSelector">Only objects matching this label selector; null for all.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder Include(string group, string version, string plural, string? @namespace = null, string? labelSelector = null) =>
        Configure(o => o.Resources.Add(new BackupResource(group, version, plural, @namespace, labelSelector)));

    /// <summary>Includes ConfigMaps.</summary>
    /// <param name="labelSelector">Only ConfigMaps matching this label selector; null for all.</param>
    /// <param name="namespace">Only this namespace; null for all.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder IncludeConfigMaps(string? labelSelector = null, string? @namespace = null) =>
        Configure(o => o.Resources.Add(new BackupResource("", "v1", "configmaps", @namespace, labelSelector)));

    /// <summary>Includes Secrets; requires <see cref="Encrypt"/> (start-up fails otherwise).</summary>
    /// <param name="labelSelector">Only Secrets matching this label selector; null for all.</param>
    /// <param name="namespace">Only this namespace; null for all.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder IncludeSecrets(string? labelSelector = null, string? @namespace = null) =>
        Configure(o => o.Resources.Add(new BackupResource("", "v1", "secrets", @namespace, labelSelector)));

    /// <summary>Includes Namespace objects (their labels and annotations), restored before anything in them.</summary>
    /// <param name="labelSelector">Only namespaces matching this label selector; null for all.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder IncludeNamespaces(string? labelSelector = null) =>
        Configure(o => o.Resources.Add(new BackupResource("", "v1", "namespaces", null, labelSelector)));

    /// <summary>Keeps backups in a directory (<see cref="DirectoryBackupStore"/>).</summary>
    /// <param name="path">The directory, e.g. a mounted volume.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder ToDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ToStore(_ => new DirectoryBackupStore(path));
    }

    /// <summary>Keeps backups in the store <paramref name="factory"/> creates (replacing any store set before).</summary>
    /// <param name="factory">Creates the store.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder ToStore(Func<IServiceProvider, IBackupStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<IBackupStore>();
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>Encrypts backups with AES-256-GCM under <paramref name="key"/> (from bytes, a file or a Secret).</summary>
    /// <param name="key">The key.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder Encrypt(BackupEncryptionKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Configure(o => o.EncryptionKey = key);
    }

    /// <summary>Keeps at most <paramref name="count"/> backups and none older than <paramref name="maxAge"/> (the newest is always kept).</summary>
    /// <param name="count">Most backups kept; null for no limit.</param>
    /// <param name="maxAge">Oldest age kept; null for no limit.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder Retain(int? count = null, TimeSpan? maxAge = null) =>
        Configure(o => o.Retention = new BackupRetention(count, maxAge));

    /// <summary>Backs up on a cron schedule (5 fields, UTC), on the leader only.</summary>
    /// <param name="cron">The cron expression, e.g. "0 */6 * * *".</param>
    /// <returns>This builder.</returns>
    public BackupBuilder Schedule(string cron)
    {
        ArgumentException.ThrowIfNullOrEmpty(cron);
        return Configure(o => o.Schedule = cron);
    }

    /// <summary>
    /// Runs <paramref name="check"/> after each restore that wrote, instead of the <c>HealthManager</c> that
    /// <c>AddHealthChecks</c> registers; its report is in <see cref="RestoreResult.Health"/>.
    /// </summary>
    /// <param name="check">The check, e.g. the HealthManager's.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder VerifyHealthWith(Func<IServiceProvider, CancellationToken, Task<HealthReport>> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        Services.RemoveAll<BackupHealthCheckRegistration>();
        Services.AddSingleton(new BackupHealthCheckRegistration(check));
        return this;
    }

    /// <summary>Sets any other option.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public BackupBuilder Configure(Action<BackupOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
