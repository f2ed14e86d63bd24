using System.ComponentModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// Bad input to a form answers 200 (the form again, with its errors), 302, 400, 404 or 413, never 500. Every Razor
/// page, every POST handler of it and every field it binds (bound properties, nested <c>Input.*</c> ones, list rows,
/// handler parameters, files), read from the pages MVC compiled, so a page or field added later is walked without anyone
/// remembering; as a customer, an agent, an admin and anonymously, each with a valid antiforgery token.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class FormWalkTests(WalkApp app, ITestOutputHelper output) : IClassFixture<WalkApp>
{
    /// <summary>Form values as they go on the wire, already percent-encoded (some are not valid UTF-8 on purpose).</summary>
    private static readonly string[] BadValues =
    [
        "", new string('x', 100_000), "%00", "a%00b", "%E2%80%AEtxt.exe", "e" + string.Concat(Enumerable.Repeat("%CC%81", 60)), "%F0%9F%98%80",
        "%ED%A0%80", "%E0%A4%A", "%FF", "%", "-1", "0", "99999999999999999999", "1e309", "NaN", "0001-01-01", "9999-12-31T23:59:59Z",
        "2026-02-30", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd", "%0D%0ABcc%3A%20x%40evil.example",
    ];

    /// <summary>
    /// Route values other than the real objects': nothing here may be a 500 either. (No NUL: Kestrel refuses a path with
    /// one, 400 before the app, and the test host throws instead.)
    /// </summary>
    private static readonly string[] BadRouteValues = ["-1", "99999999999999999999", "%E2%80%AE", "%F0%9F%98%80", "%ED%A0%80", new string('t', 5000)];

    private sealed record Field(string Name, bool File);

    private sealed record Handler(string? Name, List<Field> Fields);

    private sealed record Page(string Route, List<Handler> Posts, List<Field> GetFields);

    /// <summary>Who walks; <see cref="Client"/> is signed in again when a handler ended its session (signing out is a form too).</summary>
    private sealed class Caller(string who, string tokenPage, Func<Task<HttpClient>> signIn)
    {
        public string Who => who;
        public string TokenPage => tokenPage;
        public HttpClient Client { get; private set; } = null!;
        public int SignIns { get; private set; }

        public async Task<Caller> SignInAsync()
        {
            Client = await signIn();
            SignIns++;
            return this;
        }

        /// <summary>A token from a page this caller sees, signing in again when the session ended.</summary>
        public async Task<string> TokenAsync()
        {
            var page = await Client.GetAsync(TokenPage);
            if (page.StatusCode == HttpStatusCode.Redirect)
            {
                await SignInAsync();
                page = await Client.GetAsync(TokenPage);
            }
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"{Who}: GET {TokenPage} → {(int)page.StatusCode}");
            return WebForms.AntiforgeryToken(await page.Content.ReadAsStringAsync());
        }
    }

    private readonly Dictionary<string, string> known = [];
    private readonly List<string> failures = [];
    private int requests;
    private int formsWithErrors;

    /// <summary>Every page MVC knows, loaded as MVC loads it, with its POST handlers and what each binds.</summary>
    private async Task<List<Page>> PagesAsync()
    {
        var loader = app.Services.GetRequiredService<PageLoader>();
        var pages = new List<Page>();
        foreach (var descriptor in app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
                     .OfType<PageActionDescriptor>().DistinctBy(p => p.AttributeRouteInfo!.Template))
        {
            var compiled = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            var route = "/" + compiled.AttributeRouteInfo!.Template!.TrimStart('/');
            var routeNames = RouteParameter().Matches(route).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var properties = compiled.BoundProperties.SelectMany(p => Expand(p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0)).ToList();
            var posts = compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
                .Select(h => new Handler(h.Name, [.. properties, .. h.Parameters.Where(p => !routeNames.Contains(p.Name))
                    .SelectMany(p => Expand(p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0))]))
                .ToList();
            var gets = compiled.BoundProperties.OfType<PageBoundPropertyDescriptor>().Where(p => p.Property.GetCustomAttributes(typeof(BindPropertyAttribute), false).OfType<BindPropertyAttribute>().Any(b => b.SupportsGet))
                .SelectMany(p => Expand(p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0))
                .Concat(compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Parameters)
                    .Where(p => !routeNames.Contains(p.Name)).SelectMany(p => Expand(p.Name, p.ParameterType, 0)))
                .DistinctBy(f => f.Name).ToList();
            pages.Add(new Page(route, posts, gets));
        }
        // Signing out ends the caller's session: last.
        return [.. pages.OrderBy(p => p.Route == "/signout").ThenBy(p => p.Route, StringComparer.Ordinal)];
    }

    /// <summary>The form names model binding reads for a value of <paramref name="type"/> named <paramref name="name"/>.</summary>
    private static IEnumerable<Field> Expand(string name, Type type, int depth)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (typeof(IFormFile).IsAssignableFrom(t) || typeof(IEnumerable<IFormFile>).IsAssignableFrom(t))
        {
            return [new Field(name, File: true)];
        }
        if (TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string)))
        {
            return [new Field(name, File: false)];
        }
        if (t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } enumerable)
        {
            var element = enumerable.GetGenericArguments()[0];
            return TypeDescriptor.GetConverter(element).CanConvertFrom(typeof(string))
                ? [new Field(name, File: false), new Field($"{name}[0]", File: false)]
                : Expand($"{name}[0]", element, depth + 1);
        }
        return depth >= 3 ? [] : t.GetProperties().Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .SelectMany(p => Expand($"{name}.{p.Name}", p.PropertyType, depth + 1));
    }

    [GeneratedRegex(@"\{([^}:?]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    private string Fill(string route, Func<string, string?>? value = null) =>
        RouteParameter().Replace(route, m => value?.Invoke(m.Groups[1].Value)
            ?? (m.Groups[1].Value == "handler" ? "" : known.TryGetValue(m.Groups[1].Value, out var id) ? id
                : m.Value.Contains(":int", StringComparison.Ordinal) ? "404" : m.Value.Contains(":guid", StringComparison.Ordinal) ? Guid.NewGuid().ToString() : "walk-token"))
            .TrimEnd('/') is { Length: > 0 } url ? url : "/";

    /// <summary>Real objects for the routes, so the walk reaches the handlers behind them, not only a 404.</summary>
    private async Task<Caller[]> CallersAsync()
    {
        var (email, order, _) = Unique.Customer($"formwalk{Unique.Next()}");
        // A public address: an abuse report about a reserved one is refused.
        var ip = $"198.18.202.{Unique.Next() % 250 + 1}";
        var admin = await app.AdminAsync();
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(customerId, order, ip);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        await (await customer.PutAsJsonAsync("/api/v1/account/billing", new { company = "Walk S.r.l.", address = "Via Roma 1, Milano", country = "IT", vatId = (string?)null }))
            .JsonAsync(HttpStatusCode.OK);
        known["customerId"] = customerId;
        known["ticketId"] = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Walk", description = "Walk." })).GetProperty("id").GetString()!;
        known["caseId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new { type = "spam", sourceIp = ip, evidence = "Spam." }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!;
        known["invoiceId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId, lines = new[] { new { description = "Walk", netCents = 1000 } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        known["orderId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new { customerId, orderNumber = Unique.Customer("order").OrderNumber, lines = new[] { new { description = "Walk", netCents = 1000 } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        known["noticeId"] = (await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = new { en = "Walk", it = "Walk" }, body = new { en = "Walk.", it = "Walk." }, affects = new { locations = new[] { "Milan MIL1" } },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        known["chatId"] = (await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { name = "Walk", email = "walk@visitor.example", message = "Walk?", department = "technical" }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var agentEmail = $"formwalker{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "technical", "financial", "abuse");
        return
        [
            await new Caller("customer", "/account", () => app.SignInWebAsync(email, "customer passphrase 2026")).SignInAsync(),
            await new Caller("agent", "/account", () => app.SignInWebAsync(agentEmail, "agent passphrase 2026")).SignInAsync(),
            await new Caller("admin", "/account", () => app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).SignInAsync(),
            await new Caller("anonymous", "/signin", () => Task.FromResult(app.Anonymous())).SignInAsync(),
        ];
    }

    private async Task<HttpResponseMessage?> SendAsync(Caller caller, HttpMethod method, string url, HttpContent? content, string what)
    {
        requests++;
        try
        {
            var response = await caller.Client.SendAsync(new HttpRequestMessage(method, url) { Content = content });
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{caller.Who}: {method} {url} {what} → {(int)response.StatusCode}");
            }
            else if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest
                     && (await response.Content.ReadAsStringAsync()).Contains("id=\"form-errors\"", StringComparison.Ordinal))
            {
                formsWithErrors++;
            }
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException)
        {
            failures.Add($"{caller.Who}: {method} {url} {what} → {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>A failure without its value: who, the request and the field, so that a table of them reads at a glance.</summary>
    private static string Where(string failure) => failure.Split(" = ")[0].Split(" → ")[0];

    private static StringContent Form(string token, IEnumerable<string> pairs) =>
        new(string.Join('&', pairs.Prepend("__RequestVerificationToken=" + Uri.EscapeDataString(token))), Encoding.ASCII, "application/x-www-form-urlencoded");

    private static string Pair(string name, string encoded) => Uri.EscapeDataString(name) + "=" + encoded;

    /// <summary>Bodies that are not a form, or a broken one, each with the token so that only the body is wrong.</summary>
    private static IEnumerable<(string What, Func<HttpContent> Content)> MalformedBodies(string token)
    {
        var t = Uri.EscapeDataString(token);
        yield return ("text/plain", () => new StringContent($"__RequestVerificationToken={t}", Encoding.UTF8, "text/plain"));
        yield return ("json", () => new StringContent($"{{\"__RequestVerificationToken\":\"{token}\",\"Input\":{{\"Subject\":1}}}}", Encoding.UTF8, "application/json"));
        yield return ("no body", () => new ByteArrayContent([]) { Headers = { ContentType = new("application/x-www-form-urlencoded") } });
        yield return ("bare separators", () => new StringContent($"__RequestVerificationToken={t}&&&==&=&%%%&%=%&a==b", Encoding.ASCII, "application/x-www-form-urlencoded"));
        yield return ("2000 fields", () => Form(token, Enumerable.Range(0, 2000).Select(i => $"f{i}=1")));
        yield return ("unknown and hostile names", () => Form(token, ["Input.Role=admin", "Role=admin", "Input=x", "Input%5B%5D=x", "Input%5B99999999999%5D.Subject=x",
            "Input.a.b.c.d.e.f.g.h=x", "%5B=x", "__proto__=x", "%00=x", "%ED%A0%80=x", "Unknown=1"]));
        yield return ("token twice", () => Form(token, ["__RequestVerificationToken=x"]));
        yield return ("multipart without boundary", () => Raw($"__RequestVerificationToken={t}", "multipart/form-data"));
        yield return ("multipart with another boundary", () => Raw(Part("a", "__RequestVerificationToken", token) + "--a--\r\n", "multipart/form-data; boundary=b"));
        yield return ("multipart cut short", () => Raw(Part("a", "__RequestVerificationToken", token) + "--a\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nno end", "multipart/form-data; boundary=a"));
        yield return ("multipart without headers", () => Raw(Part("a", "__RequestVerificationToken", token) + "--a\r\n\r\nx\r\n--a--\r\n", "multipart/form-data; boundary=a"));
        yield return ("multipart boundary of 200 characters", () => Raw("x", "multipart/form-data; boundary=" + new string('b', 200)));
        yield return ("form with a charset nobody knows", () => new ByteArrayContent(Encoding.ASCII.GetBytes($"__RequestVerificationToken={t}&Body=x"))
        {
            Headers = { ContentType = MediaTypeHeader("application/x-www-form-urlencoded; charset=klingon") },
        });
    }

    private static System.Net.Http.Headers.MediaTypeHeaderValue MediaTypeHeader(string value) => System.Net.Http.Headers.MediaTypeHeaderValue.Parse(value);

    private static ByteArrayContent Raw(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static string Part(string boundary, string name, string value) =>
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";

    /// <summary>Files with hostile names and types, in a well-formed multipart body.</summary>
    private static IEnumerable<(string What, Func<HttpContent> Content)> Uploads(string token, Handler handler)
    {
        var names = new[] { "", "a\0b.txt", "\u202etxt.exe", "../../etc/passwd", new string('n', 5000) + ".pdf", "😀.png", "CON", "a\r\nContent-Type: text/html" };
        foreach (var file in handler.Fields.Where(f => f.File))
        {
            foreach (var name in names)
            {
                yield return ($"file {file.Name} named {name[..Math.Min(name.Length, 20)]}", () =>
                {
                    var multipart = new MultipartFormDataContent("walk") { { new StringContent(token), "__RequestVerificationToken" } };
                    foreach (var text in handler.Fields.Where(f => !f.File))
                    {
                        multipart.Add(new StringContent("x"), text.Name);
                    }
                    var bytes = new ByteArrayContent("%PDF-1.4 walk"u8.ToArray());
                    bytes.Headers.TryAddWithoutValidation("Content-Type", "application/x-msdownload; x=\"");
                    bytes.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{file.Name}\"; filename=\"{name}\"");
                    multipart.Add(bytes);
                    return multipart;
                });
            }
        }
    }

    private static bool Refused(HttpResponseMessage? response) =>
        response is { StatusCode: HttpStatusCode.Redirect or HttpStatusCode.Found, Headers.Location: { } location }
        && (location.OriginalString.Contains("/signin", StringComparison.Ordinal) || location.OriginalString.Contains("/forbidden", StringComparison.Ordinal));

    private async Task WalkAsync(Caller caller, Page page)
    {
        var url = Fill(page.Route);
        // GET: every query value the page reads, and the route's values.
        foreach (var field in page.GetFields)
        {
            foreach (var bad in BadValues)
            {
                await SendAsync(caller, HttpMethod.Get, $"{url}?{Uri.EscapeDataString(field.Name)}={bad}", null, "");
            }
        }
        foreach (var name in RouteParameter().Matches(page.Route).Select(m => m.Groups[1].Value).Where(n => n != "handler"))
        {
            foreach (var bad in BadRouteValues)
            {
                await SendAsync(caller, HttpMethod.Get, Fill(page.Route, n => n == name ? bad : null), null, "");
            }
        }
        foreach (var bad in BadValues.Take(5).Append("Pdf").Append("Suggestions"))
        {
            await SendAsync(caller, HttpMethod.Get, $"{url}?handler={bad}", null, "handler name");
        }
        if (page.Posts.Count == 0)
        {
            // A page without a form answers a post too.
            await SendAsync(caller, HttpMethod.Post, url, Form(await caller.TokenAsync(), ["Body=x"]), "(no POST handler)");
            return;
        }
        foreach (var handler in page.Posts)
        {
            var token = await caller.TokenAsync();
            var action = handler.Name is null ? url : $"{url}?handler={handler.Name}";
            var texts = handler.Fields.Where(f => !f.File).Select(f => f.Name).Distinct().ToList();
            var probe = await SendAsync(caller, HttpMethod.Post, action, Form(token, []), "(token only)");
            // Refused at the door (authorization runs before binding): every value at once is enough there.
            var full = !Refused(probe);
            foreach (var bad in BadValues)
            {
                await SendAsync(caller, HttpMethod.Post, action, Form(token, texts.Select(f => Pair(f, bad))), $"every field = {bad[..Math.Min(bad.Length, 20)]}");
                if (!full)
                {
                    continue;
                }
                foreach (var field in texts)
                {
                    await SendAsync(caller, HttpMethod.Post, action, Form(token, [Pair(field, bad)]), $"{field} = {bad[..Math.Min(bad.Length, 20)]}");
                }
            }
            if (full)
            {
                foreach (var field in texts)
                {
                    await SendAsync(caller, HttpMethod.Post, action, Form(token, [Pair(field, "a"), Pair(field, "b"), Pair(field + "[0]", "c")]), $"{field} repeated");
                }
                foreach (var (what, content) in Uploads(token, handler))
                {
                    await SendAsync(caller, HttpMethod.Post, action, content(), what);
                }
            }
            foreach (var (what, content) in MalformedBodies(token))
            {
                await SendAsync(caller, HttpMethod.Post, action, content(), what);
            }
            foreach (var bad in BadValues.Take(5).Append(handler.Name + "x"))
            {
                await SendAsync(caller, HttpMethod.Post, $"{url}?handler={bad}", Form(token, []), "handler name");
            }
        }
    }

    [Fact]
    public async Task EveryFieldOfEveryForm_WithMalformedValuesAndBodies_NeverAnswers500()
    {
        var pages = await PagesAsync();
        // Read from the app, not typed in: a walk that finds no page or no field would pass by walking nothing.
        Assert.True(pages.Count >= 40, $"only {pages.Count} pages");
        Assert.Contains(pages, p => p.Route == "/tickets/new" && p.Posts.Any(h => h.Fields.Any(f => f.Name == "Input.Subject")));
        Assert.Contains(pages, p => p.Route == "/account" && p.Posts.Any(h => h.Name == "Profile") && p.Posts.Any(h => h.Fields.Any(f => f.Name == "tokenName")));
        Assert.Contains(pages, p => p.Route == "/admin/orders" && p.Posts.Any(h => h.Fields.Any(f => f.Name == "Input.Lines[0].Description")));
        Assert.Contains(pages, p => p.Posts.Any(h => h.Fields.Any(f => f.File)));
        var handlers = pages.Sum(p => p.Posts.Count);
        var fields = pages.Sum(p => p.Posts.Sum(h => h.Fields.Count));
        Assert.True(handlers >= 60, $"only {handlers} POST handlers");

        var callers = await CallersAsync();
        foreach (var caller in callers)
        {
            foreach (var page in pages)
            {
                await WalkAsync(caller, page);
            }
        }

        var summary = $"Form walk: {pages.Count} pages, {handlers} POST handlers, {fields} fields, {callers.Length} callers, {requests} requests, "
            + $"{formsWithErrors} forms answered with their errors, {failures.Count} 5xx, signed in again {callers.Sum(c => c.SignIns - 1)} times";
        output.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(failures.Count == 0, "5xx:\n" + string.Join("\n", failures.GroupBy(Where).Select(g => $"{g.Count()} × {g.First()}").Take(60)));
        Assert.True(requests >= 20_000, summary);
        // The walk got past the antiforgery check and the binding, into the handlers' validation, many times over.
        Assert.True(formsWithErrors >= 500, summary);

        // And real cases, by hand, for a customer the walk did not touch: a new ticket without a subject is the form again,
        // saying so; one whose subject has a NUL is refused whole (400).
        var (email, _, _) = Unique.Customer($"formwalk{Unique.Next()}");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var fresh = await new Caller("customer", "/account", () => app.SignInWebAsync(email, "customer passphrase 2026")).SignInAsync();
        HttpContent NewTicket(string subject, string token) =>
            Form(token, [Pair("Input.Department", "technical"), Pair("Input.Priority", "normal"), Pair("Input.Subject", subject), Pair("Input.Description", "Walk.")]);
        var form = await fresh.Client.PostAsync("/tickets/new", NewTicket("", await fresh.TokenAsync()));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("id=\"form-errors\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await fresh.Client.PostAsync("/tickets/new", NewTicket("%00", await fresh.TokenAsync()))).StatusCode);

        // The server is still itself: ready, and a normal sign-in works.
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
        var again = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        await again.GetPageAsync("/admin");
    }
}
