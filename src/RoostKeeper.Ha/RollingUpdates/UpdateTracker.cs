using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The live state of one update: every change goes through here, so the timeline, the log, <see cref="IProgress{T}"/>
/// and <see cref="RollingUpdateManager.GetUpdateStatus"/> all see the same snapshots.
/// </summary>
internal sealed class UpdateTracker
{
    private readonly object _gate = new();
    private readonly List<RollingUpdateEvent> _timeline = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IProgress<RollingUpdateStatus>? _progress;
    private RollingUpdateStatus _status;

    public UpdateTracker(string id, string @namespace, string deployment, IReadOnlyDictionary<string, string> images, TimeProvider time, ILogger logger, IProgress<RollingUpdateStatus>? progress)
    {
        _time = time;
        _logger = logger;
        _progress = progress;
        var now = time.GetUtcNow();
        _timeline.Add(new RollingUpdateEvent(now, RollingUpdatePhase.Validating, "update requested"));
        _status = new RollingUpdateStatus
        {
            Id = id,
            Namespace = @namespace,
            Deployment = deployment,
            Images = images,
            StartedAt = now,
            Phase = RollingUpdatePhase.Validating,
            Message = "update requested",
            Timeline = _timeline.ToArray(),
        };
    }

    public string Id => _status.Id;

    public RollingUpdateStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Moves to <paramref name="phase"/> (logged and added to the timeline).</summary>
    public RollingUpdateStatus Enter(RollingUpdatePhase phase, string message, RollingUpdateFailureKind? failure = null)
    {
        RollingUpdateStatus status;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _timeline.Add(new RollingUpdateEvent(now, phase, message));
            var final = phase is RollingUpdatePhase.Succeeded or RollingUpdatePhase.RolledBack or RollingUpdatePhase.Failed or RollingUpdatePhase.TimedOut;
            _status = _status with
            {
                Phase = phase,
                Message = message,
                Failure = failure ?? _status.Failure,
                FinishedAt = final ? now : null,
                Progress = phase == RollingUpdatePhase.Succeeded ? 1 : _status.Progress,
                Timeline = _timeline.ToArray(),
            };
            status = _status;
        }

        RollingUpdateLog.Transition(_logger, status.Id, phase, message);
        _progress?.Report(status);
        return status;
    }

    /// <summary>Adds a timeline entry without changing phase.</summary>
    public void Note(string message)
    {
        RollingUpdateStatus status;
        lock (_gate)
        {
            _timeline.Add(new RollingUpdateEvent(_time.GetUtcNow(), _status.Phase, message));
            _status = _status with { Message = message, Timeline = _timeline.ToArray() };
            status = _status;
        }

        RollingUpdateLog.Transition(_logger, status.Id, status.Phase, message);
        _progress?.Report(status);
    }

    /// <summary>Records replica counts; reports progress only when something changed.</summary>
    public void Observe(RolloutStatusReport report, bool isRollback)
    {
        RollingUpdateStatus status;
        lock (_gate)
        {
            var next = _status with
            {
                DesiredReplicas = report.Desired,
                CurrentReplicas = report.Replicas,
                UpdatedReplicas = report.Updated,
                ReadyReplicas = report.Ready,
                AvailableReplicas = report.Available,
                Progress = report.Progress,
                Revision = isRollback || report.NewReplicaSet is null ? _status.Revision : RolloutStatusEvaluator.Revision(report.NewReplicaSet.Metadata),
            };
            if (next == _status)
            {
                return;
            }

            _status = next;
            status = next;
        }

        _progress?.Report(status);
    }

    public void Set(Func<RollingUpdateStatus, RollingUpdateStatus> change)
    {
        lock (_gate)
        {
            _status = change(_status);
        }
    }
}
