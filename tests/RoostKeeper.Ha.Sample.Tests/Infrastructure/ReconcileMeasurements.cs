using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Sample.Tests.Infrastructure;

/// <summary>A <see cref="ReconcileRecorder"/> on a meter of its own, and the reconcile results it recorded.</summary>
internal sealed class ReconcileMeasurements : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Controller, string Result)> _results = [];

    public ReconcileMeasurements()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "roost_keeper.reconcile")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? controller = null, result = null;
            foreach (var tag in tags)
            {
                controller = tag.Key == "controller" ? (string?)tag.Value : controller;
                result = tag.Key == "result" ? (string?)tag.Value : result;
            }

            lock (_results)
            {
                _results.Add((controller!, result!));
            }
        });
        _listener.Start();
        Recorder = new ReconcileRecorder(factory);
    }

    public ReconcileRecorder Recorder { get; }

    public IReadOnlyList<(string Controller, string Result)> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results];
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        Recorder.Dispose();
        _services.Dispose();
    }
}
