using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using RoostKeeper.Ha.DependencyInjection;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Tests.DependencyInjection;

/// <summary>Without an IKubernetes of the application's, AddRoostHa uses the cluster kubectl would use, or says why it cannot.</summary>
public sealed class ClusterResolutionTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("roost-kubeconfig-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void KUBECONFIG_wins_over_the_home_kubeconfig_with_kubectl_list_semantics()
    {
        var home = Home(Kubeconfig("cluster-a", "https://a.example:6443", "ns-a", token: "token-a"));
        var b = Write("b.yaml", Kubeconfig("cluster-b", "https://b.example:6443", "team-b", token: "s3cr3t-b"));
        var c = Write("c.yaml", Kubeconfig("cluster-c", "https://c.example:6443", "team-c", token: "token-c"));
        var missing = Path.Combine(_dir.FullName, "missing.yaml");
        var logs = new LogCollector();

        // A missing file is skipped; of the rest, the first to set current-context wins (kubectl's merge).
        using var provider = Services(Locator(home, $"{missing}{Path.PathSeparator}{b}{Path.PathSeparator}{c}"), logs, o => o.LeaseName = "roost").BuildServiceProvider();
        var client = (Kubernetes)provider.GetRequiredService<IKubernetes>();
        var options = provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;

        Assert.Equal("b.example", client.BaseUri.Host);
        Assert.Equal("team-b", options.LeaseNamespace);
        var found = Assert.Single(logs.WithId(1014));
        Assert.Equal(LogLevel.Information, found.Level);
        Assert.Contains("https://b.example:6443", found.Message, StringComparison.Ordinal);
        Assert.Contains("cluster-b-context", found.Message, StringComparison.Ordinal);
        Assert.Contains("KUBECONFIG=", found.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public void Home_kubeconfig_is_used_when_KUBECONFIG_is_not_set()
    {
        var home = Home(Kubeconfig("cluster-a", "https://a.example:6443", "ns-a", token: "token-a"));
        using var provider = Services(Locator(home, kubeconfig: null), new LogCollector(), o => o.LeaseName = "roost").BuildServiceProvider();

        Assert.Equal("a.example", ((Kubernetes)provider.GetRequiredService<IKubernetes>()).BaseUri.Host);
        Assert.Equal("ns-a", provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value.LeaseNamespace);
    }

    [Fact]
    public void An_explicit_LeaseNamespace_beats_the_context_namespace()
    {
        var home = Home(Kubeconfig("cluster-a", "https://a.example:6443", "ns-a", token: "token-a"));
        using var provider = Services(Locator(home, kubeconfig: null), new LogCollector(), o => (o.LeaseName, o.LeaseNamespace) = ("roost", "mine")).BuildServiceProvider();

        Assert.Equal("mine", provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value.LeaseNamespace);
    }

    [Fact]
    public void KUBECONFIG_naming_only_missing_files_does_not_fall_back_to_the_home_kubeconfig()
    {
        var home = Home(Kubeconfig("cluster-a", "https://a.example:6443", "ns-a", token: "token-a"));
        var missing = Path.Combine(_dir.FullName, "nope.yaml");
        using var provider = Services(Locator(home, missing), new LogCollector(), o => (o.LeaseName, o.LeaseNamespace) = ("roost", "ns")).BuildServiceProvider();

        var e = Assert.Throws<ClusterConnectionException>(() => provider.GetRequiredService<IKubernetes>());
        Assert.Contains($"KUBECONFIG={missing}: the file does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_cluster_at_all_fails_start_up_with_one_message_naming_what_was_looked_for_and_the_three_fixes()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Locator(_dir.FullName, kubeconfig: null));
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace) = ("roost", "roost-system"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<ClusterConnectionException>(() => host.StartAsync());

        Assert.Null(e.InnerException);
        Assert.Equal(3, e.Searched.Count);
        Assert.Contains("not running in a pod", e.Message, StringComparison.Ordinal);
        Assert.Contains("KUBECONFIG: not set", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.FullName, ".kube", "config") + ": does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains("run in a pod", e.Message, StringComparison.Ordinal);
        Assert.Contains("set KUBECONFIG", e.Message, StringComparison.Ordinal);
        Assert.Contains("AddSingleton<IKubernetes>", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_cluster_does_not_hide_an_invalid_option()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Locator(_dir.FullName, kubeconfig: null));
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.RenewDeadline) = ("roost", "roost-system", TimeSpan.FromSeconds(20)));
        using var host = builder.Build();

        // Resolving the manager is what MapRoostHaApi does before the host starts.
        var early = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<HaManager>());
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RoostHa:LeaseDuration (15s) must be greater than RenewDeadline (20s)", early.Message, StringComparison.Ordinal);
        Assert.Contains("RoostHa:LeaseDuration (15s) must be greater than RenewDeadline (20s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubeconfig_without_a_current_context_is_refused_naming_the_file()
    {
        var home = Home("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
        using var provider = Services(Locator(home, kubeconfig: null), new LogCollector(), o => (o.LeaseName, o.LeaseNamespace) = ("roost", "ns")).BuildServiceProvider();

        var e = Assert.Throws<ClusterConnectionException>(() => provider.GetRequiredService<IKubernetes>());
        Assert.Contains(Path.Combine(home, ".kube", "config"), e.Message, StringComparison.Ordinal);
        Assert.Contains("no current-context", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_applications_own_client_is_used_and_no_kubeconfig_is_read()
    {
        var client = Mock.Of<IKubernetes>();
        var services = new ServiceCollection();
        services.AddSingleton(new ClusterLocator(_ => throw new InvalidOperationException("read the environment"), () => false, () => throw new InvalidOperationException("in cluster"), _dir.FullName));
        services.AddRoostHa(o => o.LeaseName = "roost");
        services.AddSingleton(client); // registered after AddRoostHa: still the one used
        using var provider = services.BuildServiceProvider();

        Assert.Same(client, provider.GetRequiredService<IKubernetes>());
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value);
        Assert.Contains("RoostHa:LeaseNamespace is required outside a pod", e.Message, StringComparison.Ordinal);
    }

    private ServiceCollection Services(ClusterLocator locator, LogCollector logs, Action<LeaderElectionOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(logs);
        services.AddSingleton(locator);
        services.AddRoostHa(configure);
        return services;
    }

    private static ClusterLocator Locator(string home, string? kubeconfig) =>
        new(name => name == ClusterLocator.KubeconfigVariable ? kubeconfig : null, () => false, () => throw new InvalidOperationException("not in a pod"), home);

    private string Home(string kubeconfig)
    {
        var home = Directory.CreateDirectory(Path.Combine(_dir.FullName, "home")).FullName;
        Directory.CreateDirectory(Path.Combine(home, ".kube"));
        File.WriteAllText(Path.Combine(home, ".kube", "config"), kubeconfig);
        return home;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Kubeconfig(string cluster, string server, string ns, string token) => $"""
        apiVersion: v1
        kind: Config
        current-context: {cluster}-context
        clusters:
        - name: {cluster}
          cluster:
            server: {server}
            insecure-skip-tls-verify: true
        users:
        - name: {cluster}-user
          user:
            token: {token}
        contexts:
        - name: {cluster}-context
          context:
            cluster: {cluster}
            user: {cluster}-user
            namespace: {ns}
        """;
}
