using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Encryption;

namespace RoostKeeper.Ha.Tests.Recovery;

public sealed class OptionsTests
{
    [Fact]
    public async Task Secrets_without_encryption_are_refused_with_a_clear_error()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var e = Assert.Throws<OptionsValidationException>(() => bed.Manager("backup", RecoveryTestBed.Options(secrets: true, encrypt: false)));
        Assert.Contains("Secrets", e.Message, StringComparison.Ordinal);
        Assert.Contains("EncryptionKey", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Cluster.Requests.Count("backup"));
    }

    [Theory]
    [InlineData("not a cron", "BackupOptions.Schedule")]
    [InlineData("0 0 * * *", "shorter than the interval")]
    public void Schedule_rules_name_the_option(string schedule, string expected)
    {
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        options.Schedule = schedule;
        options.Retention = new BackupRetention(3, TimeSpan.FromHours(1));
        var result = new BackupOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_count_below_one_and_empty_resources_fail_validation()
    {
        var options = new BackupOptions { Retention = new BackupRetention(0, null), PageSize = 1 };
        var result = new BackupOptionsValidator().Validate(null, options);
        Assert.Contains("BackupOptions.Retention.Count (0)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BackupOptions.Resources is empty", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BackupOptions.PageSize (1)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_durations_written_as_configuration_writes_them()
    {
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        options.PageSize = 5001;
        options.Schedule = "0 0 * * *";
        options.Retention = new BackupRetention(3, TimeSpan.FromHours(1));

        var e = Assert.Throws<OptionsValidationException>(() => BackupOptionsValidator.ThrowIfInvalid(options));

        Assert.Equal(typeof(BackupOptions), e.OptionsType);
        Assert.Collection(
            e.Failures,
            f => Assert.Equal("BackupOptions.PageSize (5001) must be from 10 to 5000.", f),
            f => Assert.StartsWith("BackupOptions.Retention.MaxAge (3600s) is shorter than the interval of BackupOptions.Schedule (\"0 0 * * *\", 86400s)", f, StringComparison.Ordinal));

        options.Retention = new BackupRetention(3, TimeSpan.FromMinutes(-1));
        Assert.Contains("BackupOptions.Retention.MaxAge (-60000ms) must be greater than zero.", BackupOptionsValidator.Failures(options));
    }

    [Fact]
    public void Keys_must_be_32_bytes()
    {
        var e = Assert.Throws<ArgumentException>(() => BackupEncryptionKey.FromBytes(new byte[16]));
        Assert.Contains("32 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_file_holding_base64_or_raw_bytes_is_accepted_and_other_content_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("roostha-key");
        try
        {
            var raw = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "b64"), Convert.ToBase64String(raw) + "\n");
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "raw"), raw);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "bad"), "hunter2");
            using var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });

            var fromB64 = await BackupEncryptionKey.FromFile(Path.Combine(dir.FullName, "b64")).ResolveAsync(client, default);
            var fromRaw = await BackupEncryptionKey.FromFile(Path.Combine(dir.FullName, "raw")).ResolveAsync(client, default);
            var given = await RecoveryTestBed.Key.ResolveAsync(client, default);

            Assert.Equal(given.Id, fromB64.Id);
            Assert.Equal(given.Id, fromRaw.Id);
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BackupEncryptionKey.FromFile(Path.Combine(dir.FullName, "bad")).ResolveAsync(client, default));
            Assert.Contains("openssl rand -base64 32", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_key_from_a_Secret_encrypts_and_restores()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        await bed.Admin.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = "keys" } });
        await bed.Admin.CoreV1.CreateNamespacedSecretAsync(new k8s.Models.V1Secret
        {
            Metadata = new() { Name = "backup-key" },
            Data = new Dictionary<string, byte[]> { ["backup-key"] = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray())) },
        }, "keys");
        var options = RecoveryTestBed.Options();
        options.EncryptionKey = BackupEncryptionKey.FromSecret("keys", "backup-key");
        var manager = bed.Manager("backup", options);

        var backup = await manager.CreateBackupAsync();

        Assert.Equal((await RecoveryTestBed.Key.ResolveAsync(bed.Admin, default)).Id, backup.Encryption!.KeyId);
        Assert.True((await bed.Manager("other", RecoveryTestBed.Options()).ValidateBackupAsync(backup.Id)).IsValid);
    }

    [Fact]
    public async Task AddBackups_fails_start_up_for_Secrets_without_encryption_naming_the_rule()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(bed.Cluster.CreateClient("host"));
        builder.Services.AddRoostHa(o => { o.LeaseNamespace = "default"; o.LeaseName = "roost-keeper"; o.Identity = "replica-a"; })
            .AddBackups(b => b.Include(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural).IncludeSecrets("app=roost-keeper").ToDirectory(bed.Directory));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Secrets are backed up only with encryption on", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBackups_without_a_store_fails_start_up()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(bed.Cluster.CreateClient("host"));
        builder.Services.AddRoostHa(o => { o.LeaseNamespace = "default"; o.LeaseName = "roost-keeper"; o.Identity = "replica-a"; }).AddBackups(b => b.IncludeConfigMaps());
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ToDirectory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBackups_registers_a_RecoveryManager_that_backs_up_what_the_builder_selected()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var services = new ServiceCollection();
        services.AddSingleton(bed.Cluster.CreateClient("di"));
        services.AddRoostHa(o => { o.LeaseNamespace = "default"; o.LeaseName = "roost-keeper"; o.Identity = "replica-a"; })
            .AddBackups(b => b.Include(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural)
                .IncludeConfigMaps("app=roost-keeper")
                .IncludeSecrets("app=roost-keeper")
                .Encrypt(RecoveryTestBed.Key)
                .ToDirectory(bed.Directory)
                .Retain(count: 14, maxAge: TimeSpan.FromDays(30))
                .Schedule("0 */6 * * *"));
        await using var provider = services.BuildServiceProvider();

        var backup = await provider.GetRequiredService<RecoveryManager>().CreateBackupAsync();

        Assert.Equal([3L, 1L, 1L, 1L], backup.ResourceTypes.Select(t => t.Count).OrderDescending());
        Assert.NotNull(backup.Encryption);
    }

    [Fact]
    public async Task With_AddHealthChecks_a_restore_is_verified_by_the_HealthManager_checks()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var services = new ServiceCollection();
        services.AddSingleton(bed.Cluster.CreateClient("di"));
        services.AddRoostHa(o => { o.LeaseNamespace = "default"; o.LeaseName = "roost-keeper"; o.Identity = "replica-a"; })
            .AddHealthChecks(h => h.AddKubernetesApi(name: "api"), o => o.Namespace = "default")
            .AddBackups(b => b.Include(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural).ToDirectory(bed.Directory));
        await using var provider = services.BuildServiceProvider();
        var manager = provider.GetRequiredService<RecoveryManager>();
        var backup = await manager.CreateBackupAsync();

        var healthy = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.NotNull(healthy.Health);
        Assert.Equal(["api"], healthy.Health.Entries.Keys);
        Assert.Equal(HealthStatus.Healthy, healthy.Health.Status);
        Assert.True(healthy.Succeeded);
    }
}
