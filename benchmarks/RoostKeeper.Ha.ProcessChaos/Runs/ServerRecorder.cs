using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RoostKeeper.Ha.ProcessChaos.Replica;

namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>An accepted write of one of the controller's objects, as the API server recorded it.</summary>
internal sealed record AcceptedWrite(long ResourceVersion, string Name, long Seq, long Term, string Holder, bool Deleted);

/// <summary>An accepted write of the Lease: the record after it.</summary>
internal sealed record AcceptedLease(long ResourceVersion, string? Holder, long Term, long SeenAt);

/// <summary>
/// What the API server accepted, in its own order: a watch (plain HTTP, not through any proxy) on the
/// ConfigMaps and on the Leases of the namespace, started before the replicas, resumed from the last
/// resourceVersion if it ends.
/// </summary>
internal sealed class ServerRecorder : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<AcceptedWrite> _writes = [];
    private readonly List<AcceptedLease> _leases = [];
    private readonly Task[] _watches;
    private readonly TaskCompletionSource _leasesStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _mapsStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerRecorder(Uri server, string @namespace)
    {
        _http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        _watches =
        [
            WatchAsync($"api/v1/namespaces/{@namespace}/configmaps", OnMap, _mapsStarted),
            WatchAsync($"apis/coordination.k8s.io/v1/namespaces/{@namespace}/leases", OnLease, _leasesStarted),
        ];
    }

    public Task Started => Task.WhenAll(_mapsStarted.Task, _leasesStarted.Task);

    public string? Error { get; private set; }

    public IReadOnlyList<AcceptedWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes.OrderBy(w => w.ResourceVersion)];
            }
        }
    }

    public IReadOnlyList<AcceptedLease> Leases
    {
        get
        {
            lock (_gate)
            {
                return [.. _leases.OrderBy(l => l.ResourceVersion)];
            }
        }
    }

    /// <summary>The Lease record as last seen: holder and term.</summary>
    public AcceptedLease? Lease
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count == 0 ? null : _leases.MaxBy(l => l.ResourceVersion);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watches);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task WatchAsync(string path, Action<string, JsonElement> onEvent, TaskCompletionSource started)
    {
        var resourceVersion = "";
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var query = resourceVersion.Length == 0 ? "?watch=true" : $"?watch=true&resourceVersion={resourceVersion}";
                using var response = await _http.GetAsync(path + query, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                response.EnsureSuccessStatusCode();
                started.TrySetResult();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    using var document = JsonDocument.Parse(line);
                    var type = document.RootElement.GetProperty("type").GetString()!;
                    var item = document.RootElement.GetProperty("object");
                    if (type == "ERROR")
                    {
                        // 410 Gone would lose events: that is a harness failure, not a finding.
                        Error = "watch error: " + item.GetRawText();
                        resourceVersion = "";
                        break;
                    }

                    resourceVersion = item.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
                    onEvent(type, item);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private void OnMap(string type, JsonElement map)
    {
        var meta = map.GetProperty("metadata");
        var data = map.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        string Get(string key) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(key, out var v) ? v.GetString() ?? "" : "";
        var write = new AcceptedWrite(
            long.Parse(meta.GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture),
            meta.GetProperty("name").GetString()!,
            long.TryParse(Get(ObjectWriter.SeqKey), CultureInfo.InvariantCulture, out var seq) ? seq : -1,
            long.TryParse(Get(ObjectWriter.TermKey), CultureInfo.InvariantCulture, out var term) ? term : -1,
            Get(ObjectWriter.HolderKey),
            type == "DELETED");
        lock (_gate)
        {
            _writes.Add(write);
        }
    }

    private void OnLease(string type, JsonElement lease)
    {
        var meta = lease.GetProperty("metadata");
        var spec = lease.TryGetProperty("spec", out var s) ? s : default;
        var holder = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("holderIdentity", out var h) ? h.GetString() : null;
        var term = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("leaseTransitions", out var t) ? t.GetInt64() : 0;
        var record = new AcceptedLease(long.Parse(meta.GetProperty("resourceVersion").GetString()!, CultureInfo.InvariantCulture), type == "DELETED" ? null : holder, term, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            _leases.Add(record);
        }
    }
}
