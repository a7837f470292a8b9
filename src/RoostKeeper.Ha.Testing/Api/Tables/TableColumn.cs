using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Api.Tables;

/// <summary>
/// One column of a <c>Table</c> response: its definition as kubectl reads it (name, type, format, priority:
/// 0 is shown always, 1 only with <c>-o wide</c>) and how a row's cell is computed from the object and the time.
/// </summary>
internal sealed record TableColumn(string Name, string Type, int Priority, Func<JsonObject, DateTimeOffset, JsonNode?> Cell, string Format = "")
{
    public JsonObject Definition() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Name,
        ["priority"] = Priority,
    };
}
