using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// The errors one validation pass collected, turned into the API server's 422 Invalid: the message
/// <c>Deployment.apps "web" is invalid: spec.selector: ...</c> (several errors in brackets, duplicates dropped
/// as <c>ToAggregate</c> drops them) and one <c>details.causes</c> entry per error with its field path.
/// </summary>
internal sealed class FieldErrors
{
    private readonly List<FieldError> _errors = [];

    public int Count => _errors.Count;

    public void Add(FieldError error) => _errors.Add(error);

    public void AddRange(IEnumerable<FieldError> errors) => _errors.AddRange(errors);

    public void ThrowIfAny(ResourceType type, string name)
    {
        if (_errors.Count > 0)
        {
            throw ToException(type, name, _errors);
        }
    }

    public static ApiException ToException(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var distinct = errors.DistinctBy(e => e.ToString()).ToList();
        var qualifiedKind = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        var why = distinct.Count == 1 ? distinct[0].ToString() : "[" + string.Join(", ", distinct) + "]";
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Kind,
            ["causes"] = new JsonArray(errors.Select(e => (JsonNode)e.ToCause()).ToArray()),
        };
        return new ApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {why}", details);
    }
}
