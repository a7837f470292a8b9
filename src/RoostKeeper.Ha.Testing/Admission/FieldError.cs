using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// One field-level validation failure, written as apimachinery's <c>field.Error</c> writes it:
/// <c>spec.selector: Invalid value: "x": field is immutable</c>. <see cref="Value"/> is the bad value already
/// rendered as Go's <c>%q</c> / <c>%v</c> / <c>%#v</c> would render it (null for the types that omit it).
/// </summary>
internal sealed record FieldError(string Reason, string Field, string? Value, string Detail)
{
    public static FieldError Invalid(string field, string value, string detail) => new("FieldValueInvalid", field, Quote(value), detail);

    public static FieldError Invalid(string field, long value, string detail) => new("FieldValueInvalid", field, value.ToString(CultureInfo.InvariantCulture), detail);

    /// <summary>An invalid value of another Go type, given as the server renders it (e.g. <c>[]string{"a"}</c>).</summary>
    public static FieldError InvalidRendered(string field, string rendered, string detail) => new("FieldValueInvalid", field, rendered, detail);

    public static FieldError Required(string field, string detail = "") => new("FieldValueRequired", field, null, detail);

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, null, detail);

    public static FieldError TooLong(string field, int max) => new("FieldValueTooLong", field, null, $"must have at most {max} bytes");

    public static FieldError NotSupported(string field, string value, params string[] supported) =>
        new("FieldValueNotSupported", field, Quote(value), supported.Length == 0 ? "" : "supported values: " + string.Join(", ", supported.Select(Quote)));

    public static FieldError Duplicate(string field, string value) => new("FieldValueDuplicate", field, Quote(value), "");

    /// <summary>The message without the field, as in a cause's <c>message</c>.</summary>
    public string Body
    {
        get
        {
            var type = Reason switch
            {
                "FieldValueRequired" => "Required value",
                "FieldValueForbidden" => "Forbidden",
                "FieldValueTooLong" => "Too long",
                "FieldValueTooMany" => "Too many",
                "FieldValueNotSupported" => "Unsupported value",
                "FieldValueDuplicate" => "Duplicate value",
                _ => "Invalid value",
            };
            var body = Value is null ? type : $"{type}: {Value}";
            return Detail.Length == 0 ? body : $"{body}: {Detail}";
        }
    }

    public override string ToString() => $"{Field}: {Body}";

    public JsonObject ToCause() => new() { ["reason"] = Reason, ["message"] = Body, ["field"] = Field };

    /// <summary>Go's <c>%q</c> of a string (what the server prints for a bad string value).</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    /// <summary>Go's <c>%#v</c> of a []string: <c>[]string{"a", "b"}</c>.</summary>
    public static string GoStrings(IEnumerable<string> values) => "[]string{" + string.Join(", ", values.Select(Quote)) + "}";
}
