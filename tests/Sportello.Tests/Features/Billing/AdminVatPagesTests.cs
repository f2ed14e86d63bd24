using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>/admin/vat: the rate table, a rate added ahead of an announced change, its withdrawal, and the audit trail.</summary>
[Trait("Category", "Data")]
public sealed partial class AdminVatPagesTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Page = "/admin/vat";

    private Task<HttpClient> AdminWebAsync() => app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);

    private static Task<HttpResponseMessage> AddAsync(HttpClient web, string country, string rate, string from, string source = "Law 1/2026, Official Gazette") =>
        web.SubmitAsync(Page, $"{Page}?handler=Add", new Dictionary<string, string>
        {
            ["Input.Country"] = country, ["Input.Rate"] = rate, ["Input.EffectiveFrom"] = from, ["Input.Source"] = source,
        });

    private static Task<HttpResponseMessage> WithdrawAsync(HttpClient web, string rateId) =>
        web.SubmitAsync(Page, $"{Page}?handler=Withdraw&id={rateId}", new Dictionary<string, string>());

    private static async Task<List<JsonElement>> RatesAsync(HttpClient api, string country) =>
        [.. (await (await api.GetAsync($"/api/v1/vat/rates?country={country}")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()];

    private static async Task<int> QuotedRateAsync(HttpClient api, string country, string date) =>
        (await (await api.GetAsync($"/api/v1/vat/quote?country={country}&netCents=10000&date={date}")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("rateBasisPoints").GetInt32();

    private static async Task<int> ChangeCountAsync(HttpClient api) =>
        (await (await api.GetAsync("/api/v1/admin/vat-rates/changes")).JsonAsync(HttpStatusCode.OK)).GetArrayLength();

    /// <summary>The table row of a rate, decoded: country, rate, dates, status.</summary>
    private static string Row(string html, string rateId) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"<tr id=\"rate-{rateId}\">(.*?)</tr>", RegexOptions.Singleline) is { Success: true } m ? m.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"No row for rate {rateId}."));

    /// <summary>Asserts the field is marked invalid, described by its error, which says <paramref name="message"/>.</summary>
    private static void AssertFieldError(string html, string inputId, string errorId, string message)
    {
        var input = Regex.Match(html, $"<(?:input|select|textarea)[^>]*id=\"{inputId}\"[^>]*>", RegexOptions.Singleline).Value;
        Assert.Contains("aria-invalid=\"true\"", input, StringComparison.Ordinal);
        Assert.Matches($"aria-describedby=\"[^\"]*\\b{errorId}\\b", input);
        var error = Regex.Match(html, $"<span id=\"{errorId}\" class=\"field-error\">(.*?)</span>", RegexOptions.Singleline);
        Assert.True(error.Success, $"no {errorId}");
        Assert.Contains(message, WebUtility.HtmlDecode(error.Groups[1].Value), StringComparison.Ordinal);
        Assert.Contains("id=\"form-errors\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRate_FutureDated_IsListedAsAnnounced_QuotedFromItsDateOnly_AndAudited()
    {
        var api = await app.AdminAsync();
        var web = await AdminWebAsync();
        // The test clock says 2026-11-24; Finland is at 25.5 % since 2024-09-01.
        var response = await AddAsync(web, "FI", "27,5", "2027-03-01", "Finnish <b>Act</b> 1/2027");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var rows = await RatesAsync(api, "FI");
        var added = rows.Single(r => r.GetProperty("effectiveFrom").GetString() == "2027-03-01");
        Assert.Equal(2750, added.GetProperty("rateBasisPoints").GetInt32());
        var previous = rows.Single(r => r.GetProperty("effectiveFrom").GetString() == "2024-09-01");

        var html = await web.GetPageAsync($"{Page}?country=FI");
        var row = Row(html, added.GetProperty("id").GetString()!);
        Assert.Contains("Finland", row, StringComparison.Ordinal);
        Assert.Contains("27.5 %", row, StringComparison.Ordinal);
        Assert.Contains("1 March 2027", row, StringComparison.Ordinal);
        Assert.Contains("announced", row, StringComparison.Ordinal);
        Assert.Contains("Withdraw", row, StringComparison.Ordinal);
        var before = Row(html, previous.GetProperty("id").GetString()!);
        Assert.Contains("25.5 %", before, StringComparison.Ordinal);
        Assert.Contains("28 February 2027", before, StringComparison.Ordinal);
        Assert.Contains("in force", before, StringComparison.Ordinal);
        Assert.DoesNotContain("Withdraw", before, StringComparison.Ordinal);
        // The filter shows Finland only; user text is encoded.
        Assert.DoesNotContain("Germany", WebUtility.HtmlDecode(Regex.Match(html, "<tbody>(.*?)</tbody>", RegexOptions.Singleline).Value), StringComparison.Ordinal);
        Assert.Contains("Finnish &lt;b&gt;Act&lt;/b&gt; 1/2027", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Act</b>", html, StringComparison.Ordinal);

        Assert.Equal(2750, await QuotedRateAsync(api, "FI", "2027-03-01"));
        Assert.Equal(2550, await QuotedRateAsync(api, "FI", "2027-02-28"));
        Assert.Equal(2550, (await (await api.GetAsync("/api/v1/vat/quote?country=FI&netCents=10000")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("rateBasisPoints").GetInt32());

        // The audit trail names the admin, in the page as in the API.
        var me = (await (await api.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString()!;
        var changes = WebUtility.HtmlDecode(Regex.Match(html, "<section class=\"card\" id=\"changes\".*?</section>", RegexOptions.Singleline).Value);
        var auditRow = Regex.Matches(changes, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value)
            .First(r => r.Contains("27.5 %", StringComparison.Ordinal));
        Assert.Contains(me, auditRow, StringComparison.Ordinal);
        Assert.Contains("added", auditRow, StringComparison.Ordinal);
        Assert.Contains("Finland", auditRow, StringComparison.Ordinal);
        Assert.Contains("1 March 2027", auditRow, StringComparison.Ordinal);
        var apiChange = (await (await api.GetAsync("/api/v1/admin/vat-rates/changes")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .First(c => c.GetProperty("action").GetString() == "added" && c.GetProperty("country").GetString() == "FI");
        Assert.Equal(me, apiChange.GetProperty("byName").GetString());
    }

    [Fact]
    public async Task AddRate_BadInput_ShowsTheErrorOnTheField_KeepsTheValues_AndStoresNothing()
    {
        var api = await app.AdminAsync();
        var web = await AdminWebAsync();
        var rowsBefore = (await RatesAsync(api, "DE")).Count;
        var changesBefore = await ChangeCountAsync(api);

        var response = await AddAsync(web, "DE", "abc", "2027-01-01", "Bundesgesetzblatt <i>2026</i>");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertFieldError(html, "Input_Rate", "rate-error", "The rate must be a number in percent");
        Assert.Contains("value=\"abc\"", html, StringComparison.Ordinal);
        Assert.Contains("Bundesgesetzblatt &lt;i&gt;2026&lt;/i&gt;</textarea>", html, StringComparison.Ordinal);
        Assert.Matches("<option value=\"DE\" selected=\"selected\">", html);

        html = await (await AddAsync(web, "DE", "150", "2027-01-01")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertFieldError(html, "Input_Rate", "rate-error", "The rate must be from 0 % to 100 %.");

        // Germany's row runs from 2023-01-01: a row from that day (or before it) would overlap it.
        html = await (await AddAsync(web, "DE", "20", "2023-01-01")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertFieldError(html, "Input_EffectiveFrom", "from-error", "A change comes after the last one: DE has a rate from 2023-01-01.");
        Assert.Contains("value=\"2023-01-01\"", html, StringComparison.Ordinal);

        html = await (await AddAsync(web, "XX", "20", "2027-01-01")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertFieldError(html, "Input_Country", "country-error", "country must be an EU member state, US or OTHER");

        html = await (await AddAsync(web, "DE", "20", "not a day", "")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        AssertFieldError(html, "Input_EffectiveFrom", "from-error", "effectiveFrom must be a day");
        AssertFieldError(html, "Input_Source", "source-error", "source is required");

        var unknownHandler = await web.SubmitAsync(Page, $"{Page}?handler=Edit", new Dictionary<string, string>
        {
            ["Input.Country"] = "DE", ["Input.Rate"] = "20", ["Input.EffectiveFrom"] = "2027-01-01", ["Input.Source"] = "x",
        });
        Assert.Equal(HttpStatusCode.NotFound, unknownHandler.StatusCode);

        Assert.Equal(rowsBefore, (await RatesAsync(api, "DE")).Count);
        Assert.Equal(changesBefore, await ChangeCountAsync(api));
    }

    [Fact]
    public async Task Withdraw_AnAnnouncedRate_ReopensThePrevious_ButARateInForceOrFollowedIsRefused()
    {
        var api = await app.AdminAsync();
        var web = await AdminWebAsync();
        var inForce = (await RatesAsync(api, "SE")).Single().GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(web, "SE", "26", "2027-01-01")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(web, "SE", "27", "2027-07-01")).StatusCode);
        var rows = await RatesAsync(api, "SE");
        var first = rows.Single(r => r.GetProperty("effectiveFrom").GetString() == "2027-01-01").GetProperty("id").GetString()!;
        var second = rows.Single(r => r.GetProperty("effectiveFrom").GetString() == "2027-07-01").GetProperty("id").GetString()!;

        var refused = await WithdrawAsync(web, inForce);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("A rate already in force is history", Row(html, inForce), StringComparison.Ordinal);

        refused = await WithdrawAsync(web, first);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        html = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("A later rate follows this one: withdraw that first.", Row(html, first), StringComparison.Ordinal);
        Assert.Equal(3, (await RatesAsync(api, "SE")).Count);

        // Withdraw asks first: the row's button only opens the confirmation, whose button posts.
        var listed = await web.GetPageAsync($"{Page}?country=SE");
        Assert.DoesNotContain("Yes, withdraw", listed, StringComparison.Ordinal);
        Assert.Contains($"name=\"confirm\" value=\"{second}\"", listed, StringComparison.Ordinal);
        var confirm = Row(await web.GetPageAsync($"{Page}?country=SE&confirm={second}"), second);
        Assert.Contains("Withdraw the announced rate of Sweden, 27 % from 1 July 2027?", confirm, StringComparison.Ordinal);
        Assert.True(Regex.IsMatch(confirm, $"<form method=\"post\"[^>]*action=\"[^\"]*(handler=Withdraw[^\"]*id={second}|id={second}[^\"]*handler=Withdraw)"), confirm);
        Assert.Contains("Yes, withdraw", confirm, StringComparison.Ordinal);
        await web.GetPageAsync($"{Page}?country=SE&confirm=not-an-id");
        Assert.Equal(HttpStatusCode.Redirect, (await WithdrawAsync(web, second)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await WithdrawAsync(web, first)).StatusCode);
        var left = Assert.Single(await RatesAsync(api, "SE"));
        Assert.Equal(JsonValueKind.Null, left.GetProperty("effectiveTo").ValueKind);
        html = await web.GetPageAsync($"{Page}?country=SE");
        Assert.Contains("—", Row(html, inForce), StringComparison.Ordinal);
        Assert.Contains("The rate was withdrawn.", html, StringComparison.Ordinal);
        var changes = WebUtility.HtmlDecode(Regex.Match(html, "<section class=\"card\" id=\"changes\".*?</section>", RegexOptions.Singleline).Value);
        Assert.Contains("withdrawn", changes, StringComparison.Ordinal);
        Assert.Contains("reopened", changes, StringComparison.Ordinal);

        // Withdrawn twice: the page says so, no 500.
        var gone = await WithdrawAsync(web, first);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("That rate no longer exists", await gone.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePage_InItalian_NamesCountriesInItalian_AndAcceptsADecimalComma_AndAnUnknownFilterIs400()
    {
        // A signed-in user's pages follow their own language: the admin reads Italian for this test.
        await SetAdminLanguageAsync("it");
        try
        {
            var api = await app.AdminAsync();
            var web = await AdminWebAsync();
            var html = WebUtility.HtmlDecode(await web.GetPageAsync($"{Page}?country=NL"));
            Assert.Contains("Aliquote IVA", html, StringComparison.Ordinal);
            Assert.Contains("Paesi Bassi", html, StringComparison.Ordinal);
            Assert.Contains("01/01/2023", html, StringComparison.Ordinal);
            var bad = await web.GetPageAsync($"{Page}?country=ZZ", HttpStatusCode.BadRequest);
            AssertFieldError(bad, "filter-country", "filter-error", "country non è un codice");

            Assert.Equal(HttpStatusCode.Redirect, (await AddAsync(web, "NL", "21,75", "2027-04-01")).StatusCode);
            Assert.Equal(2175, await QuotedRateAsync(api, "NL", "2027-04-01"));
            html = WebUtility.HtmlDecode(await web.GetPageAsync($"{Page}?country=NL"));
            Assert.Contains("21,75 %", html, StringComparison.Ordinal);
            Assert.Contains("annunciata", html, StringComparison.Ordinal);
            Assert.Contains("L'aliquota è stata aggiunta.", html, StringComparison.Ordinal);

            var invalid = await AddAsync(web, "NL", "22,123", "2027-09-01");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            AssertFieldError(await invalid.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), "Input_Rate", "rate-error",
                "L'aliquota può avere al massimo due decimali.");
        }
        finally
        {
            await SetAdminLanguageAsync("en");
        }
    }

    private async Task SetAdminLanguageAsync(string language)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        await db.Users.Where(u => u.Email == SportelloApp.AdminEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, language),
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ThePage_IsForAdminsOnly()
    {
        var anonymous = await app.Anonymous().GetAsync(Page, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/signin", anonymous.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);

        var agentEmail = $"vat-agent-{Unique.Next()}@example.com";
        await app.AgentAsync(agentEmail);
        var customerEmail = $"vat-customer-{Unique.Next()}@example.com";
        await (await app.AdminAsync()).CreateCustomerAsync(customerEmail);
        foreach (var web in new[] { await app.SignInWebAsync(agentEmail, "agent passphrase 2026"), await app.SignInWebAsync(customerEmail, "customer passphrase 2026") })
        {
            var response = await web.GetAsync(Page, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"got {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.DoesNotContain("/admin/vat", response.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
            }
            var post = await web.PostAsync($"{Page}?handler=Add", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Country"] = "FR", ["Input.Rate"] = "30", ["Input.EffectiveFrom"] = "2027-01-01", ["Input.Source"] = "x",
            }), TestContext.Current.CancellationToken);
            Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        }
        Assert.Single(await RatesAsync(await app.AdminAsync(), "FR"));
    }
}
