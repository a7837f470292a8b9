using System.Net;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// An API failure rendered as a Kubernetes <c>Status</c> body, the way the real API server reports it.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(HttpStatusCode code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public HttpStatusCode Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(HttpStatusCode.NotFound, "NotFound", $"{type.QualifiedPlural} \"{name}\" not found", type.DetailsFor(name));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(HttpStatusCode.Conflict, "AlreadyExists", $"{type.QualifiedPlural} \"{name}\" already exists", type.DetailsFor(name));

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(HttpStatusCode.Conflict, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedPlural} \"{name}\": {why}", type.DetailsFor(name));

    public static ApiException Invalid(ResourceType type, string name, string why) =>
        new(HttpStatusCode.UnprocessableEntity, "Invalid", $"{type.Kind} \"{name}\" is invalid: {why}", type.DetailsFor(name));

    public static ApiException BadRequest(string message) => new(HttpStatusCode.BadRequest, "BadRequest", message);

    public static ApiException Gone(string message) => new(HttpStatusCode.Gone, "Expired", message);

    public static ApiException MethodNotAllowed(string message) => new(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", message);

    public static ApiException UnsupportedMediaType(string message) =>
        new(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", message);

    /// <summary>The <c>Status</c> object the API server sends for this failure.</summary>
    public JsonObject ToStatus() => StatusFor(Code, Reason, Message, Details);

    public static JsonObject StatusFor(HttpStatusCode code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = (int)code,
        };
        if (details is not null)
        {
            status["details"] = details.DeepClone();
        }

        return status;
    }

    /// <summary>The reason the API server gives for a status code sent without a more specific one.</summary>
    public static string ReasonFor(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => "BadRequest",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.MethodNotAllowed => "MethodNotAllowed",
        HttpStatusCode.Conflict => "Conflict",
        HttpStatusCode.Gone => "Expired",
        HttpStatusCode.UnprocessableEntity => "Invalid",
        HttpStatusCode.TooManyRequests => "TooManyRequests",
        HttpStatusCode.InternalServerError => "InternalError",
        HttpStatusCode.ServiceUnavailable => "ServiceUnavailable",
        HttpStatusCode.GatewayTimeout => "Timeout",
        _ => "Unknown",
    };
}
