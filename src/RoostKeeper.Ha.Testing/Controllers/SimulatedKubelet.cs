using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// Plays every node's kubelet: a pod stays Pending for the cluster's pod startup delay,
/// then runs with an IP, and its containers are ready, crash-looping or never ready as
/// <see cref="ImageHealthRules"/> say. Running pods are looked at again every startup delay, so a rule
/// changed by a test reaches pods that already run, and crash loops keep restarting.
/// </summary>
internal sealed partial class SimulatedKubelet : IAsyncDisposable
{
    private static readonly TimeSpan MinimumPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ObjectStore _store;
    private readonly ImageHealthRules _images;
    private readonly TimeProvider _time;
    private readonly TimeSpan _startupDelay;
    private readonly TimeSpan _pollInterval;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRestart = new(StringComparer.Ordinal);
    private readonly ControllerLoop _loop;
    private int _nextAddress;

    public SimulatedKubelet(ObjectStore store, ImageHealthRules images, TimeProvider time, TimeSpan startupDelay, CancellationToken stopping)
    {
        _store = store;
        _images = images;
        _time = time;
        _startupDelay = startupDelay;
        _pollInterval = startupDelay > MinimumPollInterval ? startupDelay : MinimumPollInterval;
        _loop = new ControllerLoop(
            store,
            _time,
            [new WatchSource(ResourceRegistry.Pods, KeysFor)],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private IEnumerable<ObjectKey> KeysFor(WatchEvent e)
    {
        if (e.Type == "DELETED" && ObjectMeta.Uid(e.Object) is { } uid)
        {
            _firstSeen.TryRemove(uid, out _);
            _lastRestart.TryRemove(uid, out _);
            return [];
        }

        return [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))];
    }

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var pod = _store.TryGet(ResourceRegistry.Pods, key.Namespace, key.Name);
        if (pod is null || ObjectMeta.IsDeleting(pod) || ObjectMeta.Uid(pod) is not { } uid)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var phase = JsonFields.String(pod["status"]?["phase"]);
        if (phase is "Succeeded" or "Failed")
        {
            return null;
        }

        if (phase != "Running")
        {
            var since = _firstSeen.GetOrAdd(uid, now);
            var remaining = since + _startupDelay - now;
            if (remaining > TimeSpan.Zero)
            {
                _store.Mutate(ResourceRegistry.Pods, key.Namespace, key.Name, p => MarkScheduled(p, now), statusOnly: true);
                return remaining;
            }
        }

        _store.Mutate(ResourceRegistry.Pods, key.Namespace, key.Name, p => Run(p, uid, now), statusOnly: true);
        return _pollInterval;
    }

    private static void MarkScheduled(JsonObject pod, DateTimeOffset now)
    {
        var status = JsonFields.Object(pod, "status");
        status["phase"] ??= "Pending";
        StatusConditions.Set(pod, "PodScheduled", "True", null, null, now);
    }

    private void Run(JsonObject pod, string uid, DateTimeOffset now)
    {
        var status = JsonFields.Object(pod, "status");
        var firstStart = JsonFields.String(status["phase"]) != "Running";
        status["phase"] = "Running";
        status["hostIP"] = "10.0.0.1";
        status["podIP"] ??= NextAddress();
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = status["podIP"]!.DeepClone() });
        status["startTime"] ??= ObjectMeta.Timestamp(now);

        var previous = (status["containerStatuses"] as JsonArray)?.OfType<JsonObject>()
            .ToDictionary(c => JsonFields.String(c["name"]) ?? "", StringComparer.Ordinal) ?? [];
        var restartDue = !_lastRestart.TryGetValue(uid, out var lastRestart) || now - lastRestart >= _pollInterval;
        var restarted = false;
        var containerStatuses = new JsonArray();
        var allReady = true;
        foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = JsonFields.String(container["name"]) ?? "";
            var image = JsonFields.String(container["image"]) ?? "";
            var before = previous.GetValueOrDefault(name);
            var restarts = JsonFields.Int(before?["restartCount"], 0);
            var started = JsonFields.String(before?["state"]?["running"]?["startedAt"]) ?? ObjectMeta.Timestamp(now);
            var containerStatus = new JsonObject
            {
                ["name"] = name,
                ["image"] = image,
                ["imageID"] = "simulated://" + image,
                ["containerID"] = "simulated://" + uid + "/" + name,
            };
            switch (_images.Get(image))
            {
                case ImageHealth.CrashLooping:
                    if (!firstStart && restartDue)
                    {
                        restarts++;
                        restarted = true;
                    }

                    containerStatus["ready"] = false;
                    containerStatus["started"] = false;
                    containerStatus["restartCount"] = restarts;
                    containerStatus["state"] = new JsonObject
                    {
                        ["waiting"] = new JsonObject
                        {
                            ["reason"] = "CrashLoopBackOff",
                            ["message"] = $"back-off restarting failed container {name} in pod {ObjectMeta.Name(pod)}",
                        },
                    };
                    containerStatus["lastState"] = new JsonObject
                    {
                        ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error" },
                    };
                    allReady = false;
                    break;
                case ImageHealth.NeverReady:
                    containerStatus["ready"] = false;
                    containerStatus["started"] = true;
                    containerStatus["restartCount"] = restarts;
                    containerStatus["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } };
                    allReady = false;
                    break;
                default:
                    containerStatus["ready"] = true;
                    containerStatus["started"] = true;
                    containerStatus["restartCount"] = restarts;
                    containerStatus["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } };
                    break;
            }

            containerStatuses.Add(containerStatus);
        }

        if (restarted || firstStart)
        {
            _lastRestart[uid] = now;
        }

        if (!firstStart && Terminate(pod, containerStatuses, now))
        {
            return;
        }

        status["containerStatuses"] = containerStatuses;
        var ready = allReady ? "True" : "False";
        var reason = allReady ? null : "ContainersNotReady";
        var message = allReady ? null : "containers with unready status: ["
            + string.Join(' ', containerStatuses.OfType<JsonObject>().Where(c => !JsonFields.Bool(c["ready"])).Select(c => JsonFields.String(c["name"])))
            + "]";
        StatusConditions.Set(pod, "PodScheduled", "True", null, null, now);
        StatusConditions.Set(pod, "Initialized", "True", null, null, now);
        StatusConditions.Set(pod, "ContainersReady", ready, reason, message, now);
        StatusConditions.Set(pod, "Ready", ready, reason, message, now);
    }

    private string NextAddress()
    {
        var n = Interlocked.Increment(ref _nextAddress);
        return $"10.244.{(n / 250) % 256}.{(n % 250) + 2}";
    }
}
