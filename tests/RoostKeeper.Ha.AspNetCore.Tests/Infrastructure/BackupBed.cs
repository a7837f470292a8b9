using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

/// <summary>
/// What the backup tests back up (labelled ConfigMaps in <see cref="DataNamespace"/>), a directory store shared
/// by the replicas (as an S3 bucket would be), a gate that can hold every archive read, and HTTP helpers.
/// </summary>
internal sealed class BackupBed : IDisposable
{
    public const string DataNamespace = "roost-data";
    public const string Label = "app=roost";

    private BackupBed(IKubernetes admin, string directory)
    {
        Admin = admin;
        Directory = directory;
        Store = new GatedStore(new DirectoryBackupStore(directory));
    }

    public IKubernetes Admin { get; }

    public string Directory { get; }

    public GatedStore Store { get; }

    public static async Task<BackupBed> CreateAsync(Cluster cluster, int configMaps = 3)
    {
        var admin = cluster.Simulation.CreateClient("admin");
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = DataNamespace } });
        for (var i = 0; i < configMaps; i++)
        {
            await admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"roost-{i}", $"value-{i}"), DataNamespace);
        }

        return new BackupBed(admin, System.IO.Directory.CreateTempSubdirectory("roostha-api-backups-").FullName);
    }

    public static V1ConfigMap ConfigMap(string name, string value) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "roost" } },
        Data = new Dictionary<string, string> { ["value"] = value },
    };

    /// <summary>AddBackups of the labelled ConfigMaps into the shared store.</summary>
    public void AddBackups(IRoostHaBuilder ha) =>
        ha.AddBackups(b => b.IncludeConfigMaps(Label, DataNamespace).ToStore(_ => Store)).AddRollingUpdates();

    public static string Operator => ReplicaServer.Token("alice", "operator");

    public static async Task<HttpResponseMessage> SendAsync(ReplicaServer replica, HttpMethod method, string path, object? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = ReplicaServer.Bearer(token ?? Operator);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await replica.Http.SendAsync(request);
    }

    /// <summary>Polls an operation's Location until it has finished; returns its final document.</summary>
    public static async Task<JsonElement> FinishedAsync(ReplicaServer replica, string location)
    {
        JsonElement operation = default;
        await Cluster.Until(
            async () =>
            {
                using var response = await replica.Http.GetAsync(location);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                operation = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                return operation.GetProperty("state").GetString() != "Running";
            },
            $"operation {location} to finish");
        return operation;
    }

    /// <summary>Starts an operation (202 expected) and waits for it; returns the final document.</summary>
    public static async Task<JsonElement> RunAsync(ReplicaServer replica, string path, object? body = null)
    {
        using var response = await SendAsync(replica, HttpMethod.Post, path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location?.OriginalString;
        Assert.NotNull(location);
        return await FinishedAsync(replica, location);
    }

    /// <summary>Creates a backup through the API and returns its id.</summary>
    public static async Task<string> BackupAsync(ReplicaServer replica, string path = "/backup")
    {
        var operation = await RunAsync(replica, path);
        Assert.True(operation.GetProperty("state").GetString() == "Succeeded", operation.ToString());
        return operation.GetProperty("result").GetProperty("id").GetString()!;
    }

    public static async Task<JsonDocument> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("StackTrace", text, StringComparison.Ordinal);
        return JsonDocument.Parse(text);
    }

    public void Dispose()
    {
        Store.Open();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover folder in /tmp is harmless.
        }
    }
}

/// <summary>A store whose archive reads can be held at a gate: a restore or validation then stays running until the gate opens or it is cancelled.</summary>
internal sealed class GatedStore(IBackupStore inner) : IBackupStore
{
    private TaskCompletionSource _gate = Open_();
    private int _waiting;

    /// <summary>Reads that reached the gate while it was closed.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Close() => Interlocked.Exchange(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Open() => Volatile.Read(ref _gate).TrySetResult();

    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) => inner.BeginUploadAsync(backupId, cancellationToken);

    public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        var gate = Volatile.Read(ref _gate).Task;
        if (!gate.IsCompleted)
        {
            Interlocked.Increment(ref _waiting);
            await gate.WaitAsync(cancellationToken);
        }

        return await inner.OpenReadAsync(backupId, cancellationToken);
    }

    public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => inner.DeleteAsync(backupId, cancellationToken);

    public override string ToString() => inner.ToString() ?? "gated store";

    private static TaskCompletionSource Open_()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
