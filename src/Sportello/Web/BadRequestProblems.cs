using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Sportello.Web;

/// <summary>Turns unreadable request bodies into 400 problems whose <c>errors</c> name the field.</summary>
internal sealed partial class BadRequestProblems : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException && httpContext.Request.Path.StartsWithSegments("/api"))
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile",
                detail: "Someone changed this at the same moment. Read it again and retry.").ExecuteAsync(httpContext);
            return true;
        }
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }
        IResult result = bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => TypedResults.Problem(statusCode: 413, title: "Request too large",
                detail: "The request body is larger than this endpoint accepts."),
            StatusCodes.Status415UnsupportedMediaType => TypedResults.Problem(statusCode: 415, title: "Unsupported media type",
                detail: "Send the body as application/json."),
            _ => TypedResults.ValidationProblem(Describe(bad), title: "The request could not be read"),
        };
        await result.ExecuteAsync(httpContext);
        return true;
    }

    private static Dictionary<string, string[]> Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            var unmapped = UnmappedMember().Match(json.Message);
            if (unmapped.Success)
            {
                var name = unmapped.Groups[1].Value;
                field = field.Length == 0 || field == "body" ? name : field.EndsWith(name, StringComparison.Ordinal) ? field : $"{field}.{name}";
                return new() { [field] = [$"'{name}' is not a field of this request."] };
            }
            return new() { [field] = [field == "body" ? "The body is not valid JSON." : $"{field} has the wrong type or format."] };
        }
        // A query, route or header value that does not fit its parameter: name the parameter, not the body.
        if (BadParameter().Match(bad.Message) is { Success: true } parameter)
        {
            var name = parameter.Groups["name"].Value;
            return new() { [name] = [parameter.Groups["missing"].Success ? $"{name} is required." : $"{name} has the wrong type or format."] };
        }
        return new() { ["body"] = ["A JSON body is required."] };
    }

    // Minimal APIs' words: 'Failed to bind parameter "int? limit" from "abc".', 'Required parameter "string q" was not provided…'.
    [GeneratedRegex("^(?:Failed to bind parameter|(?<missing>Required parameter)) \"(?:[^\"]*[ ?])?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex BadParameter();

    // "$.ipAddresses[1]" → "ipAddresses[1]"; "$" → "body".
    private static string FieldOf(string? path)
    {
        var field = (path ?? "$").TrimStart('$').TrimStart('.');
        return field.Length == 0 ? "body" : field;
    }

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedMember();
}
