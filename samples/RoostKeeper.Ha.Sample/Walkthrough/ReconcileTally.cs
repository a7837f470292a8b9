using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// Listens to the "RoostKeeper.Ha" meter of every replica in this process and counts the reconciles the
/// controllers recorded with <see cref="ReconcileRecorder"/>, by result: what Prometheus would scrape as
/// <c>roost_keeper_reconcile_total{controller,result}</c>.
/// </summary>
internal sealed class ReconcileTally : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _success;
    private long _requeue;
    private long _error;

    public ReconcileTally()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HaTelemetry.Name && instrument.Name == "roost_keeper.reconcile")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    switch (tag.Value as string)
                    {
                        case "success":
                            Interlocked.Add(ref _success, value);
                            break;
                        case "requeue":
                            Interlocked.Add(ref _requeue, value);
                            break;
                        default:
                            Interlocked.Add(ref _error, value);
                            break;
                    }
                }
            }
        });
        _listener.Start();
    }

    public long Success => Interlocked.Read(ref _success);

    public override string ToString() =>
        $"reconciles recorded (roost_keeper_reconcile_total): {Success} success, {Interlocked.Read(ref _requeue)} requeue, {Interlocked.Read(ref _error)} error";

    public void Dispose() => _listener.Dispose();
}
