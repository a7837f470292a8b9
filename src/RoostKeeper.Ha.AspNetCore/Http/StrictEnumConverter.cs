using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>
/// Reads an enum in a request body by its name only, as documented ("Update") or in camelCase ("update", as
/// the body's field names are). System.Text.Json's string enum converter also accepts any other case
/// ("UPDATE"), comma-separated lists that it combines into one value ("Skip,Update" is Update) and, unless
/// told otherwise, numbers; each is refused here, so a body means exactly what it says (400 naming the
/// field). Writes the name.
/// </summary>
internal sealed class StrictEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly string[] Names = Enum.GetNames<T>();
        private static readonly Dictionary<string, T> Accepted = Names
            .SelectMany(n => new[] { n, JsonNamingPolicy.CamelCase.ConvertName(n) }.Distinct(StringComparer.Ordinal).Select(form => (form, Enum.Parse<T>(n))))
            .ToDictionary(p => p.form, p => p.Item2, StringComparer.Ordinal);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var allowed = string.Join(", ", Names.Select(n => $"\"{n}\""));
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"Expected one of {allowed} (a JSON string), not a {reader.TokenType}.");
            }

            var text = reader.GetString();
            if (text is not null && Accepted.TryGetValue(text, out var value))
            {
                return value;
            }

            throw new JsonException($"\"{Shorten(text)}\" is not one of {allowed} (a name as written or in camelCase: no other case, no numbers, no lists).");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());

        private static string Shorten(string? text) => text is null ? "" : text.Length <= 64 ? text : text[..64] + "…";
    }
}
