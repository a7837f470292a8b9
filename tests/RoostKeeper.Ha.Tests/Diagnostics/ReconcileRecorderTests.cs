using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Tests.Diagnostics;

public sealed class ReconcileRecorderTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public ReconcileRecorderTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    [Fact]
    public void Record_counts_each_result_with_controller_and_result_labels_and_its_duration_in_seconds()
    {
        using var recorder = new ReconcileRecorder(_services.GetRequiredService<IMeterFactory>());

        recorder.Record("managedroost", ReconcileResult.Success, TimeSpan.FromMilliseconds(250));
        recorder.Record("managedroost", ReconcileResult.Error, TimeSpan.FromSeconds(2));
        recorder.Record("managedroost", ReconcileResult.Requeue, TimeSpan.Zero);

        var counts = _measurements.Where(m => m.Instrument == "roost_keeper.reconcile").ToList();
        Assert.Equal(["success", "error", "requeue"], counts.Select(m => (string)m.Tags["result"]!));
        Assert.All(counts, m => Assert.Equal("managedroost", m.Tags["controller"]));
        Assert.All(counts, m => Assert.Equal(1, m.Value));
        var durations = _measurements.Where(m => m.Instrument == "roost_keeper.reconcile.duration").Select(m => m.Value);
        Assert.Equal([0.25, 2.0, 0.0], durations);
    }

    [Fact]
    public void Start_then_Complete_records_the_time_elapsed_on_the_recorders_clock()
    {
        var time = new FakeTimeProvider();
        using var recorder = new ReconcileRecorder(_services.GetRequiredService<IMeterFactory>(), time);

        var measurement = recorder.Start("managedroost");
        time.Advance(TimeSpan.FromSeconds(3));
        measurement.Complete(ReconcileResult.Success);

        var duration = Assert.Single(_measurements, m => m.Instrument == "roost_keeper.reconcile.duration");
        Assert.Equal(3.0, duration.Value);
    }

    [Fact]
    public void Bad_arguments_are_refused_and_record_nothing()
    {
        using var recorder = new ReconcileRecorder(_services.GetRequiredService<IMeterFactory>());

        Assert.Throws<ArgumentException>(() => recorder.Record("", ReconcileResult.Success, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Record("c", (ReconcileResult)42, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Record("c", ReconcileResult.Success, TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => recorder.Start(""));
        Assert.Throws<InvalidOperationException>(() => default(ReconcileMeasurement).Complete(ReconcileResult.Success));
        Assert.Empty(_measurements);
    }

    [Fact]
    public void AddRoostHa_registers_one_recorder_on_the_hosts_meter()
    {
        var services = new ServiceCollection().AddMetrics().AddLogging();
        services.AddRoostHa(o =>
        {
            o.LeaseName = "l";
            o.LeaseNamespace = "ns";
            o.Identity = "a";
        });
        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<ReconcileRecorder>(), provider.GetRequiredService<ReconcileRecorder>());
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        }
    }
}
