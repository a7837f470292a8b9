using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

public sealed class UpdateValidatorTests
{
    [Theory]
    [InlineData("roost:v2")]
    [InlineData("roost-keeper")]
    [InlineData("registry.example.com:5000/team/roost-keeper:1.2.3")]
    [InlineData("localhost/roost_keeper__x:latest")]
    [InlineData("ghcr.io/birb/roost@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("roost:v2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Well_formed_image_references_pass(string image) => Assert.True(UpdateValidator.IsWellFormedImage(image), image);

    [Theory]
    [InlineData("")]
    [InlineData("Roost:v2")]
    [InlineData("roost:")]
    [InlineData("roost:v2 ")]
    [InlineData("roost::v2")]
    [InlineData("roost@sha256:abc")]
    [InlineData("-roost")]
    [InlineData("roost/:v2")]
    public void Malformed_image_references_fail(string image) => Assert.False(UpdateValidator.IsWellFormedImage(image), image);

    [Theory]
    [InlineData(1, 1, 4, 1, 1)]
    [InlineData("25%", "25%", 10, 3, 2)]
    [InlineData(0, 0, 3, 0, 1)]
    [InlineData("50%", 0, 3, 2, 0)]
    public void Fenceposts_round_surge_up_and_unavailable_down(object surge, object unavailable, int replicas, int expectedSurge, int expectedUnavailable)
    {
        var resolved = Fenceposts.Resolve(Convert(surge), Convert(unavailable), replicas);

        Assert.Equal((expectedSurge, expectedUnavailable), resolved);
    }

    [Fact]
    public void Recreate_strategy_and_both_fenceposts_zero_are_refused()
    {
        var recreate = Healthy(3, s => s.Strategy = new V1DeploymentStrategy { Type = "Recreate" });
        var options = new RollingUpdateOptions { MaxSurge = 0, MaxUnavailable = 0 };

        var plan = UpdateValidator.Validate("ns", "roost", recreate, [], Images("roost:v2"), options, []);

        Assert.Contains(plan.Validation.Problems, p => p.Contains("Recreate", StringComparison.Ordinal));
        Assert.Contains(plan.Validation.Problems, p => p.Contains("both 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Null_fenceposts_keep_the_deployments_own_strategy()
    {
        var d = Healthy(4, s => s.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 2, MaxUnavailable = "50%" } });

        var plan = UpdateValidator.Validate("ns", "roost", d, [], Images("roost:v2"), new RollingUpdateOptions { MaxSurge = null, MaxUnavailable = null }, []);

        Assert.True(plan.Validation.IsValid, string.Join(" ", plan.Validation.Problems));
        Assert.Equal((2, 2), (plan.MaxSurge, plan.MaxUnavailable));
    }

    [Fact]
    public void Budget_allowing_one_disruption_lowers_a_larger_max_unavailable_to_one()
    {
        var budget = DisruptionBudgets.Evaluate(new V1PodDisruptionBudget { Metadata = new V1ObjectMeta { Name = "pdb" }, Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = "25%" } }, expected: 4, healthy: 4);

        var plan = UpdateValidator.Validate("ns", "roost", Healthy(4), [], Images("roost:v2"), new RollingUpdateOptions { MaxUnavailable = 2 }, [budget]);

        Assert.Equal((1, 1), (budget.AllowedDisruptions, plan.MaxUnavailable));
        Assert.Contains("maxUnavailable 1", Assert.Single(plan.Validation.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, null, 3, 3, 1)]
    [InlineData(null, 1, 3, 2, 0)]
    [InlineData("50%", null, 3, 3, 1)]
    [InlineData(null, null, 3, 3, 3)]
    public void Budget_arithmetic_follows_the_disruption_controller(object? minAvailable, object? maxUnavailable, int expected, int healthy, int allowed)
    {
        var pdb = new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "pdb" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = minAvailable is null ? null : Convert(minAvailable), MaxUnavailable = maxUnavailable is null ? null : Convert(maxUnavailable) },
        };

        Assert.Equal(allowed, DisruptionBudgets.Evaluate(pdb, expected, healthy).AllowedDisruptions);
    }

    private static IntOrString Convert(object value) => value is int i ? i : (string)value;

    private static Dictionary<string, string> Images(string image) => new() { ["roost"] = image };

    private static V1Deployment Healthy(int replicas, Action<V1DeploymentSpec>? configure = null)
    {
        var d = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "roost", Generation = 1, Annotations = new Dictionary<string, string> { [RolloutStatusEvaluator.RevisionAnnotation] = "1" } },
            Spec = new V1DeploymentSpec { Replicas = replicas, Template = RolloutStatusEvaluatorTests.Template("roost:v1") },
            Status = new V1DeploymentStatus { ObservedGeneration = 1, Replicas = replicas, UpdatedReplicas = replicas, AvailableReplicas = replicas, ReadyReplicas = replicas },
        };
        configure?.Invoke(d.Spec);
        return d;
    }
}
