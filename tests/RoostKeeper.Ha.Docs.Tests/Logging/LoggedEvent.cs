using System.Reflection;

namespace RoostKeeper.Ha.Docs.Tests.Logging;

/// <summary>A <c>[LoggerMessage]</c> method of a shipped assembly with the event id its attribute gives (null: none).</summary>
internal sealed record LoggedEvent(string Assembly, string LogClass, string Method, int? EventId)
{
    private const string AttributeName = "Microsoft.Extensions.Logging.LoggerMessageAttribute";

    public override string ToString() => $"{LogClass}.{Method} ({EventId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no id"})";

    /// <summary>Every [LoggerMessage] method declared in <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<LoggedEvent> In(Assembly assembly) =>
        (from type in assembly.GetTypes()
         from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
         from attribute in method.GetCustomAttributesData()
         where attribute.AttributeType.FullName == AttributeName
         select new LoggedEvent(assembly.GetName().Name!, type.Name, method.Name, EventIdOf(attribute))).ToList();

    /// <summary>The id as written: the constructor's int argument or the EventId property; -1 (the attribute's "none") is none.</summary>
    private static int? EventIdOf(CustomAttributeData attribute)
    {
        var id = attribute.ConstructorArguments.Where(a => a.ArgumentType == typeof(int)).Select(a => (int?)(int)a.Value!).FirstOrDefault()
            ?? attribute.NamedArguments.Where(a => a.MemberName == "EventId").Select(a => (int?)(int)a.TypedValue.Value!).FirstOrDefault();
        return id is null or < 0 ? null : id;
    }
}
