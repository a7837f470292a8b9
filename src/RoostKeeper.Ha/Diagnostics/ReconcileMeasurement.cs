namespace RoostKeeper.Ha.Diagnostics;

/// <summary>A reconcile being timed by <see cref="ReconcileRecorder.Start"/>; complete it once with its result.</summary>
public readonly struct ReconcileMeasurement
{
    private readonly ReconcileRecorder? _recorder;
    private readonly string _controller;
    private readonly TimeProvider _timeProvider;
    private readonly long _startedAt;

    internal ReconcileMeasurement(ReconcileRecorder recorder, string controller, TimeProvider timeProvider, long startedAt)
    {
        _recorder = recorder;
        _controller = controller;
        _timeProvider = timeProvider;
        _startedAt = startedAt;
    }

    /// <summary>Records the reconcile with the time elapsed since it started.</summary>
    /// <param name="result">How the reconcile ended.</param>
    /// <exception cref="InvalidOperationException">This measurement did not come from <see cref="ReconcileRecorder.Start"/>.</exception>
    public void Complete(ReconcileResult result)
    {
        if (_recorder is null)
        {
            throw new InvalidOperationException("This ReconcileMeasurement was not started by ReconcileRecorder.Start.");
        }

        _recorder.Record(_controller, result, _timeProvider.GetElapsedTime(_startedAt));
    }
}
