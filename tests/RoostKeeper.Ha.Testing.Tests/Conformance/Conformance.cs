using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Assertions shared by the conformance tests: Status error bodies as KubernetesClient surfaces them, and polling.</summary>
internal static class Conformance
{
    /// <summary>Generous: a noisy 2-core machine must never flake, and a real cluster's controllers are asynchronous.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs <paramref name="action"/>, expects KubernetesClient's <see cref="HttpOperationException"/>, and checks the
    /// response's <c>Status</c> body: kind, code, reason and a message.
    /// </summary>
    public static async Task<V1Status> ThrowsStatusAsync(HttpStatusCode code, string reason, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(action);
        Assert.Equal(code, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("Failure", status.Status);
        Assert.Equal((int)code, status.Code);
        Assert.Equal(reason, status.Reason);
        Assert.False(string.IsNullOrWhiteSpace(status.Message));
        return status;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <see cref="Patience"/>.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience);

    /// <summary>Whether <paramref name="read"/> fails with 404 NotFound.</summary>
    public static async Task<bool> IsGoneAsync(Func<Task> read)
    {
        try
        {
            await read();
            return false;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
    }

    public static long Rv(IKubernetesObject<V1ObjectMeta> obj) => long.Parse(obj.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);

    public static V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null) => new() { Name = name, Labels = labels };

    public static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? data = null) =>
        new() { Metadata = Meta(name, labels), Data = data ?? new Dictionary<string, string> { ["k"] = "v" } };

    public static V1PodSpec PodSpec(params (string Name, string Image)[] containers) =>
        new() { Containers = containers.Select(c => new V1Container { Name = c.Name, Image = c.Image }).ToList() };

    /// <summary>A Deployment with zero replicas: a plain stored object, whatever controllers run.</summary>
    /// <summary>
    /// client-go's RetryOnConflict: read, change, replace, and start over on 409. Needed wherever a
    /// controller may write the same object meanwhile (the Deployment controller writes status, the kubelet
    /// writes pods), on the simulation as on a real cluster.
    /// </summary>
    public static async Task<T> ReplaceOnConflictAsync<T>(Func<Task<T>> read, Action<T> change, Func<T, Task<T>> replace)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await read();
            change(current);
            try
            {
                return await replace(current);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10)
            {
            }
        }
    }

    public static V1Deployment Deployment(string name, params (string Name, string Image)[] containers) => new()
    {
        Metadata = Meta(name),
        Spec = new V1DeploymentSpec
        {
            Replicas = 0,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = PodSpec(containers.Length == 0 ? [("main", "registry.k8s.io/pause:3.9")] : containers),
            },
        },
    };

    /// <summary>
    /// Collects watch events until <paramref name="stop"/> says so, or fails after <see cref="Patience"/>. Skips the
    /// kube-root-ca.crt ConfigMap a real cluster adds to every new namespace, at a moment of its choosing.
    /// </summary>
    public static async Task<List<(WatchEventType Type, T Object)>> CollectAsync<T>(
        IAsyncEnumerable<(WatchEventType, T)> watch, Func<List<(WatchEventType Type, T Object)>, bool> stop, CancellationToken cancellationToken)
    {
        var events = new List<(WatchEventType Type, T Object)>();
        await foreach (var (type, obj) in watch.WithCancellation(cancellationToken))
        {
            if (obj is V1ConfigMap { Metadata.Name: "kube-root-ca.crt" })
            {
                continue;
            }

            events.Add((type, obj));
            if (stop(events))
            {
                break;
            }
        }

        return events;
    }
}
