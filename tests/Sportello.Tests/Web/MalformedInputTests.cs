using System.Net;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>The malformed inputs found from outside, each answered with 400 naming the field (or ignored), never 500.</summary>
[Trait("Category", "Data")]
public sealed class MalformedInputTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task ABadQueryValue_IsNamed_NotReportedAsABody()
    {
        var (email, order, ip) = Unique.Customer($"limit{Unique.Next()}");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);

        var response = await customer.GetAsync("/api/v1/tickets?limit=abc");

        await response.AssertNamesFieldAsync("limit");
    }

    [Fact]
    public async Task AProblemStartOutsideTheCalendar_IsA400NamingTheField()
    {
        var (email, order, ip) = Unique.Customer($"year1{Unique.Next()}");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);

        var response = await customer.PostJsonAsync("/api/v1/tickets", new
        {
            department = "technical", priority = "high", subject = "Down", description = "Down.", serviceReference = "#" + order,
            problemStartedAt = "0001-01-01T00:00", problemTimeZone = "Europe/Rome",
        });

        await response.AssertNamesFieldAsync("problemStartedAt");
    }

    [Fact]
    public async Task AMultipartUploadWithoutABoundary_IsA400NamingFiles()
    {
        var (email, order, ip) = Unique.Customer($"noboundary{Unique.Next()}");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Files", description = "Files." });
        var content = new ByteArrayContent("--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nhi\r\n--x--\r\n"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");

        var response = await customer.PostAsync($"/api/v1/tickets/{ticket.GetProperty("id").GetString()}/attachments", content);

        await response.AssertNamesFieldAsync("files");
    }

    [Theory]
    [InlineData("/\u0001tickets")]
    [InlineData("/tickets\r\nSet-Cookie: x=1")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/città")]
    public async Task AnUnsafeReturnUrl_IsIgnored_AndTheUserGoesHome(string returnUrl)
    {
        var web = app.Anonymous();
        var home = await web.GetPageAsync("/signin");

        var response = await web.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(home), ["language"] = "it", ["returnUrl"] = returnUrl,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task TheSlaReportPage_WithDatesOutsideTheCalendar_ShowsAReport()
    {
        var web = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);

        await web.GetPageAsync("/admin/sla?To=9999-12-31");
        await web.GetPageAsync("/admin/sla?From=0001-01-01&To=0001-01-02");
    }
}
