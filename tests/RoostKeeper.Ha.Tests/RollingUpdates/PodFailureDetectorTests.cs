using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

public sealed class PodFailureDetectorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public void Healthy_ready_pods_are_no_failure()
    {
        Assert.Null(PodFailureDetector.Detect([Pod("a", ready: true), Pod("b", ready: true)], _ => TimeSpan.FromHours(1), 3, Bound));
    }

    [Fact]
    public void Crash_loop_back_off_fails_at_once_with_restarts_and_exit_code()
    {
        var pod = Pod("a", waiting: "CrashLoopBackOff", restarts: 1, exitCode: 137);

        var failure = PodFailureDetector.Detect([pod], _ => TimeSpan.Zero, 3, Bound);

        Assert.Equal(RollingUpdateFailureKind.CrashLoop, failure?.Kind);
        Assert.Equal(("a", "roost"), (failure!.Pod, failure.Container));
        Assert.Contains("1 restarts, last exit code 137", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Restarts_reaching_the_bound_count_as_a_crash_loop_without_back_off(int restarts, bool fails)
    {
        var pod = Pod("a", ready: true, restarts: restarts);

        var failure = PodFailureDetector.Detect([pod], _ => TimeSpan.Zero, 3, Bound);

        Assert.Equal(fails ? RollingUpdateFailureKind.CrashLoop : (RollingUpdateFailureKind?)null, failure?.Kind);
    }

    [Theory]
    [InlineData("ErrImagePull")]
    [InlineData("ImagePullBackOff")]
    [InlineData("InvalidImageName")]
    [InlineData("CreateContainerConfigError")]
    public void Image_and_container_creation_errors_fail_at_once(string reason)
    {
        var failure = PodFailureDetector.Detect([Pod("a", waiting: reason)], _ => TimeSpan.Zero, 3, Bound);

        Assert.Equal(RollingUpdateFailureKind.ImagePullError, failure?.Kind);
        Assert.Contains(reason, failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unready_pod_fails_only_after_the_readiness_bound()
    {
        var pod = Pod("a", ready: false);

        Assert.Null(PodFailureDetector.Detect([pod], _ => TimeSpan.FromSeconds(59), 3, Bound));
        var failure = PodFailureDetector.Detect([pod], _ => TimeSpan.FromSeconds(60), 3, Bound);
        Assert.Equal(RollingUpdateFailureKind.NeverReady, failure?.Kind);
        Assert.Contains("not ready after 60 s", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crash_outranks_another_pods_slow_readiness()
    {
        var failure = PodFailureDetector.Detect([Pod("slow", ready: false), Pod("crash", waiting: "CrashLoopBackOff")], _ => TimeSpan.FromHours(1), 3, Bound);

        Assert.Equal((RollingUpdateFailureKind.CrashLoop, "crash"), (failure?.Kind, failure?.Pod));
    }

    [Fact]
    public void Failed_phase_and_init_container_crashes_are_failures_and_terminating_pods_are_ignored()
    {
        var failed = Pod("a", ready: false);
        failed.Status.Phase = "Failed";
        var init = Pod("b", ready: false);
        init.Status.InitContainerStatuses = [new V1ContainerStatus { Name = "migrate", Image = "m:1", RestartCount = 5, State = new V1ContainerState() }];
        var terminating = Pod("c", waiting: "CrashLoopBackOff");
        terminating.Metadata.DeletionTimestamp = DateTime.UtcNow;

        Assert.Equal(RollingUpdateFailureKind.PodFailed, PodFailureDetector.Detect([failed], _ => TimeSpan.Zero, 3, Bound)?.Kind);
        Assert.Equal(("b", "migrate"), (PodFailureDetector.Detect([init], _ => TimeSpan.Zero, 3, Bound)?.Pod, PodFailureDetector.Detect([init], _ => TimeSpan.Zero, 3, Bound)?.Container));
        Assert.Null(PodFailureDetector.Detect([terminating], _ => TimeSpan.FromHours(1), 3, Bound));
    }

    private static V1Pod Pod(string name, bool ready = false, string? waiting = null, int restarts = 0, int? exitCode = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = name },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "roost",
                    Image = "roost:v2",
                    Ready = ready,
                    RestartCount = restarts,
                    State = waiting is null ? new V1ContainerState { Running = new V1ContainerStateRunning() } : new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting, Message = "back-off" } },
                    LastState = exitCode is null ? null : new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = exitCode.Value, Reason = "Error" } },
                },
            ],
        },
    };
}
