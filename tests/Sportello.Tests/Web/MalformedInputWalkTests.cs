using System.Net;
using System.Text;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// Bad input answers 400 (or 404, 413, 415, 422), never 500. Every operation of the OpenAPI document is called with
/// malformed values of each of its parameters and with malformed bodies, as an admin, an agent and a customer, so a
/// route added later is walked without anyone remembering. (Its own app: the walk's wrong passwords lock the admin out.)
/// </summary>
/// <summary>
/// Sportello whose accounts never lock and with no rate limits: the walks send wrong passwords by the hundred (to the
/// email-change and token routes, the account page's forms), and the admin they walk with must still sign in for the
/// next test, whatever order they run in; a limit would turn the walk's requests into 429s before they reach a handler.
/// </summary>
public sealed class WalkApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Identity:MaxFailedAccessAttempts"] = "1000000",
        ["Sportello:RateLimits:Enabled"] = "false",
        ["Sportello:Chat:AllowedOrigins:0"] = WidgetSite,
    };

    /// <summary>The provider's site, where the chat widget runs.</summary>
    public const string WidgetSite = "https://www.provider.example";
}

[Trait("Category", "Data")]
public sealed class MalformedInputWalkTests(WalkApp app) : IClassFixture<WalkApp>
{
    private static readonly string[] BadValues =
    [
        "abc", "-1", "0", "99999999999999999999", "1e309", "9999-12-31", "0001-01-01", "0001-01-01T00:00", "9999-12-31T23:59:59Z",
        "%00", "\u0001", "\u202e", "' OR 1=1 --", "../../etc/passwd", "{}", "null", "true", new string('x', 5000), "%E0%A4%A", "😀",
    ];

    private static readonly string[] BadBodies =
    [
        "", "null", "[]", "\"text\"", "{", "{\"a\":", "123", "{\"__proto__\":{}}", new string('[', 2000) + new string(']', 2000),
    ];

    private static readonly object?[] BadFieldValues =
        ["", "x", -1, 0, 1e300, long.MinValue, true, Array.Empty<object>(), new { nested = "x" }, null, new string('y', 100_000), "0001-01-01T00:00", "\u0000\u202e"];

    private sealed record Operation(string Method, string Path, JsonElement Definition);

