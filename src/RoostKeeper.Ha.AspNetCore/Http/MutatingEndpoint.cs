using Microsoft.AspNetCore.Http;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>One mutating endpoint: its method, route pattern (under the prefix) and handler.</summary>
internal sealed record MutatingEndpoint(string Method, string Pattern, Func<HttpContext, Task<IResult>> Handler);
