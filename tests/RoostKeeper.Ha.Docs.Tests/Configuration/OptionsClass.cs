using System.Reflection;
using Amazon.Runtime;
using Amazon.S3;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore;
using RoostKeeper.Ha.Backups.S3;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>
/// One public options class and how the product validates it: the same registration or call a user makes
/// (AddRoostHa's validators, MapRoostHaApi, the S3 store's constructor…), so the reference is checked against
/// the real rules rather than a copy of them.
/// </summary>
internal sealed class OptionsClass
{
    private readonly Func<object> _valid;
    private readonly Func<object, IReadOnlyList<string>> _failures;
    private readonly Action<IServiceCollection>? _register;

    private OptionsClass(Type type, Func<object> valid, Func<object, IReadOnlyList<string>> failures, Action<IServiceCollection>? register)
    {
        Type = type;
        _valid = valid;
        _failures = failures;
        _register = register;
    }

    public Type Type { get; }

    /// <summary>The configuration section (the class's <c>SectionName</c> constant), or null when it binds from none.</summary>
    public string? SectionName => Type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    /// <summary>Every public options class of the four packages.</summary>
    public static IReadOnlyList<Type> PublicOptionsTypes() =>
        new[] { typeof(LeaderElectionOptions), typeof(HaApiOptions), typeof(S3BackupStoreOptions), typeof(SimulatedClusterOptions) }
            .Select(t => t.Assembly)
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The public instance properties the reference must list.</summary>
    public static IReadOnlyList<PropertyInfo> Options(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.Name != "EqualityContract")
            .ToList();

    public static OptionsClass? For(Type type) => Known.FirstOrDefault(k => k.Type == type);

    /// <summary>A valid instance: the defaults plus what is required.</summary>
    public object CreateValid() => _valid();

    /// <summary>The validation failures for <paramref name="options"/>, as the product reports them.</summary>
    public IReadOnlyList<string> Failures(object options) => _failures(options);

    /// <summary>Applies the class's configuration binding, as its Add… call registers it, to a new instance.</summary>
    public object Bind(IConfiguration configuration)
    {
        if (_register is null)
        {
            throw new InvalidOperationException($"{Type.Name} binds from no configuration.");
        }

        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        _register(services);
        using var provider = services.BuildServiceProvider();
        var options = Activator.CreateInstance(Type)!;
        var configureType = typeof(IConfigureOptions<>).MakeGenericType(Type);
        foreach (var configure in provider.GetServices(configureType))
        {
            configureType.GetMethod(nameof(IConfigureOptions<object>.Configure))!.Invoke(configure, [options]);
        }

        return options;
    }

    private static readonly IReadOnlyList<OptionsClass> Known =
    [
        FromDi<LeaderElectionOptions>(
            () => new LeaderElectionOptions { LeaseName = "roost-keeper", LeaseNamespace = "roost-system", Identity = "replica-0" },
            s => s.AddRoostHa()),
        FromDi<HealthOptions>(() => new HealthOptions(), s => s.AddRoostHa().AddHealthChecks(_ => { })),
        FromDi<RollingUpdateOptions>(() => new RollingUpdateOptions(), s => s.AddRoostHa().AddRollingUpdates()),
        FromDi<BackupOptions>(
            () =>
            {
                var o = new BackupOptions();
                o.Resources.Add(new BackupResource("", "v1", "configmaps"));
                return o;
            },
            s => s.AddRoostHa().AddBackups(b => b.IncludeConfigMaps().ToDirectory(Path.Combine(Path.GetTempPath(), "roostha-docs-tests"))),
            bindsConfiguration: false),
        FromDi<ShardingOptions>(() => new ShardingOptions(), s => s.AddRoostHa().AddShardedLeadership()),
        new(typeof(RestoreOptions), () => new RestoreOptions(), o => RestoreFailures((RestoreOptions)o), null),
        new(typeof(HaApiOptions), () => new HaApiOptions(), o => ApiFailures((HaApiOptions)o), null),
        new(typeof(S3BackupStoreOptions), () => new S3BackupStoreOptions { BucketName = "backups" }, o => S3Failures((S3BackupStoreOptions)o), null),
        new(typeof(SimulatedClusterOptions), () => new SimulatedClusterOptions(), o => SimulatorFailures((SimulatedClusterOptions)o), null),
    ];

    private static OptionsClass FromDi<T>(Func<T> valid, Action<IServiceCollection> register, bool bindsConfiguration = true)
        where T : class
    {
        // The validators AddRoostHa and its Add… calls register, run as ValidateOnStart runs them.
        var services = new ServiceCollection();
        register(services);
        var provider = services.BuildServiceProvider();
        var validators = provider.GetServices<IValidateOptions<T>>().ToList();
        return new OptionsClass(
            typeof(T),
            valid,
            o => validators.SelectMany(v => v.Validate(Microsoft.Extensions.Options.Options.DefaultName, (T)o).Failures ?? []).ToList(),
            bindsConfiguration ? register : null);
    }

    private static List<string> RestoreFailures(RestoreOptions options)
    {
        var directory = Directory.CreateTempSubdirectory("roostha-docs-");
        try
        {
            using var kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" });
            var backup = new BackupOptions();
            backup.Resources.Add(new BackupResource("", "v1", "configmaps"));
            var recovery = new RecoveryManager(kubernetes, backup, new DirectoryBackupStore(directory.FullName));
            try
            {
                // Options are checked before anything is read; a valid call then finds no such backup.
                recovery.RestoreFromBackupAsync("no-such-backup", options).GetAwaiter().GetResult();
            }
            catch (OptionsValidationException e) when (e.OptionsType == typeof(RestoreOptions))
            {
                return e.Failures.ToList();
            }
            catch (BackupNotFoundException)
            {
            }

            return [];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<string> ApiFailures(HaApiOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // A client that is never called: the endpoints are mapped, not served, and no kubeconfig is needed.
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }));
        builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost-keeper";
            o.LeaseNamespace = "roost-system";
        });
        var app = builder.Build();
        try
        {
            app.MapRoostHaApi(o =>
            {
                foreach (var property in Options(typeof(HaApiOptions)))
                {
                    property.SetValue(o, property.GetValue(options));
                }
            });
            return [];
        }
        catch (OptionsValidationException e) when (e.OptionsType == typeof(HaApiOptions))
        {
            return e.Failures.ToList();
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    private static List<string> S3Failures(S3BackupStoreOptions options)
    {
        using var s3 = new AmazonS3Client(new AnonymousAWSCredentials(), new AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true });
        try
        {
            _ = new S3BackupStore(s3, options);
            return [];
        }
        catch (OptionsValidationException e) when (e.OptionsType == typeof(S3BackupStoreOptions))
        {
            return e.Failures.ToList();
        }
    }

    private static List<string> SimulatorFailures(SimulatedClusterOptions options)
    {
        // SimulatedCluster.StartAsync runs this check before it binds a port; calling it alone keeps the probe cheap.
        var validate = typeof(SimulatedClusterOptions).GetMethod("Validate", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("SimulatedClusterOptions has no Validate method any more: check the options another way.");
        try
        {
            validate.Invoke(options, null);
            return [];
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException a)
        {
            return [$"SimulatedClusterOptions.{a.ParamName}: {a.Message}"];
        }
    }
}