    private async Task<List<Operation>> OperationsAsync()
    {
        var doc = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var operations = new List<Operation>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, method.Value));
            }
        }
        return operations;
    }

    /// <summary>Real objects to put in paths, so that a walk reaches the validation behind them, not only a 404.</summary>
    private readonly Dictionary<string, string> known = [];

    private async Task<HttpClient[]> CallersAsync()
    {
        var (email, order, ip) = Unique.Customer($"walk{Unique.Next()}");
        var admin = await app.AdminAsync();
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(customerId, order, ip);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Walk", description = "Walk." });
        known["customerId"] = customerId;
        known["ticketId"] = ticket.GetProperty("id").GetString()!;
        return [admin, await app.AgentAsync($"walker{Unique.Next()}@sportello.test", "technical"), customer, app.Anonymous()];
    }

    private string Known(string parameter) => known.TryGetValue(parameter, out var id) ? id : Guid.NewGuid().ToString();

    private static string Fill(string path, Func<string, string> value) =>
        System.Text.RegularExpressions.Regex.Replace(path, @"\{([^}:]+)[^}]*\}", m => value(m.Groups[1].Value));

    private static IEnumerable<(string Name, string In)> Parameters(Operation operation) =>
        operation.Definition.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!))
            : [];

    private static List<string> BodyFields(Operation operation, JsonElement doc)
    {
        if (!operation.Definition.TryGetProperty("requestBody", out var body)
            || !body.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json))
        {
            return [];
        }
        var schema = json.GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/').Last();
            schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).ToList() : [];
    }

    private int requests;

    /// <param name="fields">
    /// For a query walk: the parameter given a bad value, then the operation's others. A 400 with errors names it, or
    /// one of the others (a required one the walk did not send).
    /// </param>
    private async Task<string?> FailureAsync(HttpClient client, HttpMethod method, string url, HttpContent? content, IReadOnlyList<string>? fields = null)
    {
        requests++;
        using var request = new HttpRequestMessage(method, url) { Content = content };
        using var response = await client.SendAsync(request);
        if ((int)response.StatusCode >= 500)
        {
            return $"{method} {url} → {(int)response.StatusCode}";
        }
        // A refusal of the input says what was wrong, as problem+json naming the field.
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || !(body.Contains("\"errors\":{\"", StringComparison.Ordinal) || body.Contains("\"detail\"", StringComparison.Ordinal)))
            {
                return $"{method} {url} → {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}: {body[..Math.Min(body.Length, 200)]}";
            }
            if (fields is [var field, ..] && body.Contains("\"errors\":{", StringComparison.Ordinal)
                && !fields.Any(f => body.Contains($"\"{f}\":", StringComparison.OrdinalIgnoreCase)))
            {
                return $"{method} {url} → 400 naming no parameter ({field} was wrong): {body[..Math.Min(body.Length, 300)]}";
            }
        }
        return null;
    }

    [Fact]
    public async Task EveryParameterOfEveryOperation_WithMalformedValues_NeverAnswers500()
    {
        var operations = await OperationsAsync();
        Assert.True(operations.Count >= 30, $"only {operations.Count} operations in the OpenAPI document");
        var callers = await CallersAsync();
        var failures = new List<string>();
        foreach (var operation in operations.Where(o => o.Path != "/api/v1/auth/token" || o.Method != "DELETE"))
        {
            var method = new HttpMethod(operation.Method);
            var valid = Fill(operation.Path, Known);
            foreach (var (name, where) in Parameters(operation))
            {
                foreach (var bad in BadValues)
                {
                    var url = where == "path"
                        ? Fill(operation.Path, p => p == name ? Uri.EscapeDataString(bad) : Known(p))
                        : $"{valid}?{Uri.EscapeDataString(name)}={Uri.EscapeDataString(bad)}";
                    foreach (var caller in callers)
                    {
                        if (await FailureAsync(caller, method, url, method == HttpMethod.Get ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
                            method == HttpMethod.Get ? [name, .. Parameters(operation).Select(p => p.Name).Where(p => p != name)] : null) is { } failure)
                        {
                            failures.Add(failure);
                        }
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, "500s:\n" + string.Join("\n", failures.Distinct().Take(40)));
        TestContext.Current.SendDiagnosticMessage($"OpenAPI parameter walk: {operations.Count} operations, {requests} requests");
        Assert.True(requests >= 8_000, $"only {requests} requests");
    }

    [Fact]
    public async Task EveryOperationWithABody_WithMalformedBodiesAndFields_NeverAnswers500()
    {
        var doc = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var operations = (await OperationsAsync()).Where(o => o.Method is "POST" or "PUT" or "PATCH").ToList();
        var callers = await CallersAsync();
        var failures = new List<string>();
        foreach (var operation in operations)
        {
            var method = new HttpMethod(operation.Method);
            var url = Fill(operation.Path, Known);
            var contents = BadBodies.Select(b => (Func<HttpContent>)(() => new StringContent(b, Encoding.UTF8, "application/json")))
                .Append(() => new StringContent("{}", Encoding.UTF8, "text/plain"))
                .Append(() => new ByteArrayContent("{}"u8.ToArray()) { Headers = { ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=klingon") } })
                .Append(() => new ByteArrayContent([0xff, 0xfe, 0x00]) { Headers = { ContentType = new("multipart/form-data") } })
                .Concat(BodyFields(operation, doc).SelectMany(field => BadFieldValues.Select(value =>
                    (Func<HttpContent>)(() => new StringContent(JsonSerializer.Serialize(new Dictionary<string, object?> { [field] = value }), Encoding.UTF8, "application/json")))));
            foreach (var content in contents)
            {
                foreach (var caller in callers)
                {
                    if (await FailureAsync(caller, method, url, content()) is { } failure)
                    {
                        failures.Add(failure);
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, "500s:\n" + string.Join("\n", failures.Distinct().Take(40)));
        TestContext.Current.SendDiagnosticMessage($"OpenAPI body walk: {operations.Count} operations, {requests} requests");
        Assert.True(requests >= 5_000, $"only {requests} requests");
        // The node is still ready, and the other walk of this class, whichever runs second, still signs in.
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
        await app.AdminAsync();
    }
}
