using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Micro;

/// <summary>
/// The cost of one leader renewal through KubernetesClient against SimulatedCluster on loopback, in the
/// two request patterns: ours (one conditional PUT of the Lease we hold) and the polling elector's
/// (GET the Lease, then PUT it).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class RenewRoundTripBenchmarks
{
    private const string Namespace = "bench";
    private const string LeaseName = "renew-bench";

    private SimulatedCluster? _cluster;
    private IKubernetes? _client;
    private V1Lease? _lease;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _cluster = await SimulatedCluster.StartAsync();
        _client = _cluster.CreateClient("bench");
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        _lease = await _client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = Namespace },
                Spec = new V1LeaseSpec { HolderIdentity = "bench", LeaseDurationSeconds = 15, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow, LeaseTransitions = 0 },
            },
            Namespace);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Ours: the leader PUTs the Lease it last wrote (its resourceVersion makes the write conditional).</summary>
    [Benchmark(Baseline = true, Description = "Renew: PUT (RoostKeeper.Ha)")]
    public async Task<V1Lease> RenewWithPut()
    {
        _lease!.Spec.RenewTime = DateTime.UtcNow;
        _lease = await _client!.CoordinationV1.ReplaceNamespacedLeaseAsync(_lease, LeaseName, Namespace);
        return _lease;
    }

    /// <summary>KubernetesClient's LeaderElector pattern: read the Lease, then PUT it.</summary>
    [Benchmark(Description = "Renew: GET + PUT (KubernetesClient pattern)")]
    public async Task<V1Lease> RenewWithGetAndPut()
    {
        var current = await _client!.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, Namespace);
        current.Spec.RenewTime = DateTime.UtcNow;
        _lease = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, LeaseName, Namespace);
        return _lease;
    }

    /// <summary>
    /// ShortRun's single launch, in process, with 10 warm-ups and 15 iterations instead of 3 and 3: with 3,
    /// the first benchmark was still being tiered up by the JIT (the server's code path is shared) and the
    /// confidence interval was wider than the mean on this noisy 2-core machine. About a minute in all.
    /// </summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithWarmupCount(10).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
    }
}
