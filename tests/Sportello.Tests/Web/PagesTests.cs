using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

[Trait("Category", "Data")]
public sealed class PagesTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account")]
    [InlineData("/desk")]
    [InlineData("/admin/customers")]
    public async Task PrivatePage_Anonymous_RedirectsToSignIn(string path)
    {
        var response = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("http://localhost/signin?ReturnUrl=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_CarrySecurityHeaders()
    {
        var response = await app.Anonymous().GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Customer_SignsIn_SeesOwnServicesOnly()
    {
        var admin = await app.AdminAsync();
        var mine = (await admin.CreateCustomerAsync("web-owner@example.com")).GetProperty("id").GetString()!;
        var theirs = (await admin.CreateCustomerAsync("web-other@example.com")).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(mine, "700001", "192.0.2.71");
        await admin.AddServiceAsync(theirs, "700002", "192.0.2.72");
        var web = await app.SignInWebAsync("web-owner@example.com", "customer passphrase 2026");
        var home = await web.GetPageAsync("/");
        Assert.Contains("#700001", home, StringComparison.Ordinal);
        Assert.Contains("192.0.2.71", home, StringComparison.Ordinal);
        Assert.DoesNotContain("700002", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewTicketForm_WithAnOversizeFile_OpensNoTicket()
    {
        var (email, order, ip) = Unique.Customer("bignew");
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var web = await app.SignInWebAsync(email, "customer passphrase 2026");
        var page = await web.GetPageAsync("/tickets/new");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebForms.AntiforgeryToken(page)), "__RequestVerificationToken" },
            { new StringContent("technical"), "Input.Department" },
            { new StringContent("normal"), "Input.Priority" },
            { new StringContent("With a huge log"), "Input.Subject" },
            { new StringContent("See the file"), "Input.Description" },
            { new ByteArrayContent(new byte[20 * 1024 * 1024 + 1]), "Files", "huge.log" },
        };
        var response = await web.PostAsync("/tickets/new", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("huge.log is 20 MB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await (await api.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task ItalianCustomer_SeesTheFormErrorsInItalian_WithTheirValuesFilledIn()
    {
        var (email, order, ip) = Unique.Customer("errori");
        var admin = await app.AdminAsync();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Cliente Italiano", password = "customer passphrase 2026", country = "IT", language = "it", timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);
        var service = await admin.AddServiceAsync(created.GetProperty("id").GetString()!, order, ip);
        var web = await app.SignInWebAsync(email, "customer passphrase 2026");
        var page = await web.GetPageAsync("/tickets/new");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebForms.AntiforgeryToken(page)), "__RequestVerificationToken" },
            { new StringContent("technical"), "Input.Department" },
            { new StringContent("high"), "Input.Priority" },
            { new StringContent(""), "Input.Subject" },
            { new StringContent("Non risponde."), "Input.Description" },
            { new StringContent(service.GetProperty("id").GetString()!), "Input.ServiceId" },
            // The night the clocks went forward in Italy: 02:30 never happened.
            { new StringContent("2026-03-29 02:30"), "Input.ProblemStartedAt" },
            { new StringContent("Europe/Rome"), "Input.ProblemTimeZone" },
            { new ByteArrayContent(new byte[20 * 1024 * 1024 + 1]), "Files", "enorme.log" },
        };

        var response = await web.PostAsync("/tickets/new", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("enorme.log pesa 20 MB; ogni file può pesare al massimo 20 MB.", html, StringComparison.Ordinal);
        Assert.Contains("non esiste nel fuso Europe/Rome: a quell'ora le lancette sono state spostate avanti. Intendevi", html, StringComparison.Ordinal);
        // A sentence translated whole wins over the general format.
        Assert.Contains("L'oggetto è obbligatorio.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Campo obbligatorio: subject", html, StringComparison.Ordinal);
        Assert.DoesNotContain("each file may be at most", html, StringComparison.Ordinal);
        Assert.DoesNotContain("the clocks jumped forward", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Customer_OpeningAdminPage_IsForbidden()
    {
        await (await app.AdminAsync()).CreateCustomerAsync("web-nosy@example.com");
        var web = await app.SignInWebAsync("web-nosy@example.com", "customer passphrase 2026");
        var response = await web.GetAsync("/admin/customers");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/forbidden", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInPage_FollowsAcceptLanguage()
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("it-IT,it;q=0.9");
        var html = await client.GetPageAsync("/signin");
        Assert.Contains("<html lang=\"it\">", html, StringComparison.Ordinal);
        Assert.Contains("Accedi", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_CreatesCustomerThroughTheForm_BadCountryIsExplained()
    {
        var web = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var response = await web.SubmitAsync("/admin/customers", "/admin/customers", new Dictionary<string, string>
        {
            ["Input.Name"] = "Form Customer", ["Input.Email"] = "form@example.com", ["Input.Country"] = "ZZ",
            ["Input.Language"] = "en", ["Input.TimeZone"] = "Europe/Rome", ["Input.Password"] = "tall ships and stars",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("country must be an ISO 3166-1 alpha-2 code", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var created = await web.SubmitAsync("/admin/customers", "/admin/customers", new Dictionary<string, string>
        {
            ["Input.Name"] = "Form Customer", ["Input.Email"] = "form@example.com", ["Input.Country"] = "AT",
            ["Input.Language"] = "en", ["Input.TimeZone"] = "Europe/Vienna", ["Input.Password"] = "tall ships and stars",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var detail = await web.GetPageAsync(created.Headers.Location!.OriginalString);
        Assert.Contains("form@example.com", detail, StringComparison.Ordinal);
    }
}

[Trait("Category", "Data")]
public sealed class OperationsTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Health_LiveAndReady_Answer200()
    {
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/live")).StatusCode);
        var ready = await app.Anonymous().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_DescribesTheApi()
    {
        var doc = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/auth/token", out _));
        Assert.True(paths.TryGetProperty("/api/v1/admin/customers", out _));
        Assert.True(paths.TryGetProperty("/api/v1/services", out _));
    }

    [Fact]
    public async Task UnknownApiRoute_IsProblemJson404()
    {
        var response = await app.Anonymous().GetAsync("/api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MalformedJson_Is400Problem()
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsync("/api/v1/admin/customers",
            new StringContent("{\"email\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
