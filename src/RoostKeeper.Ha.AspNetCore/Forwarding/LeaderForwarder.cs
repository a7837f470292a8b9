using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Diagnostics;

namespace RoostKeeper.Ha.AspNetCore.Forwarding;

/// <summary>
/// What a follower does with leader-only work: answer 409 naming the leader (and its address when
/// <c>HaApiOptions.LeaderUrlTemplate</c> is set), or, with <c>HaApiOptions.ForwardToLeader</c>,
/// send the request on to the leader and relay its answer. The follower has already authorized the caller;
/// the leader authorizes again with the same Authorization header, so forwarding grants nothing. A forwarded
/// request carries <see cref="ForwardedHeader"/> and is never forwarded again (leadership can move while it
/// travels; the replica it reaches then answers 409 itself).
/// </summary>
internal sealed class LeaderForwarder : IDisposable
{
    /// <summary>Set on forwarded requests to the forwarding replica's identity.</summary>
    public const string ForwardedHeader = "X-RoostHa-Forwarded-By";

    /// <summary>Set on relayed answers to the leader that produced them.</summary>
    public const string LeaderHeader = "X-RoostHa-Leader";

    /// <summary>The named <see cref="HttpClient"/> used when an <see cref="IHttpClientFactory"/> is registered (for TLS, proxies, handlers).</summary>
    public const string HttpClientName = "RoostKeeper.Ha.AspNetCore.Leader";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly string[] RelayedHeaders = ["Location", "Retry-After"];

    private readonly string? _template;
    private readonly bool _forward;
    private readonly long _maxRequestBodySize;
    private readonly HaManager _manager;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IHttpClientFactory? _factory;
    private readonly Lazy<HttpClient> _own = new(() => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan });

    // The last holder refused an address, so a hostile holder is logged once, not on every request.
    private string? _lastRefused;

    /// <param name="leaderUrlTemplate">Where the leader's API is (validated by <see cref="Check"/>); null: nowhere known.</param>
    /// <param name="forwardToLeader">Forward leader-only requests rather than answer 409.</param>
    /// <param name="maxRequestBodySize">The largest body read to forward, in bytes.</param>
    /// <param name="manager">Who leads.</param>
    /// <param name="logger">Where refused holders and failed forwards are logged.</param>
    /// <param name="time">The clock of the forwarding timeout.</param>
    /// <param name="services">Where an <see cref="IHttpClientFactory"/> is found, if registered.</param>
    public LeaderForwarder(string? leaderUrlTemplate, bool forwardToLeader, long maxRequestBodySize, HaManager manager, ILogger logger, TimeProvider time, IServiceProvider services)
    {
        _template = leaderUrlTemplate;
        _forward = forwardToLeader;
        _maxRequestBodySize = maxRequestBodySize;
        _manager = manager;
        _logger = logger;
        _time = time;
        _factory = services.GetService<IHttpClientFactory>();
    }

    /// <summary>The rule <c>HaApiOptions.LeaderUrlTemplate</c> and <c>ForwardToLeader</c> must satisfy, or null when they do.</summary>
    public static string? Check(string? leaderUrlTemplate, bool forwardToLeader)
    {
        if (leaderUrlTemplate is not { } template)
        {
            return forwardToLeader ? "HaApiOptions.ForwardToLeader requires HaApiOptions.LeaderUrlTemplate (where the leader's API is)." : null;
        }

        return LeaderAddress.Check(template);
    }

    /// <summary>
    /// The leader's API address, when the template is set, a leader is known and its identity is a DNS-1123
    /// label; else null (no forwarding, no address named), with the reason logged once per holder.
    /// </summary>
    public Uri? AddressOf(string? leader)
    {
        if (leader is not { Length: > 0 } || _template is not { } template)
        {
            return null;
        }

        var address = LeaderAddress.TryBuild(template, leader, out var reason);
        if (address is null && !string.Equals(Interlocked.Exchange(ref _lastRefused, leader), leader, StringComparison.Ordinal))
        {
            AspNetCoreLog.LeaderAddressRefused(_logger, LeaderAddress.Quote(leader), reason!);
        }

        return address;
    }

    /// <summary>Whether this request should go to the leader rather than be refused (or answered) here.</summary>
    public bool ShouldForward(HttpContext context, out string leader, out Uri address)
    {
        leader = _manager.LeaderIdentity ?? "";
        address = null!;
        if (!_forward || _manager.IsLeader || leader.Length == 0 || context.Request.Headers.ContainsKey(ForwardedHeader))
        {
            return false;
        }

        address = AddressOf(leader)!;
        return address is not null;
    }

    /// <summary>Forwards to the leader when configured, else answers 409 naming the leader.</summary>
    public async Task<IResult> ForwardOrRefuseAsync(HttpContext context) =>
        ShouldForward(context, out var leader, out var address)
            ? await ForwardAsync(context, leader, address).ConfigureAwait(false)
            : Problems.NotLeader(_manager, AddressOf(_manager.LeaderIdentity));

    public async Task<IResult> ForwardAsync(HttpContext context, string leader, Uri address)
    {
        var (body, tooLarge) = await RequestBody.ReadBytesAsync(context, _maxRequestBodySize).ConfigureAwait(false);
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        var request = context.Request;
        var path = (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();

        // Appended to the authority, never resolved against it: a path such as "//host/x" stays a path.
        var target = new Uri(address.GetLeftPart(UriPartial.Authority) + path, UriKind.Absolute);
        if (!string.Equals(target.Authority, address.Authority, StringComparison.Ordinal) || target.Scheme != address.Scheme)
        {
            AspNetCoreLog.LeaderAddressRefused(_logger, LeaderAddress.Quote(leader), $"the request path would move the target to {target.Authority}");
            return Problems.NotLeader(_manager);
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.Headers.Authorization.Count > 0)
        {
            message.Headers.TryAddWithoutValidation("Authorization", request.Headers.Authorization.ToString());
        }

        message.Headers.TryAddWithoutValidation("Accept", request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : "application/json");
        message.Headers.TryAddWithoutValidation(ForwardedHeader, _manager.Identity);
        if (body.Length > 0)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } contentType)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        using var timeout = new CancellationTokenSource(Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        var client = _factory?.CreateClient(HttpClientName) ?? _own.Value;
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in RelayedHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    headers[name] = string.Join(", ", values);
                }
            }

            AspNetCoreLog.Forwarded(_logger, request.Method, path, leader, address, (int)response.StatusCode);
            return new RelayedResult((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), headers, bytes, leader);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
        {
            var reason = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : e.Message;
            AspNetCoreLog.ForwardFailed(_logger, request.Method, path, leader, address, reason);
            return Problems.LeaderUnreachable(leader, address, reason);
        }
    }

    public void Dispose()
    {
        if (_own.IsValueCreated)
        {
            _own.Value.Dispose();
        }
    }

    /// <summary>The leader's answer, relayed as it came: status, content type, Location and Retry-After, body.</summary>
    private sealed class RelayedResult(int status, string? contentType, IReadOnlyDictionary<string, string> headers, byte[] body, string leader) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                response.Headers[name] = value;
            }

            response.Headers[LeaderHeader] = leader;
            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
