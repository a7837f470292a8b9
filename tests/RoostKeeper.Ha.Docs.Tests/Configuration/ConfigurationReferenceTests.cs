using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>
/// docs/configuration.md cannot drift from the options classes: every public options class and every option
/// is listed with its real type and default, its configuration key binds, and its validators draw the line
/// exactly where the documented rule does.
/// </summary>
public sealed class ConfigurationReferenceTests
{
    private static readonly ConfigurationReference Reference = ConfigurationReference.Load();

    public static TheoryData<string> OptionsTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in OptionsClass.PublicOptionsTypes())
        {
            data.Add(type.Name);
        }

        return data;
    }

    [Fact]
    public void Every_public_options_class_has_a_section_and_every_section_names_one()
    {
        var types = OptionsClass.PublicOptionsTypes().Select(t => t.Name).ToList();

        Assert.Empty(types.Except(Reference.Classes.Keys).Select(t => $"{t} has no \"## `{t}`\" section in {ConfigurationReference.Path}"));
        Assert.Empty(Reference.Classes.Keys.Except(types).Select(t => $"{ConfigurationReference.Path} documents {t}, which is not a public options class"));
    }

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void Every_option_is_listed_with_its_type_and_default(string typeName)
    {
        var type = OptionsClass.PublicOptionsTypes().Single(t => t.Name == typeName);
        var rows = Reference.Classes.GetValueOrDefault(typeName) ?? [];
        var properties = OptionsClass.Options(type);
        var defaults = Activator.CreateInstance(type)!;
        var problems = new List<string>();

        problems.AddRange(properties.Where(p => rows.All(r => r.Name != p.Name)).Select(p => $"{typeName}.{p.Name} is missing"));
        problems.AddRange(rows.Where(r => properties.All(p => p.Name != r.Name)).Select(r => $"line {r.Line}: {typeName} has no option {r.Name}"));
        problems.AddRange(rows.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => $"{typeName}.{g.Key} is listed {g.Count()} times"));
        foreach (var row in rows)
        {
            if (type.GetProperty(row.Name) is not { } property)
            {
                continue;
            }

            var actualType = OptionValues.TypeName(property);
            if (row.Type != actualType)
            {
                problems.Add($"line {row.Line}: {typeName}.{row.Name} is a {actualType}, not a {row.Type}");
            }

            var actualDefault = OptionValues.Format(property.GetValue(defaults));
            if (row.Default != actualDefault)
            {
                problems.Add($"line {row.Line}: {typeName}.{row.Name} defaults to `{actualDefault}`, not `{row.Default}`");
            }
        }

        Assert.True(problems.Count == 0, $"{ConfigurationReference.Path} is out of date:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void Every_configuration_key_binds_its_option_and_code_only_options_have_none(string typeName)
    {
        var type = OptionsClass.PublicOptionsTypes().Single(t => t.Name == typeName);
        var options = OptionsClass.For(type) ?? throw new InvalidOperationException($"OptionsClass does not know how {typeName} is validated: add it.");
        var problems = new List<string>();
        foreach (var row in Reference.Classes.GetValueOrDefault(typeName) ?? [])
        {
            if (type.GetProperty(row.Name) is not { } property)
            {
                continue;
            }

            if (row.Key == DocumentedOption.NoKey)
            {
                // Configuration holds plain values; only a delegate cannot come from it.
                if (options.SectionName is { } bindsFrom && !typeof(Delegate).IsAssignableFrom(property.PropertyType))
                {
                    problems.Add($"line {row.Line}: {typeName}.{row.Name} binds from {bindsFrom}:{row.Name}: write that key instead of `{DocumentedOption.NoKey}`");
                }

                continue;
            }

            if (options.SectionName is not { } section)
            {
                problems.Add($"line {row.Line}: {typeName} binds from no configuration section, so {row.Name} has no key: write `{DocumentedOption.NoKey}`");
                continue;
            }

            if (row.Key != $"{section}:{row.Name}")
            {
                problems.Add($"line {row.Line}: the key of {typeName}.{row.Name} is {section}:{row.Name}, not {row.Key}");
                continue;
            }

            var (text, expected) = SampleSetting(property.GetValue(Activator.CreateInstance(type)), property.PropertyType);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(row.Key, text)]).Build();
            var bound = OptionValues.Format(property.GetValue(options.Bind(configuration)));
            if (bound != expected)
            {
                problems.Add($"line {row.Line}: {row.Key}={text} left {typeName}.{row.Name} at `{bound}`, expected `{expected}`");
            }
        }

        Assert.True(problems.Count == 0, $"{ConfigurationReference.Path} keys do not bind:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void The_validators_accept_and_refuse_exactly_what_the_rules_say(string typeName)
    {
        var type = OptionsClass.PublicOptionsTypes().Single(t => t.Name == typeName);
        var options = OptionsClass.For(type) ?? throw new InvalidOperationException($"OptionsClass does not know how {typeName} is validated: add it.");
        var baseline = options.Failures(options.CreateValid());
        Assert.True(baseline.Count == 0, $"The valid {typeName} of OptionsClass is refused:\n{string.Join("\n", baseline)}");

        var problems = new List<string>();
        foreach (var row in Reference.Classes.GetValueOrDefault(typeName) ?? [])
        {
            if (type.GetProperty(row.Name) is not { } property)
            {
                continue;
            }

            var rule = OptionRule.Parse(row.Rule, property);
            if (rule.IsUnchecked)
            {
                continue;
            }

            foreach (var value in rule.ProbeValues(options.CreateValid()))
            {
                var instance = options.CreateValid();
                Set(property, instance, value);
                var failures = options.Failures(instance).Where(f => Mentions(f, typeName, options.SectionName, row.Name)).ToList();
                var documented = rule.Admits(value is Empty ? null : value, instance) && value is not Empty;
                if (documented != (failures.Count == 0))
                {
                    problems.Add(documented
                        ? $"line {row.Line}: `{row.Rule}` admits {row.Name} = {OptionValues.Format(value)}, but validation refuses it: {string.Join(" ", failures)}"
                        : $"line {row.Line}: `{row.Rule}` refuses {row.Name} = {OptionValues.Format(value)}, but validation accepts it");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{ConfigurationReference.Path} rules differ from {typeName}'s validation:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void A_rule_predicts_its_bounds_and_a_validator_that_disagrees_is_seen()
    {
        var property = typeof(LeaderElectionOptions).GetProperty(nameof(LeaderElectionOptions.RetryPeriod))!;
        var options = OptionsClass.For(typeof(LeaderElectionOptions))!;
        var valid = options.CreateValid();

        // "> 1s" would be wrong for RetryPeriod: the validator accepts 1 s, which that rule refuses.
        var wrong = OptionRule.Parse("> 1s", property);
        Assert.Contains(TimeSpan.FromSeconds(1), wrong.ProbeValues(valid));
        Assert.False(wrong.Admits(TimeSpan.FromSeconds(1), valid));
        property.SetValue(valid, TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(options.Failures(valid), f => Mentions(f, nameof(LeaderElectionOptions), LeaderElectionOptions.SectionName, property.Name));

        var relative = OptionRule.Parse("> 1.2 × RetryPeriod", typeof(LeaderElectionOptions).GetProperty(nameof(LeaderElectionOptions.RenewDeadline))!);
        Assert.False(relative.Admits(TimeSpan.FromSeconds(1.2), valid));
        Assert.True(relative.Admits(TimeSpan.FromMilliseconds(1201), valid));

        Assert.Throws<FormatException>(() => OptionRule.Parse("positive", property));
        Assert.True(Mentions("RoostHa:LeaseName is required", nameof(LeaderElectionOptions), LeaderElectionOptions.SectionName, "LeaseName"));
        Assert.False(Mentions("RoostHa:LeaseNamespace is required", nameof(LeaderElectionOptions), LeaderElectionOptions.SectionName, "LeaseName"));
        Assert.False(Mentions("RoostHa:RollingUpdates:ReadinessTimeout (120s) must be less than Timeout (60s).", nameof(RollingUpdateOptions), RollingUpdateOptions.SectionName, "Timeout"));
        Assert.True(Mentions("RestoreOptions.MaxParallelism (0) must be from 1 to 64.", nameof(RestoreOptions), null, "MaxParallelism"));
    }

    private static void Set(System.Reflection.PropertyInfo property, object instance, object? value)
    {
        if (value is Empty)
        {
            ((System.Collections.IList)property.GetValue(instance)!).Clear();
            return;
        }

        if (property.CanWrite)
        {
            property.SetValue(instance, value);
        }
    }

    /// <summary>Whether a failure is about the option: it names it as Type.Option or Section:Option.</summary>
    private static bool Mentions(string failure, string typeName, string? section, string option) =>
        Regex.IsMatch(failure, $@"(?<![\w.:])(?:{Regex.Escape(typeName)}\.{option}|{(section is null ? "(?!)" : Regex.Escape(section) + ":" + option)})(?!\w)");

    /// <summary>A configuration value that differs from the default, and the option's value after binding it.</summary>
    private static (string Text, string Expected) SampleSetting(object? current, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(bool))
        {
            var value = !(bool)(current ?? false);
            return (value.ToString(), OptionValues.Format(value));
        }

        if (target == typeof(TimeSpan))
        {
            var value = (TimeSpan)(current ?? TimeSpan.Zero) + TimeSpan.FromSeconds(7);
            return (value.ToString("c", System.Globalization.CultureInfo.InvariantCulture), OptionValues.Format(value));
        }

        if (target == typeof(int) || target == typeof(long))
        {
            var value = Convert.ToInt64(current ?? 0, System.Globalization.CultureInfo.InvariantCulture) + 1;
            return (value.ToString(System.Globalization.CultureInfo.InvariantCulture), value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (target == typeof(k8s.Models.IntOrString))
        {
            return ("25%", "25%");
        }

        return ("bound-from-configuration", "\"bound-from-configuration\"");
    }
}
