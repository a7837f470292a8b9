using k8s;
using k8s.Models;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Hosting;
using RoostKeeper.Ha.Sample.Tests.Infrastructure;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Sample.Tests.Hosting;

/// <summary>
/// The real-cluster mode, pointed by --kubeconfig at a SimulatedCluster the test owns: the sample knows only the
/// kubeconfig, so this runs exactly the code path a real cluster gets.
/// </summary>
public sealed class RealClusterReplicaTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task With_a_kubeconfig_one_replica_applies_the_CRD_leads_reconciles_serves_metrics_and_releases_the_Lease_on_Ctrl_C()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        using var client = cluster.CreateClient("test");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "birds" } });
        var kubeconfig = Path.Combine(Path.GetTempPath(), "roost-keeper-sample-tests", Guid.NewGuid().ToString("N") + ".kubeconfig");
        Directory.CreateDirectory(Path.GetDirectoryName(kubeconfig)!);
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: simulated
              cluster: {server: "{{cluster.BaseAddress.ToString().TrimEnd('/')}}"}
            users:
            - name: simulated
              user: {token: simulated}
            contexts:
            - name: simulated
              context: {cluster: simulated, user: simulated}
            current-context: simulated
            """);

        var metricsPort = FreePort();
        using var sample = SampleProcess.Start([
            "--kubeconfig", kubeconfig, "--namespace", "birds", "--apply-crd", "--urls", "http://127.0.0.1:0",
            "--metrics-url", $"http://127.0.0.1:{metricsPort}",
            "--RoostHa:LeaseDuration=00:00:04", "--RoostHa:RenewDeadline=00:00:03", "--RoostHa:RetryPeriod=00:00:00.500",
            "--ManagedRoost:ResyncPeriod=00:00:00.250"]);

        await WaitForAsync(async () => (await client.ApiextensionsV1.ListCustomResourceDefinitionAsync()).Items.Any(c => c.Metadata.Name == ManagedRoost.DefinitionName), sample, "the CRD");
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(ManagedRoost.Create("heron", "heron", 2), ManagedRoost.Group, ManagedRoost.Version, "birds", ManagedRoost.Plural);
        ManagedRoost? heron = null;
        await WaitForAsync(
            async () =>
            {
                heron = await client.CustomObjects.GetNamespacedCustomObjectAsync<ManagedRoost>(ManagedRoost.Group, ManagedRoost.Version, "birds", ManagedRoost.Plural, "heron");
                return heron.Status?.Phase == "Ready";
            },
            sample, "heron to be Ready");
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(ReplicaApplication.LeaseName, "birds");
        Assert.Equal(lease.Spec.HolderIdentity, heron!.Status!.Leader);
        Assert.NotNull(await client.CoreV1.ReadNamespacedConfigMapAsync("roost-heron", "birds"));
        using (var http = new HttpClient())
        {
            var scrape = await http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics");
            Assert.Contains("roost_keeper_reconcile_total{", scrape, StringComparison.Ordinal);
            Assert.Contains("result=\"success\"", scrape, StringComparison.Ordinal);
        }

        sample.Interrupt();

        Assert.Equal(0, await sample.WaitForExitAsync(Patience));
        lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(ReplicaApplication.LeaseName, "birds");
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity), $"the Lease is still held by {lease.Spec.HolderIdentity} after a graceful stop; output:\n{sample.Output}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits for <paramref name="what"/>; stops waiting early if the sample exits, and shows its output either way.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition, SampleProcess sample, string what)
    {
        await Eventually.UntilAsync(async () => sample.HasExited || await condition(), what, Patience, TimeSpan.FromMilliseconds(100), () => $"the sample's output:\n{sample.Output}");
        Assert.False(sample.HasExited, $"The sample exited while waiting for {what}; its output:\n{sample.Output}");
    }
}
