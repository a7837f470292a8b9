using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>The webhook check: the configuration's Service and endpoints, and a real TLS handshake on 127.0.0.1.</summary>
public sealed class WebhookCheckTests
{
    private const string Check = "webhook/roost-keeper-validating-webhook";

    [Fact]
    public async Task Webhook_check_is_healthy_when_its_service_has_ready_endpoints()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("webhook", "roost:v1", 1);
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "webhook");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-validating-webhook", kit.ServiceClientConfig("roost-keeper-webhook-service"));
        var health = kit.Manager(h => h.AddWebhook("roost-keeper-validating-webhook"));

        var entry = await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status == HealthStatus.Healthy);

        Assert.Contains("1 webhook(s) reachable", entry.Description);
    }

    [Fact]
    public async Task Webhook_check_fails_when_its_service_is_gone()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("webhook", "roost:v1", 1);
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "webhook");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-validating-webhook", kit.ServiceClientConfig("roost-keeper-webhook-service"));
        var health = kit.Manager(h => h.AddWebhook("roost-keeper-validating-webhook"));
        await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status == HealthStatus.Healthy);

        await kit.Admin.CoreV1.DeleteNamespacedServiceAsync("roost-keeper-webhook-service", kit.Namespace);
        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("Service roost-system/roost-keeper-webhook-service does not exist", entry.Description);
    }

    [Fact]
    public async Task Webhook_check_fails_when_its_service_has_no_ready_endpoint()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "nobody");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-validating-webhook", kit.ServiceClientConfig("roost-keeper-webhook-service"));
        var health = kit.Manager(h => h.AddWebhook("roost-keeper-validating-webhook"));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("no ready endpoints", entry.Description);
    }

    [Fact]
    public async Task Webhook_check_fails_when_no_configuration_has_the_name()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddWebhook("roost-keeper-validating-webhook"));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("No validating or mutating webhook configuration", entry.Description);
    }

    [Fact]
    public async Task Handshake_passes_with_a_certificate_in_date()
    {
        var now = DateTimeOffset.UtcNow;
        await using var server = TlsServer.Start(now.AddDays(-1), now.AddDays(90));
        var entry = await HandshakeAsync(server.Port);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("with valid certificates", entry.Description);
    }

    [Fact]
    public async Task Handshake_fails_when_the_certificate_has_expired()
    {
        var now = DateTimeOffset.UtcNow;
        await using var server = TlsServer.Start(now.AddDays(-30), now.AddDays(-1));
        var entry = await HandshakeAsync(server.Port);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("expired", entry.Description);
    }

    [Fact]
    public async Task Handshake_is_degraded_when_the_certificate_expires_soon()
    {
        var now = DateTimeOffset.UtcNow;
        await using var server = TlsServer.Start(now.AddDays(-30), now.AddDays(2));
        var entry = await HandshakeAsync(server.Port);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("expires", entry.Description);
    }

    [Fact]
    public async Task Handshake_judges_expiry_by_the_time_provider()
    {
        var now = DateTimeOffset.UtcNow;
        await using var server = TlsServer.Start(now.AddDays(-1), now.AddDays(90));
        var later = new FakeTimeProvider(now.AddDays(91));

        var entry = await HandshakeAsync(server.Port, later);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("expired", entry.Description);
    }

    [Fact]
    public async Task Handshake_fails_when_nothing_listens()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var entry = await HandshakeAsync(port);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("TLS handshake with 127.0.0.1", entry.Description);
    }

    private static async Task<HealthReportEntry> HandshakeAsync(int port, TimeProvider? time = null)
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateWebhookConfigurationAsync("roost-keeper-validating-webhook", new Admissionregistrationv1WebhookClientConfig { Url = $"https://127.0.0.1:{port}/validate" });
        var health = kit.Manager(h => h.AddWebhook("roost-keeper-validating-webhook", handshake: true), time: time);
        return (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];
    }

    /// <summary>A TLS listener on 127.0.0.1 with a self-signed certificate valid from/to the given instants.</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private TlsServer(TcpListener listener, X509Certificate2 certificate)
        {
            _listener = listener;
            _certificate = certificate;
            _loop = Task.Run(AcceptAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TlsServer Start(DateTimeOffset notBefore, DateTimeOffset notAfter)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=roost-keeper-webhook-service.roost-system.svc", key, HashAlgorithmName.SHA256);
            var sans = new SubjectAlternativeNameBuilder();
            sans.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(sans.Build());
            using var created = request.CreateSelfSigned(notBefore, notAfter);

            // Re-import so the private key is usable by SslStream on every platform.
            var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new TlsServer(listener, certificate);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _certificate.Dispose();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await using var tls = new SslStream(client.GetStream());
                            await tls.AuthenticateAsServerAsync(_certificate);
                        }
                        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                        {
                            // The probe hangs up after the handshake; nothing to serve.
                        }
                    }
                });
            }
        }
    }
}
