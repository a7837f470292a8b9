using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Fencing;

/// <summary>
/// The fence against a real API server (SimulatedCluster over HTTP): a paused leader of term 3 holds a
/// ConfigMap it read before term 4 wrote it, then wakes up and writes.
/// </summary>
public sealed class TermFenceClusterTests : IAsyncLifetime
{
    private const string Ns = "default";
    private static readonly TermFence Old = new(new TermStamp(3, "ns", "lease", "replica-a"));
    private static readonly TermFence New = new(new TermStamp(4, "ns", "lease", "replica-b"));
    private SimulatedCluster _cluster = null!;
    private IKubernetes _a = null!;
    private IKubernetes _b = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        _a = _cluster.CreateClient("replica-a");
        _b = _cluster.CreateClient("replica-b");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_paused_leader_that_read_before_the_newer_terms_write_is_refused_by_the_api_server()
    {
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);
        var readBeforePause = await Get(_a);
        await New.ReplaceAsync(With(await Get(_b), "new"), ReplaceWith(_b), CancellationToken.None);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Old.ReplaceAsync(With(readBeforePause, "stale"), ReplaceWith(_a), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var stored = await Get(_b);
        Assert.Equal("new", stored.Data["value"]);
        Assert.Equal("4/ns/lease/replica-b", stored.Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    [Fact]
    public async Task A_paused_leader_that_reads_again_after_the_newer_terms_write_is_refused_by_the_fence_before_sending()
    {
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);
        await New.ReplaceAsync(With(await Get(_b), "new"), ReplaceWith(_b), CancellationToken.None);
        var before = _cluster.Requests.Count("replica-a");

        var reread = await Get(_a);
        var e = await Assert.ThrowsAsync<StaleTermException>(() => Old.ReplaceAsync(With(reread, "stale"), ReplaceWith(_a), CancellationToken.None));

        Assert.Equal(3, e.Term.Term);
        Assert.Equal(4, e.NewerTerm.Term);
        Assert.Equal("replica-b", e.NewerTerm.Holder);
        Assert.Equal(before + 1, _cluster.Requests.Count("replica-a"));
        Assert.Equal("new", (await Get(_b)).Data["value"]);
    }

    [Fact]
    public async Task Without_the_precondition_the_same_stale_write_is_accepted()
    {
        // The counter-example: the paused leader's write as an unconditional update (no resourceVersion).
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);
        var readBeforePause = await Get(_a);
        await New.ReplaceAsync(With(await Get(_b), "new"), ReplaceWith(_b), CancellationToken.None);

        var stale = With(readBeforePause, "stale");
        stale.Metadata.ResourceVersion = null;
        await _a.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "cm", Ns);

        Assert.Equal("stale", (await Get(_b)).Data["value"]);
        Assert.Throws<InvalidOperationException>(() => Old.StampForUpdate(With(readBeforePause, "x", keepVersion: false)));
    }

    [Fact]
    public async Task A_stale_delete_based_on_an_old_read_is_refused()
    {
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);
        var readBeforePause = await Get(_a);
        await New.ReplaceAsync(With(await Get(_b), "new"), ReplaceWith(_b), CancellationToken.None);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _a.CoreV1.DeleteNamespacedConfigMapAsync("cm", Ns, Old.DeleteOptions(readBeforePause)));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var reread = await Get(_a);
        Assert.Throws<StaleTermException>(() => Old.DeleteOptions(reread));
        Assert.Equal("new", (await Get(_b)).Data["value"]);
    }

    [Fact]
    public async Task An_older_term_write_to_an_object_the_newer_term_has_not_touched_is_accepted()
    {
        // What this fence cannot prevent (docs/fencing.md): nothing newer is on the object to conflict with.
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);
        var readBeforePause = await Get(_a);

        var written = await Old.ReplaceAsync(With(readBeforePause, "older term, untouched object"), ReplaceWith(_a), CancellationToken.None);

        Assert.Equal("3/ns/lease/replica-a", written.Metadata.Annotations[TermFence.DefaultAnnotation]);
        var next = await New.ReplaceAsync(With(await Get(_b), "new"), ReplaceWith(_b), CancellationToken.None);
        Assert.Equal("4/ns/lease/replica-b", next.Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    [Fact]
    public async Task A_second_create_of_the_same_object_gets_409()
    {
        await Old.CreateAsync(NewMap("old"), CreateWith(_a), CancellationToken.None);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => New.CreateAsync(NewMap("new"), CreateWith(_b), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
    }

    [Fact]
    public async Task A_hostile_stamp_written_by_hand_blocks_the_fence_until_removed()
    {
        await _b.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "cm", Annotations = new Dictionary<string, string> { [TermFence.DefaultAnnotation] = "9223372036854775807/ns/lease/mallory" } },
        }, Ns);

        var hostile = await Get(_a);
        var e = Assert.Throws<StaleTermException>(() => New.Check(hostile));
        Assert.Equal(long.MaxValue, e.NewerTerm.Term);

        var map = await Get(_b);
        map.Metadata.Annotations.Remove(TermFence.DefaultAnnotation);
        await _b.CoreV1.ReplaceNamespacedConfigMapAsync(map, "cm", Ns);
        var written = await New.ReplaceAsync(With(await Get(_a), "fixed"), ReplaceWith(_a), CancellationToken.None);
        Assert.Equal("4/ns/lease/replica-b", written.Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    private Task<V1ConfigMap> Get(IKubernetes client) => client.CoreV1.ReadNamespacedConfigMapAsync("cm", Ns);

    private static Func<V1ConfigMap, CancellationToken, Task<V1ConfigMap>> CreateWith(IKubernetes client) =>
        (m, ct) => client.CoreV1.CreateNamespacedConfigMapAsync(m, Ns, cancellationToken: ct);

    private static Func<V1ConfigMap, CancellationToken, Task<V1ConfigMap>> ReplaceWith(IKubernetes client) =>
        (m, ct) => client.CoreV1.ReplaceNamespacedConfigMapAsync(m, m.Metadata.Name, Ns, cancellationToken: ct);

    private static V1ConfigMap NewMap(string value) => new() { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["value"] = value } };

    private static V1ConfigMap With(V1ConfigMap map, string value, bool keepVersion = true)
    {
        var copy = KubernetesJson.Deserialize<V1ConfigMap>(KubernetesJson.Serialize(map));
        copy.Data = new Dictionary<string, string> { ["value"] = value };
        if (!keepVersion)
        {
            copy.Metadata.ResourceVersion = null;
        }

        return copy;
    }
}
