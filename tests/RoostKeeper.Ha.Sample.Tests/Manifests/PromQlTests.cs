namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>The metric-name extraction the rules and dashboard tests rely on: it must find names and only names.</summary>
public sealed class PromQlTests
{
    [Fact]
    public void Finds_selected_metrics_but_not_functions_labels_keywords_numbers_or_variables()
    {
        var names = PromQl.MetricNames(
            "sum by (namespace, job) (rate(foo_total{job=\"x\", result=~\"a|b\"}[5m])) / on (job) group_left bar:ratio > bool 0.001 * 1e3 "
            + "or absent(baz{job='y'}) unless histogram_quantile(0.99, sum by (le) (rate(qux_bucket{namespace=\"$namespace\"}[$__rate_interval])))");
        Assert.Equal(["bar:ratio", "baz", "foo_total", "qux_bucket"], names.Order());
    }

    [Fact]
    public void An_expression_of_only_functions_and_numbers_names_no_metric()
    {
        Assert.Empty(PromQl.MetricNames("time() - vector(7 * 3600)"));
    }
}
