using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>
/// Reads an optional JSON body under a size limit, turning every way it can be wrong into a ProblemDetails
/// answer: 413 over the limit, 415 when not JSON, 400 naming the field (the JSON path) when malformed.
/// </summary>
internal static class RequestBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext context, long limit, JsonSerializerOptions json)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return (null, Problems.TooLarge(limit));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge(limit));
        }

        if (bytes.Length > limit)
        {
            return (null, Problems.TooLarge(limit));
        }

        if (bytes.Length == 0)
        {
            return (null, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(bytes, json), null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path;
            return (null, Problems.BadRequest(field, $"The body is not a valid {Describe<T>()}: {FirstSentence(e.Message)}"));
        }
    }

    private static string Describe<T>() => typeof(T).Name switch
    {
        var n when n.EndsWith("Request", StringComparison.Ordinal) => $"{n[..^"Request".Length].ToLowerInvariant()} request",
        var n => n,
    };

    // System.Text.Json appends "Path: … | LineNumber: …" to its messages; the path is given as the field already.
    private static string FirstSentence(string message) =>
        message.IndexOf(" Path: ", StringComparison.Ordinal) is var i and > 0 ? message[..i] : message;
}
