using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoostKeeper.Ha.Diagnostics;

/// <summary>
/// Records the outcome of each reconcile of the user's controller on the "RoostKeeper.Ha" meter, so the
/// reconcile-success SLI (<c>roost_keeper:reconcile_success_ratio</c>) and the high-reconcile-errors alert have
/// data. Prometheus shows the instruments as <c>roost_keeper_reconcile_total{controller, result}</c> and
/// <c>roost_keeper_reconcile_duration_seconds{controller, result}</c>.
/// </summary>
/// <remarks>
/// <c>AddRoostHa</c> registers one as a singleton; resolve it in the controller. Outside DI, construct one and
/// dispose it with the controller. Thread-safe.
/// </remarks>
public sealed class ReconcileRecorder : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a recorder on the meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    /// <param name="meterFactory">The host's meter factory; null for a meter this recorder owns and disposes.</param>
    /// <param name="timeProvider">The clock <see cref="Start"/> measures with; <see cref="TimeProvider.System"/> when null.</param>
    public ReconcileRecorder(IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        var meter = HaTelemetry.CreateMeter(meterFactory, out _ownedMeter);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _reconciles = meter.CreateCounter<long>(HaInstruments.Reconciles, "{reconcile}", "Reconciles the controller completed, by controller and result (success, requeue, error).");
        _duration = meter.CreateHistogram<double>(HaInstruments.ReconcileDuration, "s", "Time one reconcile took, by controller and result.");
    }

    /// <summary>Records one completed reconcile.</summary>
    /// <param name="controller">The controller's name, e.g. "managedroost"; a label, so keep it to a few fixed values.</param>
    /// <param name="result">How the reconcile ended.</param>
    /// <param name="duration">How long it took.</param>
    /// <exception cref="ArgumentException"><paramref name="controller"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="result"/> is not a defined value or <paramref name="duration"/> is negative.</exception>
    public void Record(string controller, ReconcileResult result, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(controller);
        if (!Enum.IsDefined(result))
        {
            throw new ArgumentOutOfRangeException(nameof(result), result, "Not a ReconcileResult value.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);

        var tags = new TagList { { "controller", controller }, { "result", ResultLabel(result) } };
        _reconciles.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>
    /// Starts timing a reconcile; call <see cref="ReconcileMeasurement.Complete"/> on the result when it ends.
    /// </summary>
    /// <param name="controller">The controller's name, as for <see cref="Record"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="controller"/> is null or empty.</exception>
    public ReconcileMeasurement Start(string controller)
    {
        ArgumentException.ThrowIfNullOrEmpty(controller);
        return new ReconcileMeasurement(this, controller, _timeProvider, _timeProvider.GetTimestamp());
    }

    /// <inheritdoc/>
    public void Dispose() => _ownedMeter?.Dispose();

    internal static string ResultLabel(ReconcileResult result) => result switch
    {
        ReconcileResult.Success => "success",
        ReconcileResult.Requeue => "requeue",
        _ => "error",
    };
}
