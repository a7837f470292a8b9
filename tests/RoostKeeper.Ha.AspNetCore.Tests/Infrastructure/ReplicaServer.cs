using System.Net.Http.Headers;
using System.Text;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RoostKeeper.Ha.AspNetCore;

namespace RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

/// <summary>
/// One controller replica served by a real Kestrel on 127.0.0.1 (port 0): AddRoostHa with its own named
/// client of the simulated cluster, the API check (ready) and the leader election check (live), JWT bearer
/// authentication with a test signing key, and the policy <see cref="OperatorPolicy"/> (claim role=operator).
/// </summary>
internal sealed class ReplicaServer : IAsyncDisposable
{
    public const string OperatorPolicy = "roost-operators";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "roost-keeper-api";

    // Shorter than production timings to keep tests quick, with headroom for a loaded 2-core machine.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    private static readonly SymmetricSecurityKey SigningKey = new(Encoding.UTF8.GetBytes("roost-keeper-tests-signing-key-of-at-least-256-bits!"));

    private readonly WebApplication _app;
    private bool _stopped;

    private ReplicaServer(string name, WebApplication app, LogCollector logs)
    {
        Name = name;
        _app = app;
        Logs = logs;
        Manager = app.Services.GetRequiredService<HaManager>();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        BaseAddress = address;
    }

    public string Name { get; }

    public string BaseAddress { get; }

    public HaManager Manager { get; }

    public HttpClient Http { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a replica; <paramref name="api"/> sets the API options (the operator policy by default).</summary>
    public static async Task<ReplicaServer> StartAsync(string name, IKubernetes client, string leaseNamespace, Action<HaApiOptions>? api = null, string probePrefix = "", bool healthChecks = true,
        Action<IRoostHaBuilder>? ha = null, Action<IServiceCollection>? services = null, Action<IEndpointConventionBuilder>? conventions = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var logs = new LogCollector();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(client);
        var roost = builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost-keeper-controller";
            o.LeaseNamespace = leaseNamespace;
            o.Identity = name;
            o.LeaseDuration = LeaseDuration;
            o.RenewDeadline = RenewDeadline;
            o.RetryPeriod = RetryPeriod;
        });
        if (healthChecks)
        {
            // StepDownWhenUnhealthy makes each replica publish its health Lease, which the status page lists.
            roost.AddHealthChecks(h => h.AddKubernetesApi().AddLeaderElection(), o => o.Interval = TimeSpan.FromMilliseconds(500))
                .StepDownWhenUnhealthy(TimeSpan.FromMinutes(5));
        }

        ha?.Invoke(roost);
        services?.Invoke(builder.Services);
        builder.Services.AddAuthentication().AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = SigningKey,
                RoleClaimType = "role",
                NameClaimType = "sub",
            };
        });
        builder.Services.AddAuthorization(o => o.AddPolicy(OperatorPolicy, p => p.RequireAuthenticatedUser().RequireRole("operator")));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRoostHaProbes(probePrefix);
        var mapped = app.MapRoostHaApi(api ?? (o => o.MutationPolicy = OperatorPolicy));
        conventions?.Invoke(mapped);
        await app.StartAsync();
        return new ReplicaServer(name, app, logs);
    }

    /// <summary>A signed token as an identity provider would issue it.</summary>
    public static string Token(string subject, string? role, string? audience = Audience, DateTime? expires = null, SecurityKey? key = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (role is not null)
        {
            claims["role"] = role;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = DateTime.UtcNow.AddMinutes(-5),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
