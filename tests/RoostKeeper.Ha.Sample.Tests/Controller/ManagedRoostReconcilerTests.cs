using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Tests.Infrastructure;

namespace RoostKeeper.Ha.Sample.Tests.Controller;

public sealed class ManagedRoostReconcilerTests : IAsyncLifetime, IDisposable
{
    private static readonly TermFence TermThree = Term("replica-a", 3);
    private readonly ReconcileMeasurements _measurements = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private RoostCluster _cluster = null!;
    private IKubernetes _controllerClient = null!;
    private ManagedRoostReconciler _reconciler = null!;

    public async Task InitializeAsync()
    {
        _cluster = await RoostCluster.StartAsync();
        _controllerClient = _cluster.Simulation.CreateClient("controller");
        _reconciler = new ManagedRoostReconciler(_controllerClient, RoostCluster.Namespace, _measurements.Recorder, _time, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        _controllerClient.Dispose();
        await _cluster.DisposeAsync();
    }

    public void Dispose() => _measurements.Dispose();

    [Fact]
    public async Task Resync_creates_the_ConfigMap_and_writes_Ready_status_with_the_term_and_a_condition()
    {
        var created = await _cluster.CreateRoostAsync("wren", "wren", 2, "teakettle");

        var outcome = Assert.Single(await _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Equal(ReconcileResult.Success, outcome.Result);
        var map = Assert.IsType<V1ConfigMap>(await _cluster.ConfigMapAsync("wren"));
        Assert.Equal(new Dictionary<string, string> { ["species"] = "wren", ["size"] = "2", ["song"] = "teakettle" }, map.Data);
        Assert.Equal("3/roosts/roost-keeper-controller/replica-a", map.Metadata.Annotations[TermFence.DefaultAnnotation]);
        Assert.Equal(ManagedRoostReconciler.ManagedByValue, map.Metadata.Labels[ManagedRoostReconciler.ManagedByLabel]);
        var owner = Assert.Single(map.Metadata.OwnerReferences);
        Assert.Equal((ManagedRoost.KindName, "wren", created.Metadata.Uid, true), (owner.Kind, owner.Name, owner.Uid, owner.Controller));

        var status = (await _cluster.RoostAsync("wren")).Status!;
        Assert.Equal(("Ready", "roost-wren", "replica-a", 3L, created.Metadata.Generation), (status.Phase, status.ConfigMap, status.Leader, status.Term, status.ObservedGeneration));
        var ready = Assert.Single(status.Conditions!);
        Assert.Equal(("Ready", "True", "Reconciled"), (ready.Type, ready.Status, ready.Reason));
        Assert.Equal(_time.GetUtcNow(), ready.LastTransitionTime);
        Assert.Equal([("managedroost", "success")], _measurements.Results);
    }

    [Fact]
    public async Task A_second_resync_with_nothing_changed_writes_nothing()
    {
        await _cluster.CreateRoostAsync("wren");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var writes = _cluster.Simulation.Requests.CountPersistedWrites("controller");

        var outcome = Assert.Single(await _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Equal(ReconcileResult.Success, outcome.Result);
        Assert.Equal(writes, _cluster.Simulation.Requests.CountPersistedWrites("controller"));
    }

    [Fact]
    public async Task A_spec_change_updates_the_ConfigMap_and_observedGeneration_and_keeps_the_condition_transition_time()
    {
        await _cluster.CreateRoostAsync("wren", song: "teakettle");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var firstTransition = (await _cluster.RoostAsync("wren")).Status!.Conditions![0].LastTransitionTime;
        var roost = await _cluster.RoostAsync("wren");
        roost.Spec.Song = "louder";
        roost = await _cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<ManagedRoost>(roost, ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "wren");
        _time.Advance(TimeSpan.FromMinutes(1));

        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);

        Assert.Equal("louder", (await _cluster.ConfigMapAsync("wren"))!.Data["song"]);
        var status = (await _cluster.RoostAsync("wren")).Status!;
        Assert.Equal(roost.Metadata.Generation, status.ObservedGeneration);
        Assert.Equal(firstTransition, status.Conditions![0].LastTransitionTime);
    }

    [Fact]
    public async Task A_new_term_restamps_the_ConfigMap_and_status()
    {
        await _cluster.CreateRoostAsync("wren");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);

        await _reconciler.ResyncAsync(Term("replica-b", 4), CancellationToken.None);

        Assert.Equal(Term("replica-b", 4).Stamp.ToString(), (await _cluster.ConfigMapAsync("wren"))!.Metadata.Annotations[TermFence.DefaultAnnotation]);
        Assert.Equal(("replica-b", 4L), ((await _cluster.RoostAsync("wren")).Status!.Leader, (await _cluster.RoostAsync("wren")).Status!.Term));
    }

    [Fact]
    public async Task A_stale_term_is_refused_and_writes_nothing_when_the_roost_carries_a_newer_term()
    {
        await _cluster.CreateRoostAsync("wren");
        await new ManagedRoostReconciler(_cluster.Client, RoostCluster.Namespace, _measurements.Recorder, _time, NullLogger.Instance)
            .ResyncAsync(Term("replica-b", 5), CancellationToken.None);
        await _cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("roost-wren", RoostCluster.Namespace);
        var before = await _cluster.RoostAsync("wren");

        var refused = await Assert.ThrowsAsync<StaleTermException>(() => _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Equal((3L, 5L, "replica-b", $"{ManagedRoost.KindName} {RoostCluster.Namespace}/wren"), (refused.Term.Term, refused.NewerTerm.Term, refused.NewerTerm.Holder, refused.ObjectReference));
        Assert.Contains("newer leader", refused.Message, StringComparison.Ordinal);
        Assert.Null(await _cluster.ConfigMapAsync("wren"));
        Assert.Equal(before.Metadata.ResourceVersion, (await _cluster.RoostAsync("wren")).Metadata.ResourceVersion);
        Assert.Equal(0, _cluster.Simulation.Requests.CountPersistedWrites("controller"));
        Assert.Equal("requeue", _measurements.Results[^1].Result);
    }

    [Fact]
    public async Task A_stale_term_is_refused_when_the_ConfigMap_carries_a_newer_term()
    {
        var roost = await _cluster.CreateRoostAsync("wren");
        var map = await ConfigMapWrittenInTermAsync(roost, 7);

        var refused = await Assert.ThrowsAsync<StaleTermException>(() => _reconciler.ReconcileAsync(roost, map, TermThree, CancellationToken.None));

        Assert.Equal(($"ConfigMap {RoostCluster.Namespace}/roost-wren", 7L), (refused.ObjectReference, refused.NewerTerm.Term));
        Assert.Equal(Term("replica-c", 7).Stamp.ToString(), (await _cluster.ConfigMapAsync("wren"))!.Metadata.Annotations[TermFence.DefaultAnnotation]);
        Assert.Equal(7L, (await _cluster.RoostAsync("wren")).Status!.Term);
        Assert.Equal(0, _cluster.Simulation.Requests.CountPersistedWrites("controller"));
    }

    [Fact]
    public async Task A_write_based_on_an_outdated_read_loses_with_409_and_is_requeued_not_applied()
    {
        await _cluster.CreateRoostAsync("wren");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var listed = await _cluster.RoostAsync("wren");
        var map = await _cluster.ConfigMapAsync("wren");
        map!.Data["song"] = "changed by someone else";
        await _cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, RoostCluster.Namespace);
        var stale = (await _controllerClient.CoreV1.ListNamespacedConfigMapAsync(RoostCluster.Namespace)).Items.Single(m => m.Metadata.Name == "roost-wren");
        stale.Metadata.ResourceVersion = "1";

        var outcome = await _reconciler.ReconcileAsync(listed, stale, Term("replica-b", 4), CancellationToken.None);

        Assert.Equal(ReconcileResult.Requeue, outcome.Result);
        Assert.Equal("changed by someone else", (await _cluster.ConfigMapAsync("wren"))!.Data["song"]);
    }

    [Fact]
    public async Task With_WriteDelay_a_held_update_goes_out_after_its_term_ended_and_the_API_server_refuses_it_once_a_newer_term_wrote()
    {
        await _cluster.CreateRoostAsync("wren");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var logs = new LogCollector();
        var paused = new ManagedRoostReconciler(_controllerClient, RoostCluster.Namespace, _measurements.Recorder, _time, logs.Logger) { WriteDelay = TimeSpan.FromSeconds(2) };
        using var term = new CancellationTokenSource();

        // Term 4 lists the roost and its ConfigMap (stamped by term 3) and holds the re-stamp.
        var resync = paused.ResyncAsync(Term("replica-b", 4), term.Token);
        await Eventually.UntilAsync(() => Task.FromResult(logs.Has(9010, "roost-wren in term 4")), "term 4 to hold its update", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));

        // Term 5 takes over and writes; term 4 ends; then the hold is over and term 4's update goes out.
        await new ManagedRoostReconciler(_cluster.Client, RoostCluster.Namespace, _measurements.Recorder, _time, NullLogger.Instance).ResyncAsync(Term("replica-c", 5), CancellationToken.None);
        await term.CancelAsync();
        for (var i = 0; i < 1000 && !resync.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var outcome = Assert.Single(await resync);
        Assert.Equal(ReconcileResult.Requeue, outcome.Result);
        var refused = Assert.Single(logs.WithId(9007));
        Assert.Contains($"ManagedRoost {RoostCluster.Namespace}/wren in term 4 was refused (409 Conflict", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Term("replica-c", 5).Stamp.ToString(), (await _cluster.ConfigMapAsync("wren"))!.Metadata.Annotations[TermFence.DefaultAnnotation]);
        Assert.Equal(("replica-c", 5L), ((await _cluster.RoostAsync("wren")).Status!.Leader, (await _cluster.RoostAsync("wren")).Status!.Term));
    }

    [Fact]
    public async Task With_WriteDelay_an_update_whose_term_ended_before_the_hold_is_neither_held_nor_sent()
    {
        await _cluster.CreateRoostAsync("wren");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var roost = await _cluster.RoostAsync("wren");
        var map = await _cluster.ConfigMapAsync("wren");
        var writes = _cluster.Simulation.Requests.CountPersistedWrites("controller");
        var logs = new LogCollector();
        var paused = new ManagedRoostReconciler(_controllerClient, RoostCluster.Namespace, _measurements.Recorder, _time, logs.Logger) { WriteDelay = TimeSpan.FromSeconds(2) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => paused.ReconcileAsync(roost, map, Term("replica-b", 4), new CancellationToken(canceled: true)));

        Assert.Empty(logs.WithId(9010));
        Assert.Equal(writes, _cluster.Simulation.Requests.CountPersistedWrites("controller"));
    }

    [Fact]
    public async Task A_ConfigMap_of_the_same_name_not_managed_by_the_controller_is_an_Error_with_a_False_condition_saying_what_to_do()
    {
        await _cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "roost-wren" }, Data = new Dictionary<string, string> { ["mine"] = "yes" } }, RoostCluster.Namespace);
        await _cluster.CreateRoostAsync("wren");

        var outcome = Assert.Single(await _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Equal(ReconcileResult.Error, outcome.Result);
        Assert.Contains("not managed by this controller", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal([("managedroost", "error")], _measurements.Results);
        var status = (await _cluster.RoostAsync("wren")).Status!;
        Assert.Equal("Error", status.Phase);
        var ready = Assert.Single(status.Conditions!);
        Assert.Equal(("False", "ConfigMapConflict"), (ready.Status, ready.Reason));
        Assert.Contains("rename or delete it", ready.Message, StringComparison.Ordinal);
        Assert.Equal("yes", (await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("roost-wren", RoostCluster.Namespace)).Data["mine"]);
    }

    [Fact]
    public async Task An_API_failure_while_reconciling_is_recorded_as_Error_and_reported_with_the_status_code()
    {
        var roost = await _cluster.CreateRoostAsync("wren");
        _cluster.Simulation.Faults.FailNext("controller", HttpStatusCode.InternalServerError, count: 1);

        var outcome = await _reconciler.ReconcileAsync(roost, null, TermThree, CancellationToken.None);

        Assert.Equal(ReconcileResult.Error, outcome.Result);
        Assert.Contains("500 InternalServerError", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal([("managedroost", "error")], _measurements.Results);
        var status = (await _cluster.RoostAsync("wren")).Status!;
        Assert.Equal(("Error", "ApiError"), (status.Phase, status.Conditions![0].Reason));
    }

    [Fact]
    public async Task When_the_API_is_unreachable_the_error_is_recorded_and_the_failed_status_write_does_not_throw()
    {
        var roost = await _cluster.CreateRoostAsync("wren");
        _cluster.Simulation.Faults.Partition("controller");

        var outcome = await _reconciler.ReconcileAsync(roost, null, TermThree, CancellationToken.None);

        Assert.Equal(ReconcileResult.Error, outcome.Result);
        Assert.Equal([("managedroost", "error")], _measurements.Results);
        Assert.Null((await _cluster.RoostAsync("wren")).Status);
    }

    [Fact]
    public async Task A_roost_deleted_after_it_was_listed_is_requeued_not_counted_as_an_error()
    {
        var listed = await _cluster.CreateRoostAsync("wren");
        await _cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "wren");

        var outcome = await _reconciler.ReconcileAsync(listed, null, TermThree, CancellationToken.None);

        Assert.Equal(ReconcileResult.Requeue, outcome.Result);
        Assert.Equal([("managedroost", "requeue")], _measurements.Results);
    }

    [Fact]
    public async Task Listing_failure_throws_and_records_no_reconcile()
    {
        await _cluster.CreateRoostAsync("wren");
        _cluster.Simulation.Faults.FailNext("controller", HttpStatusCode.ServiceUnavailable, count: 1);

        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Empty(_measurements.Results);
    }

    [Fact]
    public async Task ConfigMaps_of_deleted_roosts_are_deleted_and_other_ConfigMaps_are_left_alone()
    {
        await _cluster.CreateRoostAsync("wren");
        await _cluster.CreateRoostAsync("robin");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        await _cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "unrelated" } }, RoostCluster.Namespace);
        await _cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "wren");

        var outcome = Assert.Single(await _reconciler.ResyncAsync(TermThree, CancellationToken.None));

        Assert.Equal("robin", outcome.Roost);
        Assert.Null(await _cluster.ConfigMapAsync("wren"));
        Assert.NotNull(await _cluster.ConfigMapAsync("robin"));
        Assert.NotNull(await _cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("unrelated", RoostCluster.Namespace));
    }

    [Fact]
    public async Task Cancellation_mid_reconcile_propagates_and_records_nothing()
    {
        var roost = await _cluster.CreateRoostAsync("wren");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _reconciler.ReconcileAsync(roost, null, TermThree, cancelled.Token));

        Assert.Empty(_measurements.Results);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(2L, "replica-b", null)]
    [InlineData(3L, "replica-a", null)]
    [InlineData(4L, "replica-b", typeof(StaleTermException))]
    [InlineData(3L, "replica-b", typeof(InvalidTermStampException))]
    [InlineData(3L, null, typeof(InvalidTermStampException))]
    [InlineData(-1L, "replica-b", typeof(InvalidTermStampException))]
    public void The_roost_status_term_refuses_only_a_newer_term_and_stamps_it_cannot_order(long? term, string? leader, Type? refused)
    {
        var roost = new ManagedRoost { Metadata = new V1ObjectMeta { Name = "wren" }, Spec = new ManagedRoostSpec { Species = "wren" }, Status = term is null ? null : new ManagedRoostStatus { Term = term, Leader = leader } };

        var error = Record.Exception(() => _reconciler.CheckRoost(roost, TermThree));

        Assert.Equal(refused, error?.GetType());
    }

    [Fact]
    public async Task A_ConfigMap_with_a_stamp_the_fence_cannot_order_is_an_Error_for_its_roost_only_and_is_not_written()
    {
        await _cluster.CreateRoostAsync("wren");
        await _cluster.CreateRoostAsync("robin");
        await _reconciler.ResyncAsync(TermThree, CancellationToken.None);
        var map = (await _cluster.ConfigMapAsync("wren"))!;
        map.Metadata.Annotations[TermFence.DefaultAnnotation] = "not a stamp";
        map.Data["song"] = "hand-edited";
        var edited = await _cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, RoostCluster.Namespace);
        var robin = await _cluster.RoostAsync("robin");
        robin.Spec.Song = "louder";
        await _cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<ManagedRoost>(robin, ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "robin");

        var outcomes = await _reconciler.ResyncAsync(Term("replica-b", 4), CancellationToken.None);

        var wren = Assert.Single(outcomes, o => o.Roost == "wren");
        Assert.Equal(ReconcileResult.Error, wren.Result);
        Assert.Contains("roostkeeper.io/term-", wren.Detail, StringComparison.Ordinal);
        Assert.Equal(edited.Metadata.ResourceVersion, (await _cluster.ConfigMapAsync("wren"))!.Metadata.ResourceVersion);
        Assert.Equal(ReconcileResult.Success, Assert.Single(outcomes, o => o.Roost == "robin").Result);
        Assert.Equal("louder", (await _cluster.ConfigMapAsync("robin"))!.Data["song"]);
    }

    /// <summary>Another replica reconciles (its own copy of) the roost in <paramref name="term"/>; <paramref name="roost"/> stays as it was read.</summary>
    private async Task<V1ConfigMap> ConfigMapWrittenInTermAsync(ManagedRoost roost, long term)
    {
        await new ManagedRoostReconciler(_cluster.Client, RoostCluster.Namespace, _measurements.Recorder, _time, NullLogger.Instance)
            .ReconcileAsync(await _cluster.RoostAsync(roost.Metadata.Name), null, Term("replica-c", term), CancellationToken.None);
        return (await _cluster.ConfigMapAsync(roost.Metadata.Name))!;
    }

    private static TermFence Term(string holder, long term) => new(new TermStamp(term, RoostCluster.Namespace, "roost-keeper-controller", holder));
}
