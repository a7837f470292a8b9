using System.Collections.Concurrent;
using System.Net;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Testing.Api;
using RoostKeeper.Ha.Testing.Authorization;
using RoostKeeper.Ha.Testing.Diagnostics;
using RoostKeeper.Ha.Testing.Controllers;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// An in-process Kubernetes API server on loopback that KubernetesClient talks to unchanged: any
/// group/version/resource (CustomResourceDefinitions included), optimistic concurrency, watches with
/// 410 Gone, patches, selectors and paging, a Deployment controller with rolling updates, EndpointSlices,
/// and per-client fault injection. For tests and demos of controllers without a cluster.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await SimulatedCluster.StartAsync();
/// IKubernetes a = cluster.CreateClient("replica-a");
/// cluster.Faults.Partition("replica-a");
/// </code>
/// </example>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly ObjectStore _store;
    private readonly SimulatedControllers? _controllers;
    private readonly ConcurrentBag<IKubernetes> _clients = [];
    private readonly SimulatorErrors _errors;
    private readonly RequestAccess _access;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;
    private int _disposed;

    private SimulatedCluster(WebApplication app, CancellationTokenSource stopping, ObjectStore store, SimulatedControllers? controllers,
        ClusterFaults faults, RequestLog requests, ImageHealthRules images, Uri baseAddress, RequestAccess access)
    {
        _app = app;
        _access = access;
        _errors = store.Errors;
        _stopping = stopping;
        _store = store;
        _controllers = controllers;
        Faults = faults;
        Requests = requests;
        Images = images;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The same server over HTTPS, e.g. <c>https://127.0.0.1:41235/</c>, with a self-signed certificate
    /// (<see cref="CertificateAuthority"/>). kubectl and the Python client send a token only over TLS: use
    /// <see cref="CreateKubeconfig"/> for them.
    /// </summary>
    public Uri SecureBaseAddress { get; private init; } = null!;

    /// <summary>The PEM certificate of <see cref="SecureBaseAddress"/>, to trust as its certificate authority.</summary>
    public string CertificateAuthority { get; private init; } = "";

    /// <summary>Per-client fault injection: partitions, latency and error responses.</summary>
    public ClusterFaults Faults { get; }

    /// <summary>Per-client counts of the requests the server received.</summary>
    public RequestLog Requests { get; }

    /// <summary>How the simulated kubelet runs each image (healthy, crash-looping, never ready).</summary>
    public ImageHealthRules Images { get; }

    /// <summary>
    /// What went wrong inside the simulator itself (a simulated controller's unexpected failure, a request it
    /// answered with 500 because of its own fault), oldest first. Expected races (conflicts, objects deleted
    /// under a controller) are not errors. Assert it empty at the end of a test so that a simulator bug fails
    /// the test with its cause instead of a timeout.
    /// </summary>
    public IReadOnlyList<SimulatorError> Errors => _errors.All;

    /// <summary>The resourceVersion of the latest change in the cluster.</summary>
    public long ResourceVersion => _store.CurrentResourceVersion;

    /// <summary>Starts a cluster on a free loopback port.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    public static async Task<SimulatedCluster> StartAsync(SimulatedClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatedClusterOptions();
        options.Validate();

        var stopping = new CancellationTokenSource();
        var faults = new ClusterFaults();
        var requests = new RequestLog();
        var images = new ImageHealthRules();
        var errors = new SimulatorErrors(options.LoggerFactory ?? NullLoggerFactory.Instance, options.TimeProvider);
        var store = new ObjectStore(new ResourceRegistry(), options.TimeProvider, options.WatchHistoryLimit, errors);
        var access = new RequestAccess(store, options.EnableRbac);
        if (options.EnableRbac)
        {
            BootstrapPolicy.Seed(store);
        }

        var server = new ApiServer(store, faults, requests, access, stopping.Token);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Plain HTTP for KubernetesClient; HTTPS as well, because kubectl and the Python client send credentials over TLS only.
        var certificate = ServingCertificate.Create(DateTimeOffset.UtcNow);
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));

        // The host's default lifetime is the console's: it would take SIGTERM, SIGINT and Ctrl+C from the
        // process that embeds the simulator. The cluster stops when it is disposed, never on a signal.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal));
        var secure = addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal));
        var controllers = options.RunControllers ? SimulatedControllers.Start(store, images, options.TimeProvider, options.PodStartupDelay, stopping.Token) : null;
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        SimulatorLog.Started(errors.Logger, baseAddress);
        return new SimulatedCluster(app, stopping, store, controllers, faults, requests, images, baseAddress, access)
        {
            SecureBaseAddress = new Uri(secure.EndsWith('/') ? secure : secure + "/"),
            CertificateAuthority = certificate.ExportCertificatePem(),
            _certificate = certificate,
        };
    }

    /// <summary>
    /// A KubernetesClient for this cluster whose requests carry <paramref name="name"/>, so that
    /// <see cref="Faults"/> and <see cref="Requests"/> can target it. It has no credentials, so it is
    /// <see cref="ClusterIdentity.Admin"/> and may do anything, with or without RBAC. The cluster disposes it when it stops.
    /// </summary>
    /// <param name="name">The client's name, e.g. the replica it stands for.</param>
    /// <returns>The client.</returns>
    public IKubernetes CreateClient(string name) => CreateClient(name, null);

    /// <summary>
    /// A KubernetesClient for this cluster that authenticates as <paramref name="identity"/> (with a bearer token from
    /// <see cref="CreateToken"/>) and whose requests carry <paramref name="name"/> for <see cref="Faults"/> and
    /// <see cref="Requests"/>. With <see cref="SimulatedClusterOptions.EnableRbac"/> its requests are authorized by the
    /// cluster's Roles and bindings, and a refused one fails with 403 as on a real cluster.
    /// </summary>
    /// <param name="name">The client's name, e.g. the replica it stands for.</param>
    /// <param name="identity">Who the client is, e.g. <see cref="ClusterIdentity.ServiceAccount"/>; null for <see cref="ClusterIdentity.Admin"/>.</param>
    /// <returns>The client.</returns>
    public IKubernetes CreateClient(string name, ClusterIdentity? identity)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var configuration = new KubernetesClientConfiguration { Host = BaseAddress.ToString() };
        if (identity is not null)
        {
            configuration.AccessToken = _access.Issue(identity);
        }

        var client = new Kubernetes(configuration, new ClientNameHandler(name));
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// A bearer token that authenticates as <paramref name="identity"/> until the cluster stops, for clients this
    /// class does not create: put it in a kubeconfig user (<c>token:</c>) for kubectl or the Python client. With RBAC on
    /// a request with a token the cluster did not issue is refused with 401 (without RBAC it is the admin); one
    /// without credentials is <see cref="ClusterIdentity.Admin"/>.
    /// </summary>
    /// <param name="identity">Who the token's bearer is.</param>
    /// <returns>The token.</returns>
    public string CreateToken(ClusterIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _access.Issue(identity);
    }

    /// <summary>
    /// A kubeconfig (YAML) for kubectl, the Python client or any client-go program: the cluster's HTTPS address,
    /// its certificate authority and a token from <see cref="CreateToken"/> for <paramref name="identity"/>.
    /// </summary>
    /// <param name="identity">Who the kubeconfig's user is; null for <see cref="ClusterIdentity.Admin"/>.</param>
    /// <returns>The kubeconfig's text, to write to a file and point KUBECONFIG at.</returns>
    public string CreateKubeconfig(ClusterIdentity? identity)
    {
        var authority = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(CertificateAuthority));
        var user = $"{{token: {CreateToken(identity ?? ClusterIdentity.Admin)}}}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: simulated
              cluster:
                server: {SecureBaseAddress.ToString().TrimEnd('/')}
                certificate-authority-data: {authority}
            users:
            - name: simulated
              user: {user}
            contexts:
            - name: simulated
              context:
                cluster: simulated
                user: simulated
            current-context: simulated

            """;
    }

    /// <summary>Signalled when the embedded web host begins to stop; for tests that it stops only on dispose.</summary>
    internal CancellationToken HostStopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Forgets the change history, so that any watch resuming from an earlier resourceVersion gets 410 Gone.</summary>
    public void CompactWatchHistory() => _store.CompactHistory();

    /// <summary>Stops the server and the simulated controllers, ending every open watch.</summary>
    /// <returns>A task that completes when the cluster has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _store.CloseAllWatches();
        if (_controllers is not null)
        {
            await _controllers.DisposeAsync().ConfigureAwait(false);
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stopping.Dispose();
        _certificate?.Dispose();
        SimulatorLog.Stopped(_errors.Logger);
    }
}
